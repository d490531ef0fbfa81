"""Assigning reviewers: conflicts that understand jurisdictions, balanced load, history kept."""

import pytest
from django.core import mail

from assessment.models import AuditEvent
from review.assignment import assign, auto_assign, declare_conflict, unassign
from review.errors import ReviewError
from review.models import Assignment, settings_for
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import make_submitted

pytestmark = pytest.mark.django_db


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
    city_app = make_submitted(places["city_in_county"], cycle)
    county_app = make_submitted(places["county"], cycle)
    with pytest.raises(ReviewError, match="conflict of interest with Pineville"):
        assign(city_app, county_reviewer, organizer)
    with pytest.raises(ReviewError, match="conflict of interest with Pine County"):
        assign(county_app, city_reviewer, organizer)
    with pytest.raises(ReviewError, match="conflict of interest with Pine County"):
        assign(county_app, county_reviewer, organizer)
    assert Assignment.objects.count() == 0


def test_declared_conflicts_are_respected(places):
    cycle = make_cycle()
    organizer = make_organizer()
    reviewer = make_reviewer()
    app = make_submitted(places["other_city"], cycle)
    declare_conflict(reviewer, places["other_city"], "Former employer", organizer)
    with pytest.raises(ReviewError):
        assign(app, reviewer, organizer)


def test_a_conflict_found_after_scoring_excludes_the_review_and_keeps_it(places):
    cycle = make_cycle()
    organizer = make_organizer()
    reviewer = make_reviewer()
    app = make_submitted(places["other_city"], cycle)
    assignment = assign(app, reviewer, organizer)
    review = assignment.review
    review.status = review.Status.SUBMITTED
    review.save()
    declare_conflict(reviewer, places["other_city"], "Spouse works there", organizer)
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
    apps = [make_submitted(places["city_in_county"], cycle), make_submitted(places["county"], cycle)]
    apps += [make_submitted(make_jurisdiction(), cycle) for _ in range(3)]
    make_application(cycle=cycle)  # a draft is never assigned
    with django_capture_on_commit_callbacks(execute=True):
        made, shortfalls = auto_assign(cycle, organizer)
    assert len(made) == 10 and shortfalls == []
    loads = sorted(Assignment.objects.filter(reviewer=r).count() for r in panel)
    assert loads == [2, 2, 3, 3]  # ten assignments spread as evenly as the cap of 3 allows
    for app in apps:
        reviewers = set(Assignment.objects.filter(application=app).values_list("reviewer_id", flat=True))
        assert len(reviewers) == 2
        if app.jurisdiction in (places["county"], places["city_in_county"]):
            assert panel[0].pk not in reviewers
    # One e-mail per reviewer for the whole batch, listing each of their new applications.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in panel)
    for message in mail.outbox:
        (reviewer,) = [r for r in panel if r.email == message.to[0]]
        assert message.body.count("  Review: http") == Assignment.objects.filter(reviewer=reviewer).count()
    # Running it again assigns nothing more.
    assert auto_assign(cycle, organizer) == ([], [])


def test_automatic_assignment_reports_shortfalls():
    cycle = make_cycle()
    organizer = make_organizer()
    make_reviewer()
    app = make_submitted(make_jurisdiction(), cycle)
    made, shortfalls = auto_assign(cycle, organizer)
    assert len(made) == 1 and shortfalls == [(app, 1)]


def test_reassignment_keeps_the_history():
    cycle = make_cycle()
    organizer = make_organizer()
    first, second = make_reviewer(), make_reviewer()
    app = make_submitted(make_jurisdiction(), cycle)
    old = assign(app, first, organizer)
    with pytest.raises(ReviewError, match="Say why"):
        unassign(old, organizer, " ")
    unassign(old, organizer, "On leave")
    assign(app, second, organizer)
    history = list(Assignment.objects.filter(application=app).values_list("reviewer_id", "active", "end_reason"))
    assert history == [(first.pk, False, "On leave"), (second.pk, True, "")]
