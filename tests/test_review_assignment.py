"""Assigning reviewers: conflicts that understand jurisdictions, balanced load, history kept."""

import pytest
from django.core import mail

from assessment.models import Application, AuditEvent
from review import domain
from review.models import Assignment, settings_for
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer, make_reviewer

pytestmark = pytest.mark.django_db


def submitted(jurisdiction, cycle):
    return make_application(jurisdiction=jurisdiction, cycle=cycle, status=Application.Status.SUBMITTED)


@pytest.fixture
def places():
    county = make_jurisdiction(name="Pine County", kind="county", population=500_000)
    return {
        "county": county,
        "city_in_county": make_jurisdiction(name="Pineville", county=county),
        "other_city": make_jurisdiction(name="Faraway", state="TX"),
    }


def test_a_county_reviewer_is_conflicted_on_its_cities_and_a_city_reviewer_on_its_county(places):
    cycle = make_cycle()
    organizer = make_organizer()
    county_reviewer = make_reviewer(jurisdiction=places["county"])
    city_reviewer = make_reviewer(jurisdiction=places["city_in_county"])
    city_app = submitted(places["city_in_county"], cycle)
    county_app = submitted(places["county"], cycle)
    with pytest.raises(domain.ReviewError, match="conflict of interest with Pineville"):
        domain.assign(city_app, county_reviewer, organizer)
    with pytest.raises(domain.ReviewError, match="conflict of interest with Pine County"):
        domain.assign(county_app, city_reviewer, organizer)
    with pytest.raises(domain.ReviewError, match="conflict of interest with Pine County"):
        domain.assign(county_app, county_reviewer, organizer)
    assert Assignment.objects.count() == 0


def test_declared_conflicts_are_respected(places):
    cycle = make_cycle()
    organizer = make_organizer()
    reviewer = make_reviewer()
    app = submitted(places["other_city"], cycle)
    domain.declare_conflict(reviewer, places["other_city"], "Former employer", organizer)
    with pytest.raises(domain.ReviewError):
        domain.assign(app, reviewer, organizer)


def test_a_conflict_found_after_scoring_excludes_the_review_and_keeps_it(places):
    cycle = make_cycle()
    organizer = make_organizer()
    reviewer = make_reviewer()
    app = submitted(places["other_city"], cycle)
    assignment = domain.assign(app, reviewer, organizer)
    review = assignment.review
    review.status = review.Status.SUBMITTED
    review.save()
    domain.declare_conflict(reviewer, places["other_city"], "Spouse works there", organizer)
    assignment.refresh_from_db()
    review.refresh_from_db()
    assert not assignment.active and assignment.end_reason == "Conflict of interest: Spouse works there"
    assert review.excluded and review.excluded_reason == "Conflict of interest found after scoring: Spouse works there"
    actions = list(AuditEvent.objects.filter(application=app).order_by("id").values_list("action", flat=True))
    assert actions == ["review.assigned", "review.excluded", "review.unassigned"]


def test_automatic_assignment_balances_load_respects_caps_and_conflicts(places, django_capture_on_commit_callbacks):
    cycle = make_cycle()
    config = settings_for(cycle)
    config.reviewers_per_application = 2
    config.max_per_reviewer = 3
    config.save()
    organizer = make_organizer()
    panel = [make_reviewer(jurisdiction=places["county"])] + [make_reviewer() for _ in range(3)]
    apps = [submitted(places["city_in_county"], cycle), submitted(places["county"], cycle)]
    apps += [submitted(make_jurisdiction(), cycle) for _ in range(3)]
    make_application(cycle=cycle)  # a draft is never assigned
    with django_capture_on_commit_callbacks(execute=True):
        made, shortfalls = domain.auto_assign(cycle, organizer)
    assert len(made) == 10 and shortfalls == []
    loads = sorted(Assignment.objects.filter(reviewer=r).count() for r in panel)
    assert loads == [2, 2, 3, 3]  # ten assignments spread as evenly as the cap of 3 allows
    for app in apps:
        reviewers = set(Assignment.objects.filter(application=app).values_list("reviewer_id", flat=True))
        assert len(reviewers) == 2
        if app.jurisdiction in (places["county"], places["city_in_county"]):
            assert panel[0].pk not in reviewers
    assert len(mail.outbox) == 10
    # Running it again assigns nothing more.
    assert domain.auto_assign(cycle, organizer) == ([], [])


def test_automatic_assignment_reports_shortfalls():
    cycle = make_cycle()
    organizer = make_organizer()
    make_reviewer()
    app = submitted(make_jurisdiction(), cycle)
    made, shortfalls = domain.auto_assign(cycle, organizer)
    assert len(made) == 1 and shortfalls == [(app, 1)]


def test_reassignment_keeps_the_history():
    cycle = make_cycle()
    organizer = make_organizer()
    first, second = make_reviewer(), make_reviewer()
    app = submitted(make_jurisdiction(), cycle)
    old = domain.assign(app, first, organizer)
    with pytest.raises(domain.ReviewError, match="Say why"):
        domain.unassign(old, organizer, " ")
    domain.unassign(old, organizer, "On leave")
    domain.assign(app, second, organizer)
    history = list(Assignment.objects.filter(application=app).values_list("reviewer_id", "active", "end_reason"))
    assert history == [(first.pk, False, "On leave"), (second.pk, True, "")]
