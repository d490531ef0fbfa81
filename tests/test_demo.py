"""The demo data: `manage.py load_demo` (``review.demo`` on top of ``assessment.demo``)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.urls import reverse
from django.utils import timezone

from assessment import demo, demo_data, domain
from assessment.forms import STEPS
from assessment.models import POPULATION_BANDS, Application, AuditEvent, Cycle, Jurisdiction, User
from review.assignment import assign
from review.clarifications import ask_clarification
from review.models import Appeal, Assignment, Certificate, Clarification, Decision, Review
from tests.factories import sign_in
from tests.factories.demo import application_of, load, loaded_then_rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_settings(settings):
    # pytest-django runs tests with DEBUG off, as production does.
    settings.DEMO = True


@pytest.fixture
def loaded():
    return load()


def counts():
    models = (
        Cycle,
        Jurisdiction,
        User,
        Application,
        AuditEvent,
        Assignment,
        Review,
        Clarification,
        Decision,
        Appeal,
        Certificate,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="class")
def loaded_once(django_db_setup, django_db_blocker):
    yield from loaded_then_rolled_back(django_db_blocker)


@pytest.mark.usefixtures("loaded_once")
class TestTheLoadedDemo:
    """What one load creates; the tests share it (see loaded_once) and change nothing that outlives them."""

    def test_it_creates_applications_in_every_state(self, loaded_once):
        assert demo.summary() == {
            "2026–2028": {"draft": 5, "submitted": 6},
            "2025–2027": {"draft": 0, "submitted": 7},
            "2024–2026": {"draft": 0, "submitted": 2},
            "2013–2015": {"draft": 0, "submitted": 13},
        }
        assert "2026–2028: 5 draft, 6 submitted" in loaded_once
        assert "2013–2015: 13 submitted" in loaded_once
        assert (
            "Review panel: 18 assignments (1 not started, 2 drafts, 15 submitted), 4 decisions (2 published), "
            "2 questions (1 open), 1 appeal pending."
        ) in loaded_once
        assert list(Cycle.objects.filter(is_demo=True).values_list("name", "status")) == [
            ("2026–2028", "open"),
            ("2025–2027", "review"),
            ("2024–2026", "published"),
            ("2013–2015", "published"),
        ]
        in_review = Cycle.objects.get(name="2025–2027")
        assert not in_review.is_accepting() and in_review.closes_at < Cycle.objects.get(name="2026–2028").opens_at
        # Riverton has not started yet: it will start from its 2024–2026 application.
        assert not Application.objects.filter(jurisdiction__name="Demo: Riverton", cycle__name="2026–2028").exists()

    def test_the_open_cycle_is_accepting_and_closes_in_45_days(self):
        cycle = Cycle.objects.get(name=demo_data.OPEN_CYCLE)
        assert cycle.is_accepting()
        today = timezone.localdate()
        assert timezone.localdate(cycle.opens_at) == today - timedelta(days=30)
        assert timezone.localdate(cycle.closes_at) == today + timedelta(days=45)
        assert str(cycle.valid_from) == "2027-01-01"

    def test_demo_jurisdictions_cover_every_kind_and_population_band(self):
        places = Jurisdiction.objects.filter(name__startswith="Demo: ")
        assert places.count() == 18
        assert {p.kind for p in places} == set(Jurisdiction.Kind.values)
        assert {p.population_band for p in places} == {label for _lower, label in POPULATION_BANDS}
        assert len({p.state for p in places}) >= 8
        cities_in_cedar = Jurisdiction.objects.filter(county__name="Demo: Cedar County").values_list("name", flat=True)
        assert sorted(cities_in_cedar) == ["Demo: Harbor City", "Demo: Port Alder"]

    def test_the_thirteen_2013_designees_are_recorded_as_designated(self):
        cycle = Cycle.objects.get(name="2013–2015")
        assert (str(cycle.valid_from), str(cycle.valid_until)) == ("2013-10-14", "2015-10-14")
        assert cycle.closes_at.year == 2013
        designated = AuditEvent.objects.filter(action="application.designated").select_related(
            "application__jurisdiction"
        )
        assert sorted(str(event.application.jurisdiction) for event in designated) == sorted(
            [
                "City of Chesapeake, VA",
                "City of Dallas, TX",
                "Washington, DC",
                "City of Durham, NC",
                "City of Kansas City, MO",
                "City of Minneapolis, MN",
                "City of Philadelphia, PA",
                "City of San Antonio, TX",
                "City of Santa Monica, CA",
                "City of Winston-Salem, NC",
                "City and County of San Francisco, CA",
                "Pinellas County, FL",
                "Montgomery County, MD",
            ]
        )
        assert {event.summary for event in designated} == {
            "Designated 2013–2015 (recorded from the PTI announcement of September 25, 2013)"
        }
        assert {event.application.status for event in designated} == {"submitted"}
        assert {event.application.submitted_at.year for event in designated} == {2013}
        assert [str(d) for d in demo_data.DESIGNEES_2013_2015][:3] == [
            "City of Chesapeake, VA",
            "City of Dallas, TX",
            "Washington, DC",
        ]

    def test_the_designees_answers_match_the_announcement(self):
        answers = [a.answers for a in Application.objects.filter(cycle__name="2013–2015")]
        assert all({"live_phone", "ivr", "web_form", "mobile_app"} <= set(a["channels"]["channels"]) for a in answers)
        assert all(
            {"telephony", "work_management", "gis", "knowledge_base"} <= set(a["technology"]["crm_integrations"])
            for a in answers
        )
        assert {len(a["metrics"]) for a in answers} <= set(range(5, 15))
        assert min(len(a["metrics"]) for a in answers) == 5
        assert max(len(a["metrics"]) for a in answers) == 14
        assert all(len(a["channels"]["self_service"]) >= 5 for a in answers)
        assert sum(a["planning"]["technology_plan"] and a["accountability"]["written_slas"] for a in answers) == 11
        assert 0 < sum(a["workforce"]["remote_call_takers"] for a in answers) < 13
        assert sum("voice_recognition" in a["channels"]["channels"] for a in answers) == 0
        assert sum("web_chat" in a["channels"]["channels"] for a in answers) == 1
        assert all(a["participation"]["social_takes_requests"] for a in answers)

    @pytest.mark.parametrize("name", ["Demo: Bayport", "Demo: Cedar County"])
    def test_strong_applications_have_no_problems(self, name):
        state = application_of(name).wizard_state
        assert domain.problems_in(state) == []
        for step, _form in STEPS:
            assert domain.bind_step(step, state["step_data"][step]).is_valid(), step
        answers = domain.answers_from_state(state)
        assert answers["profile"]["crm_tracks_cases"] is True
        assert len(answers["metrics"]) >= 9

    def test_every_submitted_application_is_complete(self):
        submitted = Application.objects.filter(status="submitted")
        assert submitted.count() == 28
        for application in submitted:
            assert domain.problems_in(application.wizard_state) == [], application

    def test_the_weak_application_fails_the_crm_prerequisite(self):
        application = application_of("Demo: Sandy Creek")
        assert application.status == "submitted"
        assert application.answers["profile"]["crm_tracks_cases"] is False
        assert "web_form" not in application.answers["channels"]["channels"]
        assert len(application.answers["metrics"]) == 3

    def test_drafts_keep_what_was_typed_even_when_invalid(self):
        application = application_of("Demo: Lake Tamsin")
        assert application.wizard_state["step"] == "performance"
        assert application.wizard_state["step_data"]["performance"]["performance-asa_seconds"] == ["about 40"]
        assert "asa_seconds" not in application.answers["performance"]
        assert application.answers["performance"]["service_level_pct"] == 80.0
        problems = domain.problems_in(application.wizard_state)
        assert {"step": "performance", "field": "Average speed of answer (seconds)"} in [
            {"step": p["step"], "field": p["field"]} for p in problems
        ]

    def test_drafts_are_at_different_stages(self):
        steps_typed = {
            # jsonb (PostgreSQL) keeps no key order: compare the sets of steps.
            name: set(application_of(name).wizard_state["step_data"])
            for name in ("Demo: Millbrook", "Demo: Copper Mesa", "Demo: Lake Tamsin", "Demo: Port Alder")
        }
        assert steps_typed["Demo: Millbrook"] == {"profile"}
        assert steps_typed["Demo: Copper Mesa"] == {"profile", "channels", "technology"}
        assert steps_typed["Demo: Lake Tamsin"] == {"profile", "channels", "technology", "metrics", "performance"}
        assert len(steps_typed["Demo: Port Alder"]) == 8

    def test_the_nearly_complete_draft_lacks_only_the_attestation(self):
        application = application_of("Demo: Harbor City")
        assert application.is_draft
        assert application.wizard_state["step"] == "review"
        assert [(p["step"], p["field"]) for p in domain.problems_in(application.wizard_state)] == [
            (
                "review",
                "I confirm, as a senior official of this jurisdiction, that the answers and documents are accurate.",
            )
        ]
        # Two colleagues worked on it.
        assert application.created_by.username == "applicant"
        assert application.updated_by.username in {"applicant", "colleague"}

    def test_one_draft_has_an_organizer_extension(self):
        application = application_of("Demo: Port Alder")
        assert application.extension_until > application.cycle.closes_at
        event = application.audit_events.get(action="application.extension")
        assert event.actor.username == "organizer"

    def test_riverton_starts_prefilled_from_its_2024_application(self):
        previous = application_of("Demo: Riverton", cycle="2024–2026")
        assert previous.status == "submitted"
        assert previous.submitted_at.year == 2024
        applicant2 = User.objects.get(username="applicant2")
        cycle = Cycle.objects.get(name=demo_data.OPEN_CYCLE)
        application = domain.start_application(applicant2.jurisdiction, cycle, applicant2, prefill=True)
        assert application.prefilled_from == previous
        expected = {step: data for step, data in previous.wizard_state["step_data"].items() if step != "review"}
        assert application.wizard_state["step_data"] == expected

    def test_the_logins_are_printed_with_their_roles(self, loaded_once):
        # Each signs in and finds its work: tests/test_demo_panel.py.
        organizer = User.objects.get(username="organizer")
        assert (organizer.role, organizer.is_staff, organizer.is_superuser) == ("organizer", True, True)
        reviewer = User.objects.get(username="reviewer")
        assert (reviewer.role, str(reviewer.jurisdiction)) == ("reviewer", "Demo: Cedar County, WA")
        assert User.objects.get(username="applicant").email == "applicant@demo.example"
        assert User.objects.get(username="colleague").jurisdiction.name == "Demo: Harbor City"
        for line in (
            "applicant   applicant  Demo: Harbor City",
            "organizer   organizer",
            "reviewer3   reviewer   Demo: Northgate County",
            "password demo-password-2026",
        ):
            assert line in loaded_once

    def test_only_the_seven_logins_can_sign_in(self):
        can_sign_in = [u.username for u in User.objects.order_by("username") if u.is_active and u.has_usable_password()]
        assert can_sign_in == [
            "applicant",
            "applicant2",
            "colleague",
            "organizer",
            "reviewer",
            "reviewer2",
            "reviewer3",
        ]

    def test_the_applicant_home_page_lists_the_draft(self, client):
        application = application_of("Demo: Harbor City")
        assert sign_in(client, "applicant", "demo-password-2026")
        response = client.get(reverse("home"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Demo: Harbor City" in page
        assert reverse("application_step", kwargs={"pk": application.pk, "step": "review"}) in page


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    output = load()
    assert counts() == before
    assert output.startswith("The demo data is already loaded; nothing changed")
    assert "applicant2" in output


def test_reset_replaces_the_demo(loaded):
    before = counts()
    old = set(Application.objects.values_list("pk", flat=True))
    output = load("--reset")
    assert "Removed the previous demo data (33 applications)." in output
    assert counts() == before
    assert old.isdisjoint(Application.objects.values_list("pk", flat=True))


def test_reset_removes_what_was_added_while_playing(loaded):
    before = counts()
    organizer = User.objects.get(username="organizer")
    bayport = application_of("Demo: Bayport")
    assign(bayport, User.objects.get(username="reviewer"), organizer)
    ask_clarification(bayport, "Which CRM do you use?", organizer)
    User.objects.create_user(
        "invited", "someone@riverton.example", jurisdiction=Jurisdiction.objects.get(name="Demo: Riverton")
    )
    load("--reset")
    assert not User.objects.filter(username="invited").exists()
    assert demo.summary()["2026–2028"] == {"draft": 5, "submitted": 6}
    assert counts() == before
    assert not Assignment.objects.filter(application__cycle__name="2026–2028").exists()


def test_it_refuses_in_production_settings(settings):
    settings.DEBUG = False
    settings.DEMO = False
    with pytest.raises(CommandError, match="never loads in production settings"):
        load()
    with pytest.raises(CommandError, match="never loads in production settings"):
        load("--reset")
    assert not Cycle.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)  # the command's own transaction commits, and its e-mails would go out
def test_debug_alone_allows_it_and_nothing_is_mailed(settings, capsys, mailoutbox):
    settings.DEBUG = True
    settings.DEMO = False
    # As in development: e-mails go to the terminal. The receipts, assignments, questions and the appeal
    # the domain sends while the demo is built go nowhere (their people are fictional).
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    output = load()
    assert demo.is_loaded()
    assert "Subject:" not in capsys.readouterr().out
    assert "Subject:" not in output
    assert mailoutbox == []


def test_it_refuses_when_a_demo_name_is_taken():
    User.objects.create_user("organizer", "real.organizer@example.gov")
    with pytest.raises(CommandError, match="user organizer"):
        load()
    assert not Cycle.objects.exists()
