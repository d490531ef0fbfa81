"""Every deadline is shown with its zone: the cycle's, and the applicant's own when its clock differs."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from assessment import domain
from assessment.admin import CycleForm
from assessment.invitations import JurisdictionForm
from assessment.models import Application, AuditEvent, Cycle, Jurisdiction
from assessment.templatetags.zones import deadline_text, in_zone
from review.assignment import assign
from review.decisions import publication_plan
from review.models import settings_for
from review.reminders import send_reminders
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.answers import COMPLETE, wizard_state

pytestmark = pytest.mark.django_db

NEW_YORK, LOS_ANGELES = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
DEADLINE = datetime(2027, 1, 15, 23, 59, tzinfo=NEW_YORK)  # 20:59 in Los Angeles
IN_BOTH = "January 15, 2027 at 23:59 EST (20:59 PST in Harbor City)"


@pytest.fixture(autouse=True)
def early_december(monkeypatch):
    """Always before the deadline, whatever today is."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def closing(at, zone, **kw):
    """A cycle open since November whose deadline is ``at``, in the zone named ``zone``."""
    return make_cycle(closes_in=at - NOW, time_zone=zone, **kw)


@pytest.fixture
def cycle():
    return closing(DEADLINE, "America/New_York", name="2026–2028")


@pytest.fixture
def harbor_city():
    return make_jurisdiction(name="Harbor City", state="WA", time_zone="America/Los_Angeles")


@pytest.fixture
def applicant(harbor_city):
    return make_user(jurisdiction=harbor_city)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_applicant_reads_the_deadline_in_the_cycles_zone_and_in_their_own(cycle, applicant, harbor_city):
    client = as_user(applicant)
    assert f"Applications close {IN_BOTH}." in page(client, reverse("home"))

    application = domain.start_application(harbor_city, cycle, applicant)
    assert "Jan 15, 2027 23:59 EST (20:59 PST in Harbor City)" in page(client, reverse("home"))
    assert f"Deadline {IN_BOTH}." in page(client, reverse("application_detail", args=[application.pk]))


def test_a_jurisdiction_in_the_cycles_zone_reads_it_once():
    cycle = closing(DEADLINE, "America/New_York")
    same_clock = make_jurisdiction(name="Kingston", state="ON", country="Canada", time_zone="America/Toronto")
    assert deadline_text(cycle.closes_at, cycle.time_zone, same_clock) == "January 15, 2027 at 23:59 EST"
    # Past midnight there: the date is said again.
    far = make_jurisdiction(name="Far Away", time_zone="Pacific/Auckland")
    assert deadline_text(cycle.closes_at, cycle.time_zone, far) == (
        "January 15, 2027 at 23:59 EST (January 16, 2027 at 17:59 NZDT in Far Away)"
    )
    # Zones without a letter abbreviation name their offset.
    assert in_zone(cycle.closes_at, "Asia/Dubai") == "January 16, 2027 at 08:59 UTC+04"


def test_the_organizer_reads_each_deadline_in_its_cycles_zone(harbor_city, applicant):
    cycle = closing(datetime(2027, 1, 15, 23, 59, tzinfo=ZoneInfo("America/Chicago")), "America/Chicago")
    domain.start_application(harbor_city, cycle, applicant)
    html = page(as_user(make_organizer()), reverse("home"))
    # The cycles table and the open applications' table: the Central clock, said so, not New York's 00:59.
    assert html.count("Jan 15, 2027 23:59 CST") == 2
    assert "Jan 16, 2027 00:59" not in html


