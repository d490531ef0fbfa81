"""The demo's review panel at work (``review.demo``): every login finds something waiting for it."""

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import demo_data
from assessment.models import Cycle, User
from review import certificates
from review.decisions import publication_plan
from review.models import Appeal, Assignment, Certificate, Clarification, Decision, Review, settings_for
from review.queries import cycle_panel
from tests.factories import sign_in
from tests.factories.demo import application_of, loaded_then_rolled_back

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent / "README.md"
IN_REVIEW = demo_data.REVIEW_CYCLE  # 2025–2027
EARLIER = demo_data.EARLIER_CYCLE  # 2024–2026


def reviews_of(username, cycle=IN_REVIEW):
    """{jurisdiction: "not started", "draft" or "submitted"} of the reviewer's assignments in the cycle."""
    states = {}
    for assignment in Assignment.objects.filter(
        reviewer__username=username, active=True, application__cycle__name=cycle
    ).select_related("application__jurisdiction", "review"):
        review = assignment.review
        state = "submitted" if review.is_submitted else "draft" if review.version > 1 else "not started"
        states[assignment.application.jurisdiction.name] = state
    return states


def panel(cycle=IN_REVIEW):
    return cycle_panel(Cycle.objects.get(name=cycle))


def rows():
    return {row["application"].jurisdiction.name: row for row in panel()["rows"]}


def home(client, username):
    assert sign_in(client, username, demo_data.PASSWORD), username
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(scope="class")
def loaded_once(django_db_setup, django_db_blocker):
    yield from loaded_then_rolled_back(django_db_blocker)


