"""The application's history: each reader reads only the events meant for them, in words."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from assessment import domain as applying
from assessment.audit import AUDIENCES, audit
from assessment.models import AuditEvent
from review.assignment import assign, unassign
from review.clarifications import ask_clarification
from review.decisions import decide
from review.reviewing import save_review
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.answers import COMPLETE, wizard_state

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
DICT_OF_SCORES = re.compile(r"\{'[A-H]\d+'")


@pytest.fixture
def world():
    cycle = make_cycle(name="2026–2028")
    home = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=home, first_name="Alex", last_name="Applicant")
    application = applying.start_application(home, cycle, applicant, prefill=False)
    applying.save_draft(application, wizard_state(COMPLETE), applicant, application.version)
    application = applying.submit_application(application, applicant)
    organizer = make_organizer(first_name="Olga", last_name="Organizer")
    done = make_reviewer(first_name="Sam", last_name="Rivera")
    drafting = make_reviewer(first_name="Dana", last_name="Drafter")
    leaving = make_reviewer(first_name="Lee", last_name="Leaving")
    reviews = {}
    for reviewer in (done, drafting, leaving):
        reviews[reviewer.pk] = assign(application, reviewer, organizer).review
    judged = {"D7": 3, "F6": 2, "H3": 2}
    save_review(reviews[drafting.pk], drafting, 1, {"D7": 1}, {}, "Draft words", "Draft notes")
    save_review(reviews[done.pk], done, 1, judged, {}, "Well run", "Private view", submit=True)
    unassign(reviews[leaving.pk].assignment, organizer, "Took a job with the city")
    ask_clarification(application, "Is the line staffed on Saturdays?", done)
    decide(application, "designated", "Designated", "Strong in every category.", organizer, "Level agreed")
    return {
        "application": application,
        "applicant": applicant,
        "colleague": make_user(jurisdiction=home),
        "organizer": organizer,
        "done": done,
        "drafting": drafting,
    }


def history_of(user, application):
    client = Client()
    client.force_login(user)
    page = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    return " ".join(page.split("<h2>History</h2>", 1)[1].split())


def test_applicants_read_what_concerns_them_and_never_the_panel(world):
    for person in (world["applicant"], world["colleague"]):
        history = history_of(person, world["application"])
        assert "Alex Applicant: Submitted the 2026–2028 application" in history
        assert "A reviewer: Asked: Is the line staffed on Saturdays?" in history
        for secret in (
            "Sam",
            "Rivera",
            "Dana",
            "Lee Leaving",
            "Olga",
            "a review",
            "Assigned",
            "Recorded the decision",
            "job",
        ):
            assert secret not in history, secret


def test_a_reviewer_who_has_not_submitted_reads_no_other_reviewer(world):
    history = history_of(world["drafting"], world["application"])
    assert "Submitted the 2026–2028 application" in history
    assert "A reviewer: Asked" in history
    for secret in ("Sam", "Rivera", "Submitted a review", "Recorded the decision", "Took a job", "Lee Leaving"):
        assert secret not in history, secret


def test_a_reviewer_who_submitted_reads_the_panel_but_not_the_organizers_notes(world):
    history = history_of(world["done"], world["application"])
    assert "Sam Rivera: Submitted a review" in history
    assert "Olga Organizer: Assigned Dana Drafter to review" in history
    assert "Recorded the decision: Designated — Designated" in history
    assert "Saved a review draft" not in history  # another reviewer's drafts stay theirs
    assert "Took a job with the city" not in history  # why someone left the panel: organizers only


def test_organizers_read_every_event_in_words(world):
    history = history_of(world["organizer"], world["application"])
    assert "Dana Drafter: Saved a review draft" in history
    assert "Sam Rivera: Submitted a review" in history
    assert "Took Lee Leaving off: Took a job with the city" in history
    assert not DICT_OF_SCORES.search(history)
    # The scores stay in the record, for the organizers' export and the admin.
    submitted = AuditEvent.objects.get(action="review.submitted")
    assert submitted.data["judged"] == {"D7": 3, "F6": 2, "H3": 2}
    assert submitted.audience == AuditEvent.Audience.PANEL


def test_an_action_without_an_audience_is_refused(world):
    with pytest.raises(ValueError, match="has no audience"):
        audit(world["organizer"], "review.leaked", "Anything", world["application"])


def test_every_audited_action_in_the_code_has_an_audience():
    actions = set()
    for path in list(ROOT.glob("*/*.py")) + list(ROOT.glob("*/*/*.py")):
        if path.parts[-2] in {"tests", "migrations"} or ".venv" in path.parts:
            continue
        text = path.read_text()
        actions |= set(re.findall(r"audit\(\s*\w+,\s*\"([a-z_]+\.[a-z_]+)\"", text))
    assert actions, "found no audit calls: the pattern no longer matches the code"
    assert sorted(actions - set(AUDIENCES)) == []