def test_an_extension_is_entered_in_a_named_zone_and_shown_back_with_it(cycle, harbor_city, applicant):
    application = domain.start_application(harbor_city, cycle, applicant)
    organizer = as_user(make_organizer())
    url = reverse("application_detail", args=[application.pk])
    form = page(organizer, url)
    assert '<option value="America/Los_Angeles" selected>' in form  # the jurisdiction's zone, preselected
    assert "Allow submission until (date and time in America/Los_Angeles)" in form

    response = organizer.post(
        reverse("grant_extension", args=[application.pk]), {"zone": "America/Los_Angeles", "until": "2027-01-20T17:00"}
    )
    assert response.status_code == 302
    stored = Application.objects.get(pk=application.pk).extension_until
    assert stored == datetime(2027, 1, 21, 1, 0, tzinfo=UTC)

    shown = "January 20, 2027 at 20:00 EST (17:00 PST in Harbor City)"
    assert f"Deadline {shown} (extended)." in page(as_user(applicant), url)
    summary = AuditEvent.objects.get(action="application.extension").summary
    assert summary == f"Extension granted until {shown}"
    assert f"Extension granted until {shown}" in page(organizer, url)


def test_an_extension_in_another_zone_or_none_named(cycle, harbor_city, applicant):
    application = domain.start_application(harbor_city, cycle, applicant)
    organizer = as_user(make_organizer())
    extend = reverse("grant_extension", args=[application.pk])

    organizer.post(extend, {"zone": "America/Chicago", "until": "2027-01-20T17:00"})
    assert Application.objects.get(pk=application.pk).extension_until == datetime(2027, 1, 20, 23, 0, tzinfo=UTC)
    organizer.post(extend, {"until": "2027-01-22T17:00"})  # no zone sent: the jurisdiction's
    assert Application.objects.get(pk=application.pk).extension_until == datetime(2027, 1, 23, 1, 0, tzinfo=UTC)

    response = organizer.post(extend, {"zone": "Mars/Olympus_Mons", "until": "2027-01-25T17:00"}, follow=True)
    assert any("not one of the available choices" in str(m) for m in response.context["messages"])
    # 2:30 on the spring-forward night does not exist in Los Angeles.
    response = organizer.post(extend, {"zone": "America/Los_Angeles", "until": "2027-03-14T02:30"}, follow=True)
    assert any("America/Los_Angeles" in str(m) and "may not exist" in str(m) for m in response.context["messages"])
    assert Application.objects.get(pk=application.pk).extension_until == datetime(2027, 1, 23, 1, 0, tzinfo=UTC)


def test_the_refusal_after_the_deadline_names_the_zone(cycle, harbor_city, applicant):
    application = domain.start_application(harbor_city, cycle, applicant)
    domain.save_draft(application, wizard_state(COMPLETE), applicant, application.version)
    with pytest.raises(domain.NotEditable) as refused:
        domain.submit_application(application, applicant, now=DEADLINE + timedelta(minutes=5))
    assert str(refused.value) == f"The deadline for 2026–2028 was {IN_BOTH}. Ask the organizers for an extension."


def test_the_receipt_gives_the_time_on_the_jurisdictions_clock(
    cycle, harbor_city, applicant, django_capture_on_commit_callbacks
):
    application = domain.start_application(harbor_city, cycle, applicant)
    domain.save_draft(application, wizard_state(COMPLETE), applicant, application.version)
    with django_capture_on_commit_callbacks(execute=True):
        domain.submit_application(application, applicant)
    (receipt,) = mail.outbox
    assert "on December 1, 2026 at 09:00 PST." in receipt.body  # 17:00 UTC


def test_review_deadlines_name_their_zone(harbor_city, applicant, django_capture_on_commit_callbacks):
    cycle = closing(NOW + timedelta(days=1), "America/Los_Angeles")
    config = settings_for(cycle)
    config.review_deadline = datetime(2027, 2, 1, 17, 0, tzinfo=LOS_ANGELES)
    config.save()
    application = domain.start_application(harbor_city, cycle, applicant)
    domain.save_draft(application, wizard_state(COMPLETE), applicant, application.version)
    application = domain.submit_application(application, applicant)
    reviewer = make_reviewer(email="ada@example.gov")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign(application, reviewer, make_organizer())
    assert "The review deadline is February 1, 2027 at 17:00 PST." in mail.outbox[0].body

    assert "Feb 1, 2027 17:00 PST" in page(as_user(reviewer), reverse("home"))

    mail.outbox.clear()
    assert send_reminders(now=config.review_deadline - timedelta(days=1)) == 1
    assert mail.outbox[0].subject == "Reminder: 1 review due February 1, 2027 at 17:00 PST"