@pytest.mark.usefixtures("loaded_once")
class TestThePanelAtWork:
    """The panel's part of one load; the tests share it and change nothing that outlives them."""

    def test_three_reviewers_sign_in_and_one_more_has_no_login(self):
        reviewers = User.objects.filter(role=User.Role.REVIEWER, email__endswith="@demo.example")
        assert sorted(u.username for u in reviewers if u.has_usable_password()) == [
            "reviewer",
            "reviewer2",
            "reviewer3",
        ]
        assert [u.username for u in reviewers if not u.has_usable_password()] == ["demo-reviewer-ortiz"]

    def test_the_demo_reviewer_has_a_review_to_start_one_to_finish_and_one_done(self):
        assert reviews_of("reviewer") == {
            "Demo: Kingsford": "submitted",
            "Demo: Maple Ridge": "not started",
            "Demo: Silver Lake County": "draft",
        }
        assert reviews_of("reviewer", EARLIER) == {"Demo: Riverton": "submitted"}
        # Never assigned where conflicted: Cedar County and its cities.
        assert not Assignment.objects.filter(
            reviewer__username="reviewer",
            application__jurisdiction__name__in=("Demo: Cedar County", "Demo: Harbor City", "Demo: Port Alder"),
        ).exists()

    def test_every_application_in_review_has_two_reviewers(self):
        assert {name: len(row["assignments"]) for name, row in rows().items()} == {
            name: 2
            for name in (
                "Demo: Eastport",
                "Demo: Harbor City",
                "Demo: Kingsford",
                "Demo: Maple Ridge",
                "Demo: Silver Lake County",
                "Demo: Three Rivers",
                "Demo: Westbrook",
            )
        }
        assert reviews_of("reviewer2") == dict.fromkeys(
            ("Demo: Eastport", "Demo: Harbor City", "Demo: Kingsford", "Demo: Westbrook"), "submitted"
        )
        assert reviews_of("reviewer3")["Demo: Harbor City"] == "draft"

    def test_westbrooks_reviewers_disagree_by_more_than_the_margin(self):
        margin = settings_for(Cycle.objects.get(name=IN_REVIEW)).disagreement_margin
        westbrook = rows()["Demo: Westbrook"]
        assert westbrook["reviews_done"] == 2
        assert westbrook["spread"] == 15 > margin
        assert [name for name, row in rows().items() if row["disagree"]] == ["Demo: Westbrook"]

    def test_the_lenient_and_the_harsh_reviewer_lean_opposite_ways(self):
        figures = panel()
        leniency = {r["reviewer"].username: r["leniency"] for r in figures["reviewers"]}
        assert leniency["reviewer2"] > 0 > leniency["reviewer3"]
        assert 0 < figures["agreement"] < 100

    def test_normalising_would_change_two_decisions(self):
        changed = {name for name, row in rows().items() if row["normalisation_changes"]}
        decided = {name for name, row in rows().items() if row["decision"]}
        assert decided == {"Demo: Kingsford", "Demo: Three Rivers"}
        assert changed == decided | {"Demo: Harbor City"}

    def test_the_organizer_reads_it_all_on_the_panel_page(self, client):
        client.force_login(User.objects.get(username="organizer"))
        page = client.get(reverse("panel_cycle", args=[Cycle.objects.get(name=IN_REVIEW).pk])).content.decode()
        assert page.count("reviewers disagree</span>") == 1
        assert "decision would change</span>" in page
        assert "normalising the reviewers' totals would change the level of 3 of them" in page
        for name in ("Robin Okafor", "Avery Sato", "Dev Kowalczyk", "Jamie Ortiz"):
            assert name in page

    def test_harbor_city_answered_one_question_and_one_waits_for_it(self):
        harbor = application_of("Demo: Harbor City", IN_REVIEW)
        thread = [
            (q.asked_by.username, q.answered_by.username if q.answered_by else None)
            for q in Clarification.objects.filter(application=harbor).order_by("asked_at", "pk")
        ]
        assert thread == [("reviewer2", "colleague"), ("reviewer3", None)]

    def test_two_decisions_are_recorded_not_published_and_one_waits(self):
        cycle = Cycle.objects.get(name=IN_REVIEW)
        current = Decision.objects.filter(application__cycle=cycle, superseded_at=None)
        assert sorted((d.application.jurisdiction.name, d.published_at) for d in current) == [
            ("Demo: Kingsford", None),
            ("Demo: Three Rivers", None),
        ]
        plan = publication_plan(cycle)
        assert len(plan.decisions) == 2
        assert "5 submitted applications have no decision yet" in " ".join(plan.blockers)
        eastport = rows()["Demo: Eastport"]
        assert (eastport["reviews_done"], eastport["decision"]) == (2, None)

    def test_the_earlier_cycle_is_published_and_appealed(self):
        riverton = application_of("Demo: Riverton", EARLIER)
        assert riverton.cycle.status == Cycle.Status.PUBLISHED
        published = Decision.objects.filter(application__cycle=riverton.cycle, superseded_at=None)
        assert sorted((d.application.jurisdiction.name, d.outcome, d.level) for d in published) == [
            ("Demo: Bayport", "designated", "Designated with Distinction"),
            ("Demo: Riverton", "not_designated", ""),
        ]
        assert len({d.published_at for d in published}) == 1  # published together
        assert reviews_of("reviewer2", EARLIER) == {"Demo: Bayport": "submitted"}
        assert reviews_of("demo-reviewer-ortiz", EARLIER) == dict.fromkeys(
            ("Demo: Bayport", "Demo: Riverton"), "submitted"
        )
        decision = Decision.objects.get(application=riverton, superseded_at=None)
        assert (decision.outcome, decision.published_at is not None) == ("not_designated", True)
        assert Review.objects.filter(assignment__application=riverton, status="submitted").count() == 2
        appeal = Appeal.objects.get(application=riverton)
        assert (appeal.outcome, appeal.filed_by.username) == ("pending", "applicant2")
        assert settings_for(riverton.cycle).appeal_deadline > timezone.now()

    def test_the_one_published_designation_has_a_certificate_anyone_can_verify(self, client, monkeypatch):
        designations = Decision.objects.filter(
            application__cycle__is_demo=True, outcome="designated", superseded_at=None
        ).exclude(published_at=None)
        bayport = application_of("Demo: Bayport", EARLIER)
        assert [d.application for d in designations] == [bayport]
        certificate = Certificate.objects.get(decision__application__cycle__is_demo=True)
        assert (certificate.decision, certificate.number) == (designations[0], "CEC-2025-0001")
        # Anyone, signed in or not. The demo's 2024–2026 designations are valid until January 1, 2027 (its
        # cycles have fixed dates), so the page is read on a day they are valid; after it, it says they expired.
        valid_day = bayport.cycle.valid_until - timedelta(days=30)
        monkeypatch.setattr(certificates, "timezone", SimpleNamespace(localdate=lambda timezone=None: valid_day))
        page = client.get(reverse("verify_certificate", args=[certificate.code])).content.decode()
        assert "This certificate is valid" in page
        assert "Demo: Bayport, CA" in page and "Designated with Distinction" in page
        # Where the README says to find the code: the seal, and the report the organizer downloads.
        seal = client.get(
            reverse("public_seal", kwargs={"cycle_id": bayport.cycle_id, "jurisdiction_id": bayport.jurisdiction_id})
        ).content.decode()
        assert f"/verify/{certificate.display_code}/" in seal
        client.force_login(User.objects.get(username="organizer"))
        page = client.get(reverse("application_detail", args=[bayport.pk])).content.decode()
        assert "Download the report and certificate (PDF)" in page

    def test_every_readme_login_signs_in_and_finds_its_work(self, client):
        table = README.read_text(encoding="utf-8").split("| user name", 1)[1].split("\n\n", 1)[0]
        assert re.findall(r"^\| `([\w-]+)`", table, re.M) == [login.username for login in demo_data.LOGINS]
        waiting = {
            "applicant": ["Question waiting for you", "Continue"],
            "colleague": ["Question waiting for you", "Continue"],
            "applicant2": ["Not designated", "Your appeal is with the organizers"],
            "reviewer": ["Demo: Maple Ridge", "Not started", "Demo: Silver Lake County", "Draft", "Submitted"],
            "reviewer2": ["Demo: Westbrook", "Submitted"],
            "reviewer3": ["Demo: Harbor City", "Draft"],
            "organizer": ["Appeals waiting for you", "Demo: Riverton", IN_REVIEW],
        }
        assert list(waiting) == [login.username for login in demo_data.LOGINS]
        for username, words in waiting.items():
            page = home(client, username)
            for word in words:
                assert word in page, (username, word)
            client.logout()