def test_publishing_says_the_deadline_with_its_zone(cycle):
    plan = publication_plan(cycle)
    assert any("the deadline is January 15, 2027 at 23:59 EST" in blocker for blocker in plan.blockers)


def test_the_organizer_gives_a_jurisdiction_any_iana_zone():
    data = {"name": "Whitehorse", "kind": "city", "state": "YT", "country": "Canada", "population": "28000"}
    form = JurisdictionForm(data | {"time_zone": "America/Whitehorse"})
    assert form.is_valid(), form.errors
    assert form.save().time_zone == "America/Whitehorse"
    assert not JurisdictionForm(data | {"name": "Elsewhere", "time_zone": "America/Atlantis"}).is_valid()
    html = str(JurisdictionForm()["time_zone"])
    assert html.index("America/Los_Angeles") < html.index("Africa/Abidjan")  # North America first
    assert Jurisdiction(name="x").time_zone == "America/New_York"  # TIME_ZONE unless chosen


def test_a_cycles_dates_are_typed_in_its_zone(settings):
    Form = modelform_factory(
        Cycle, form=CycleForm, fields=["name", "opens_at", "closes_at", "time_zone", "status", "valid_from"]
    )
    data = {
        "name": "2027–2029",
        "opens_at": "2027-01-04 09:00",
        "closes_at": "2027-03-31 23:59",
        "time_zone": "America/Denver",
        "status": "upcoming",
        "valid_from": "2027-07-01",
    }
    form = Form(data)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.closes_at == datetime(2027, 4, 1, 5, 59, tzinfo=UTC)  # 23:59 MDT
    # Shown back on the same clock.
    assert Form(instance=saved)["closes_at"].value() == datetime(2027, 3, 31, 23, 59)
    assert not {"opens_at", "closes_at"} & set(Form(data, instance=saved).changed_data)
    assert "closes_at" in Form(data | {"closes_at": "2027-03-31 22:59"}, instance=saved).changed_data


def test_the_admin_sets_a_cycles_deadline_in_the_zone_chosen():
    client = as_user(make_organizer(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:assessment_cycle_add"),
        {
            "name": "2027–2029",
            "opens_at_0": "2027-01-04",
            "opens_at_1": "09:00",
            "closes_at_0": "2027-01-15",
            "closes_at_1": "23:59",
            "time_zone": "America/Los_Angeles",
            "status": "upcoming",
            "valid_from": "2027-07-01",
            "valid_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cycle = Cycle.objects.get(name="2027–2029")
    assert cycle.closes_at == datetime(2027, 1, 16, 7, 59, tzinfo=UTC)  # 23:59 PST
    html = page(client, reverse("admin:assessment_cycle_change", args=[cycle.pk]))
    assert 'value="23:59:00"' in html or 'value="23:59"' in html


def test_the_panels_deadlines_are_typed_on_the_cycles_clock(cycle):
    cycle.time_zone = "America/Los_Angeles"
    cycle.save(update_fields=["time_zone"])
    client = as_user(make_organizer())
    page = client.get(reverse("panel_cycle", args=[cycle.pk])).content.decode()
    assert "(date and time in America/Los_Angeles)" in page
    response = client.post(
        reverse("panel_cycle", args=[cycle.pk]),
        {
            "reviewers_per_application": "2",
            "max_per_reviewer": "8",
            "review_deadline": "2027-02-01T17:00",
            "appeal_deadline": "2027-03-01T09:30",
            "disagreement_margin": "10",
            "divergence_margin": "2",
        },
    )
    assert response.status_code == 302
    config = settings_for(cycle)
    assert config.review_deadline == datetime(2027, 2, 2, 1, 0, tzinfo=UTC)
    assert config.appeal_deadline == datetime(2027, 3, 1, 17, 30, tzinfo=UTC)
    page = client.get(reverse("panel_cycle", args=[cycle.pk])).content.decode()
    assert 'value="2027-02-01T17:00"' in page  # shown back on the same clock
