"""No input to any form or POST endpoint gives a server error, and refused input changes nothing saved.

The wizard's steps are in tests/test_wizard_fuzz.py. Covered here, each as the role that uses it:

- review: ReviewForm (review_edit), the conflict declaration (review_conflict), QuestionForm
  (clarification_ask), AnswerForm with a PDF (clarification_answer), PanelSettingsForm (panel_cycle,
  then automatic assignment and the bulk decision on what was saved), AssignForm (panel_assign),
  panel_unassign, DecisionForm (panel_decide), AppealForm (appeal_file), AppealOutcomeForm (appeal_decide);
- assessment: ExtensionForm (grant_extension), EvidenceUploadForm (document_upload: hostile file names,
  damaged PDFs), JurisdictionForm (jurisdiction_create), InvitationForm (invite), application_start;
- signing in: SignInForm (login, with ``next``), AdminSignInForm (admin:login), the password reset,
  choosing a password from an invitation or a reset link;
- the admin: the rubric with its levels, categories and criteria (scoring/admin.py), CycleForm;
- query strings of list, export and public pages.

Each example starts from the same saved state (its writes are rolled back), so "nothing saved is lost"
is checked against one snapshot. Bodies come from ``hypothesis.extra.django.from_form`` where there is a
form; a few fields are then dropped, sent twice or replaced by hostile text (NUL, control and odd Unicode,
huge or negative numbers, impossible dates, values at the edge of each kind of field). Inputs that once
gave server errors are also tried every time. ``test_every_form_class_is_covered`` fails when a new Form
class in the apps has no test here.
"""

import functools
import importlib
import io
import pkgutil
from contextlib import contextmanager
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from assessment import domain as applying
from assessment.admin import AdminSignInForm, CycleForm
from assessment.forms import EvidenceUploadForm, SignInForm
from assessment.invitations import InvitationForm, JurisdictionForm, invitation_token_generator
from assessment.models import Application, EvidenceDocument, Invitation, Jurisdiction, User
from assessment.views import ExtensionForm
from review.assignment import assign
from review.clarifications import ask_clarification
from review.decisions import decide, publish_decisions
from review.forms import (
    AnswerForm,
    AppealForm,
    AppealOutcomeForm,
    AssignForm,
    DecisionForm,
    PanelSettingsForm,
    QuestionForm,
    ReviewForm,
)
from review.models import Appeal, Assignment, Clarification, Decision, DeclaredConflict, Review, settings_for
from review.queries import application_panel, current_decision, suggestion
from review.reviewing import save_review
from scoring.models import Rubric
from scoring.rules import RULE_KINDS
from tests.factories import (
    PASSWORD,
    as_user,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
    pdf_bytes,
)
from tests.factories.answers import COMPLETE, wizard_state
from tests.factories.applications import submitted
from tests.factories.reviews import FULL

fuzz = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- Hostile input ----------------------------------------------------------------------------------

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x0b\x0c\x1b",
    "\u202e",
    "\ufeff",
    "🙂" * 20,
    "½",
    "٣",
    "²",
    "-1",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "3,5",
    "99999999999999999999",
    "-99999999999999999999",
    "9" * 400,
    "9" * 5000,
    "9999-12-31 23:59",
    "9999-12-31T23:59:59",
    "0001-01-01 00:00",
    "2026-02-30 12:00",
    "2026-03-08 02:30",  # does not exist in New York
    "2026-11-01 01:30",  # exists twice in New York
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ request }}",
    "%s%n",
    "../../etc/passwd",
    "https://evil.example/",
    "//evil.example",
    "x" * 301,
    "x" * 20000,
    "a@b",
    "x" * 300 + "@example.gov",
    "yes\r\nno",
    "True",
    "on",
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(ODD),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))

# Dates and times as a browser's date picker sends them (from_form cannot infer our DeadlineField).
moments = st.datetimes(datetime(1990, 1, 1), datetime(2200, 1, 1)).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))

DROP = object()


def postable(value):
    """A form value as a browser sends it: text (a model choice by its key)."""
    if isinstance(value, list | tuple):
        return [postable(v) for v in value]
    if isinstance(value, Model):
        return str(value.pk)
    return str(value)


def spoil(data, body, names, edges=None, most=4):
    """A few of ``names`` dropped, sent twice or replaced by hostile text; the rest of ``body`` as it was.

    ``edges`` are strategies of values at the edge of what a field accepts, by field name.
    """
    for name in data.draw(st.lists(st.sampled_from(sorted(names)), unique=True, max_size=most), label="spoiled"):
        change = data.draw(st.one_of([st.just(DROP), hostile_value, *([edges[name]] if name in (edges or {}) else [])]))
        if change is DROP:
            body.pop(name, None)
        else:
            body[name] = change
    return body


# Text that databases treat differently: PostgreSQL refuses NUL and enforces lengths, SQLite does neither.
TEXT_EDGES = ["\x00", "a\x00b", "x" * 301, "x" * 20000, " \t ", "\u202e\u0301"]
text_edges = st.sampled_from(TEXT_EDGES)

# Values at the edges of what each kind of field accepts (DecimalField is an IntegerField: it comes first).
EDGES = {
    forms.DecimalField: ["-0.01", "1000", "999.995", "1E+400", "1e-400", "sNaN", "-Infinity", "9" * 400],
    forms.IntegerField: ["-1", "32768", "2147483648", "9223372036854775808", "9" * 5000, "1e3", "٣", "²"],
    forms.DateTimeField: [
        "9999-12-31 23:59",
        "9999-12-31T23:59:59-12:00",
        "9999-12-30T23:00:00-05:00",
        "0001-01-01 00:00",
        "0001-01-01T00:00:00+14:00",
        "2026-03-08 02:30",
        "2026-11-01 01:30",
        "2026-02-30 12:00",
    ],
    forms.EmailField: [
        "x" * 150 + "@example.gov",
        "x" * 64 + "@" + "a" * 63 + "." + "b" * 63 + ".example.gov",
        "a\x00@b.gov",
    ],
    forms.CharField: TEXT_EDGES,
}


def edges_for(form):
    found = {}
    for name, field in form.fields.items():
        kind = next((kind for kind in EDGES if isinstance(field, kind)), None)
        if kind:
            found[name] = st.sampled_from(EDGES[kind])
    return found


def form_body(data, form_class, extra=None, form_kwargs=None, **strategies):
    """A body the form accepts (usually), with the ``extra`` fields the view reads, then spoiled field by field."""
    form = data.draw(from_form(form_class, form_kwargs=form_kwargs, **strategies), label=form_class.__name__)
    body = {name: postable(value) for name, value in form.data.items() if value is not None} | (extra or {})
    unbound = form_class(**(form_kwargs or {}))
    return spoil(data, body, set(unbound.fields) | set(body), edges=edges_for(unbound))


# --- Helpers ---------------------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """Each example starts from the same saved state: whatever it wrote is undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def post(client, url, body, **kwargs):
    """POST as a fresh page would: no message left over from an earlier example."""
    client.cookies.pop("messages", None)
    return client.post(url, body, **kwargs)


def told(response):
    """The messages the request left for the user."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def sent(body, name):
    """The value a view reads from a field: the last one when it is sent twice."""
    value = body.get(name, "")
    return value[-1] if isinstance(value, list) else value


def answered(response, *statuses):
    """No server error: the status is one the view means; returns what the user is told.

    A page rendered in answer shows every message; after a redirect the next page shows them
    (the pages after redirects are too slow to fetch for every example).
    """
    assert response.status_code in (statuses or (302,)), response.status_code
    messages = told(response)
    if response.status_code == 200:
        html = response.content.decode()
        for message in messages:
            assert escape(message) in html
    return messages


class World(SimpleNamespace):
    def __repr__(self):
        return "world"  # not the whole namespace in every failing example


@pytest.fixture
def world(db, settings, tmp_path):
    """A submitted application with one draft and one submitted review, an open question, a decision;
    a draft application of another jurisdiction; the people of each role."""
    settings.MEDIA_ROOT = tmp_path
    cycle = make_cycle(name="2026–2028")
    make_jurisdiction(name="Harbor County", kind=Jurisdiction.Kind.COUNTY)
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    applicant = application.submitted_by
    organizer = make_organizer()
    reviewer, other_reviewer, spare = make_reviewer(), make_reviewer(), make_reviewer()
    review = assign(application, reviewer, organizer).review
    theirs = assign(application, other_reviewer, organizer).review
    save_review(theirs, other_reviewer, theirs.version, FULL, {}, "Well evidenced.", "", submit=True)
    question = ask_clarification(application, "Which CRM do you use?", organizer)
    outcome, level = suggestion(application_panel(application)["result"])
    decide(application, outcome, level, "Meets the threshold.", organizer)
    draft_home = make_jurisdiction(name="Draftville")
    drafter = make_user(jurisdiction=draft_home)
    draft = applying.start_application(draft_home, cycle, drafter, prefill=False)
    # Signed in before any example: a session made inside an example would be rolled back with it.
    people = {"organizer": organizer, "reviewer": reviewer, "applicant": applicant, "drafter": drafter}
    return World(
        client={role: as_user(user) for role, user in people.items()},
        panel=application_panel(application),
        cycle=cycle,
        application=application,
        applicant=applicant,
        organizer=organizer,
        reviewer=reviewer,
        spare=spare,
        review=Review.objects.get(pk=review.pk),
        question=question,
        draft=draft,
        drafter=drafter,
    )


def review_row(review_id):
    return Review.objects.filter(pk=review_id).values().get()


# --- Reviewers -------------------------------------------------------------------------------------


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_review_form(world, data):
    client = world.client["reviewer"]
    url = reverse("review_edit", args=[world.review.pk])
    panel = world.panel
    before = review_row(world.review.pk)
    rubric = panel["rubric"]
    # from_form cannot infer a DecimalField without max_digits; a few adjustments, or every one needs a reason.
    rule_scored = [c for c in rubric.criteria if not c.is_judged]
    adjusted = {f"adjust_{c.code}": st.none() for c in rule_scored}
    adjusted |= {f"adjust_{c.code}": st.none() | st.decimals(0, c.points, places=2) for c in rule_scored[:3]}
    kwargs = {"rubric": rubric, "rule": panel["rule"]}
    extra = {"version": str(before["version"]), "action": data.draw(st.sampled_from(["save", "save", "submit"]))}
    body = form_body(data, ReviewForm, extra=extra, form_kwargs=kwargs, **adjusted)
    with rolled_back():
        messages = answered(post(client, url, body), 200, 302)
        after = review_row(world.review.pk)
        event("saved" if after != before else "refused")
        if after != before:
            assert after["version"] == before["version"] + 1
            assert after["comments_for_applicant"] == sent(body, "comments_for_applicant").strip()
        else:
            assert messages  # the reviewer is told why nothing was saved


@fuzz
@given(data=st.data())
def test_conflict_declaration(world, data):
    client = world.client["reviewer"]
    body = spoil(data, {"reason": "My sister works there."}, ["reason", "other"], edges={"reason": text_edges})
    with rolled_back():
        messages = answered(post(client, reverse("review_conflict", args=[world.review.pk]), body))
        declared = DeclaredConflict.objects.filter(reviewer=world.reviewer).first()
        active = Assignment.objects.get(pk=world.review.assignment_id).active
        assert (declared is None) == active
        assert len(messages) == 1
        if declared:
            assert declared.reason == sent(body, "reason").replace("\x00", "").strip() != ""


# --- Questions to the applicant ----------------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_question_to_the_applicant(world, data):
    body = form_body(data, QuestionForm)
    with rolled_back():
        response = post(world.client["organizer"], reverse("clarification_ask", args=[world.application.pk]), body)
        messages = answered(response)
        asked = Clarification.objects.filter(application=world.application).exclude(pk=world.question.pk).first()
        assert len(messages) == 1
        if asked:
            assert messages == ["Your question was sent to the applicant."]
            assert asked.question == sent(body, "question").strip()


@functools.cache
def sample_pdfs():
    """Made once: a PDF's bytes differ each time (its /ID), and examples must replay the same."""
    return pdf_bytes(2), pdf_bytes(1, password="secret")


class Upload(io.BytesIO):
    """A file posted under any name (SimpleUploadedFile refuses some); the test client sends its base name."""

    content_type = "application/pdf"

    def __init__(self, content, name):
        super().__init__(content)
        self.name = name


def pdf_upload(data):
    """A file as a browser sends it: a real, damaged, encrypted or fake PDF under a hostile name."""
    good, locked = sample_pdfs()
    damaged = st.one_of(
        st.just(locked),
        st.integers(0, len(good)).map(lambda n: good[:n]),  # cut short
        st.tuples(st.integers(0, len(good) - 1), st.binary(min_size=1, max_size=8)).map(
            lambda spot: good[: spot[0]] + spot[1] + good[spot[0] + len(spot[1]) :]  # bytes overwritten
        ),
        st.binary(max_size=200).map(lambda junk: b"%PDF-1.4\n" + junk),
        st.sampled_from([b"", b"<html>not a pdf</html>", b"\x00" * 64]),
    )
    content = data.draw(st.one_of(st.just(good), damaged), label="content")
    # Browsers send any character in a file name but quotes and line breaks, which they percent-encode.
    names = st.one_of(
        st.text(st.characters(exclude_characters='"\r\n', codec="utf-8"), min_size=1, max_size=300),
        st.sampled_from(
            ["../../etc/passwd.pdf", "C:\\Users\\me\\report.pdf", ".pdf", "\u202efdp.exe", "a" * 400 + ".pdf"]
        ),
    )
    return Upload(content, data.draw(names, label="file name"))


@fuzz
@given(data=st.data())
def test_answer_to_a_question_with_a_document(world, data):
    body = form_body(data, AnswerForm, extra={"document": pdf_upload(data)}, document=st.none())
    url = reverse("clarification_answer", args=[world.question.pk])
    documents = EvidenceDocument.objects.count()
    with rolled_back():
        messages = answered(post(world.client["applicant"], url, body))
        question = Clarification.objects.get(pk=world.question.pk)
        event("answered" if question.answered_at else "refused")
        assert messages
        if question.answered_at is None:
            assert EvidenceDocument.objects.count() == documents
        else:
            assert messages == ["Your answer was sent to the panel."]
            assert question.answer == sent(body, "answer").strip()
            assert EvidenceDocument.objects.count() == documents + (question.document is not None)


# --- The panel -----------------------------------------------------------------------------------------


def settings_row(cycle):
    return type(settings_for(cycle)).objects.filter(cycle=cycle).values().get()


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_panel_settings_then_automatic_assignment_and_bulk_decision(world, data):
    client = world.client["organizer"]
    before = settings_row(world.cycle)
    body = form_body(data, PanelSettingsForm, review_deadline=st.none() | moments, appeal_deadline=st.none() | moments)
    with rolled_back():
        response = post(client, reverse("panel_cycle", args=[world.cycle.pk]), body)
        messages = answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert "The settings were not saved" in messages[0] and settings_row(world.cycle) == before
            return
        # What was saved works: assignment, the bulk decision and the panel page.
        answered(post(client, reverse("panel_auto_assign", args=[world.cycle.pk]), {}))
        answered(post(client, reverse("panel_bulk_decide", args=[world.cycle.pk]), {"confirm": "decide"}))
        assert client.get(reverse("panel_cycle", args=[world.cycle.pk])).status_code == 200
        assert client.get(reverse("review_edit", args=[world.review.pk])).status_code in (200, 404)


@fuzz
@given(data=st.data())
def test_assigning_a_reviewer(world, data):
    choices = [str(u.pk) for u in (world.spare, world.reviewer, world.organizer, world.applicant)]
    body = spoil(data, {"reviewer": data.draw(st.sampled_from(choices))}, ["reviewer"])
    assigned = set(Assignment.objects.filter(active=True).values_list("pk", flat=True))
    with rolled_back():
        messages = answered(post(world.client["organizer"], reverse("panel_assign", args=[world.application.pk]), body))
        now = set(Assignment.objects.filter(active=True).values_list("pk", flat=True))
        assert now >= assigned and len(now - assigned) <= 1 and len(messages) == 1
        if now != assigned:
            assert Assignment.objects.get(pk=(now - assigned).pop()).reviewer == world.spare
            assert sent(body, "reviewer") == str(world.spare.pk)


@fuzz
@given(data=st.data())
def test_taking_a_reviewer_off(world, data):
    body = spoil(data, {"reason": "On leave until June."}, ["reason"], edges={"reason": text_edges})
    url = reverse("panel_unassign", args=[world.review.assignment_id])
    with rolled_back():
        messages = answered(post(world.client["organizer"], url, body))
        assignment = Assignment.objects.get(pk=world.review.assignment_id)
        assert len(messages) == 1
        if not assignment.active:
            assert assignment.end_reason == sent(body, "reason").replace("\x00", "").strip() != ""


def decision_rows(application):
    return list(Decision.objects.filter(application=application).values().order_by("pk"))


@fuzz
@given(data=st.data())
def test_deciding(world, data):
    levels = world.panel["rubric"].levels
    # The page's hidden field names the current decision: mostly as the page sends it, sometimes stale or hostile.
    current = st.sampled_from([str(current_decision(world.application).pk), ""]) | hostile_text
    body = form_body(data, DecisionForm, form_kwargs={"levels": levels}, current=current)
    before = decision_rows(world.application)
    url = reverse("panel_decide", args=[world.application.pk])
    with rolled_back():
        messages = answered(post(world.client["organizer"], url, body))
        after = decision_rows(world.application)
        assert len(messages) == 1
        event("decided" if after != before else "refused")
        if messages[0].startswith("The decision is recorded"):
            assert len(after) == len(before) + 1 and after[-1]["rationale"] == sent(body, "rationale").strip()
        else:
            assert after == before


@pytest.fixture
def published(world):
    """The cycle has closed, its decision is published and appeals are open."""
    world.cycle.closes_at = timezone.now() - timedelta(minutes=1)
    world.cycle.save(update_fields=["closes_at"])
    publish_decisions(world.cycle, world.organizer)
    config = settings_for(world.cycle)
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    return world


@fuzz
@given(data=st.data())
def test_filing_an_appeal(published, data):
    world = published
    body = form_body(data, AppealForm)
    with rolled_back():
        url = reverse("appeal_file", args=[world.application.pk])
        messages = answered(post(world.client["applicant"], url, body))
        appeal = Appeal.objects.filter(application=world.application).first()
        assert len(messages) == 1
        if appeal:
            assert appeal.statement == sent(body, "statement").strip()


@fuzz
@given(data=st.data())
def test_deciding_an_appeal(published, data):
    world = published
    appeal = Appeal.objects.get_or_create(application=world.application, statement="The SLA was overlooked.")[0]
    before = decision_rows(world.application)
    body = form_body(data, AppealOutcomeForm, form_kwargs={"levels": world.panel["rubric"].levels})
    with rolled_back():
        messages = answered(post(world.client["organizer"], reverse("appeal_decide", args=[appeal.pk]), body))
        appeal.refresh_from_db()
        after = decision_rows(world.application)
        assert len(messages) == 1
        if appeal.outcome == Appeal.Outcome.PENDING:
            assert after == before
        else:
            assert appeal.outcome_notes == sent(body, "notes").strip()
            assert len(after) == len(before) + (appeal.outcome == Appeal.Outcome.CHANGED)


# --- Applications and evidence ---------------------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_granting_an_extension(world, data):
    body = form_body(data, ExtensionForm, until=moments)
    with rolled_back():
        url = reverse("grant_extension", args=[world.draft.pk])
        messages = answered(post(world.client["organizer"], url, body))
        draft = Application.objects.get(pk=world.draft.pk)
        assert len(messages) == 1
        event("granted" if draft.extension_until else "refused")
        if draft.extension_until:
            assert messages == ["The extension was granted."] and draft.extension_until > timezone.now()
            assert world.client["organizer"].get(reverse("application_detail", args=[draft.pk])).status_code == 200


@fuzz
@given(data=st.data())
def test_uploading_evidence(world, data):
    body = {"kind": data.draw(st.sampled_from(EvidenceDocument.Kind.values)), "file": pdf_upload(data)}
    body = spoil(data, body, ["kind", "file", "other"])
    with rolled_back():
        messages = answered(post(world.client["drafter"], reverse("document_upload", args=[world.draft.pk]), body))
        document = EvidenceDocument.objects.filter(application=world.draft).first()
        event("stored" if document else "refused")
        assert messages
        if document:
            assert messages == [
                f"{document.original_name} was added ({document.pages} page{'s' if document.pages != 1 else ''})."
            ]
            assert "/" not in document.original_name and document.original_name.isprintable()


@fuzz
@given(data=st.data())
def test_starting_an_application(world, data):
    body = spoil(data, {"prefill": "yes"}, ["prefill"])
    with rolled_back():
        Application.objects.filter(pk=world.draft.pk).delete()
        response = post(world.client["drafter"], reverse("application_start", args=[world.cycle.pk]), body)
        assert response.status_code == 302
        assert Application.objects.filter(jurisdiction=world.drafter.jurisdiction).count() == 1


# --- Organizers: jurisdictions and invitations --------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_adding_a_jurisdiction(world, data):
    body = form_body(data, JurisdictionForm)
    count = Jurisdiction.objects.count()
    with rolled_back():
        response = post(world.client["organizer"], reverse("jurisdiction_create"), body)
        answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert response.context["form"].errors and Jurisdiction.objects.count() == count
        else:
            assert Jurisdiction.objects.count() == count + 1
            created = Jurisdiction.objects.order_by("-pk").first()
            assert created.name == sent(body, "name").strip()


@fuzz
@given(data=st.data())
def test_inviting_someone(world, data):
    body = form_body(data, InvitationForm)
    users = User.objects.count()
    mail.outbox.clear()
    with rolled_back():
        response = post(world.client["organizer"], reverse("invite"), body)
        answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert response.context["form"].errors and User.objects.count() == users
        else:
            invited = User.objects.get(email=sent(body, "email").strip().lower())
            assert not invited.has_usable_password() and Invitation.objects.filter(user=invited).exists()


# --- Signing in, resetting a password, accepting an invitation ----------------------------------------------


@pytest.mark.parametrize("route", ["login", "admin:login"])
@settings(fuzz, max_examples=15)
@given(data=st.data())
def test_signing_in(world, route, data):
    real = world.applicant.username
    body = {
        "username": data.draw(st.one_of(st.just(real), hostile_value), label="username"),
        "password": data.draw(st.one_of(st.just(PASSWORD), hostile_value), label="password"),
        "next": data.draw(st.one_of(st.just("/"), hostile_value), label="next"),
    }
    body = spoil(data, body, ["username", "password", "next"], edges={"username": text_edges})
    with rolled_back():
        response = post(Client(), reverse(route), body)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert (sent(body, "username"), sent(body, "password")) == (real, PASSWORD)
            assert url_has_allowed_host_and_scheme(response.url, {"testserver"})  # never to another site
        else:
            assert response.context["form"].errors


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_asking_for_a_password_reset(world, data):
    real = world.applicant.email
    body = spoil(data, {"email": data.draw(st.one_of(st.just(real), hostile_value))}, ["email"])
    mail.outbox.clear()
    with rolled_back():
        response = post(Client(), reverse("password_reset"), body)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["form"].errors
        known = response.status_code == 302 and sent(body, "email").strip().lower() == real
        assert len(mail.outbox) == (1 if known else 0)


@pytest.fixture
def invited(world):
    person = User.objects.create_user(username="dana@example.gov", email="dana@example.gov", role=User.Role.REVIEWER)
    Invitation.objects.create(user=person, invited_by=world.organizer)
    world.invited = person
    return world


@pytest.mark.parametrize("route", ["accept_invitation", "password_reset_confirm"])
@settings(fuzz, max_examples=15)
@given(data=st.data())
def test_choosing_a_password(invited, route, data):
    person = invited.invited if route == "accept_invitation" else invited.applicant
    tokens = invitation_token_generator if route == "accept_invitation" else default_token_generator
    uid, token = urlsafe_base64_encode(force_bytes(person.pk)), tokens.make_token(person)
    if data.draw(st.booleans(), label="spoil the link"):
        uid, token = (
            data.draw(st.one_of(st.just(part), hostile_text.filter(bool).map(lambda t: quote(t, safe=""))))
            for part in (uid, token)
        )
    strong = "correct horse battery staple 42"
    body = {name: data.draw(st.one_of(st.just(strong), hostile_value)) for name in ("new_password1", "new_password2")}
    body = spoil(data, body, ["new_password1", "new_password2"])
    client = Client()
    with rolled_back():
        link = client.get(reverse(route, args=["uid", "token"]).removesuffix("uid/token/") + f"{uid}/{token}/")
        assert link.status_code in (200, 302, 404)
        if link.status_code == 200:
            assert not link.context["validlink"]  # the page says the link has expired
        if link.status_code != 302:
            return
        response = post(client, link.url, body)
        assert response.status_code in (200, 302)
        person.refresh_from_db()
        if response.status_code == 302:
            assert person.check_password(sent(body, "new_password1"))
        else:
            assert response.context["form"].errors and not person.check_password(sent(body, "new_password1"))


# --- The rubric in the admin -----------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would post from a page's form: inputs, checked boxes, chosen options, text areas."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, text):
        if self._textarea:
            self.fields[self._textarea] += text


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return {name: unescape(value) for name, value in parser.fields.items()}


PARAMS_EDGES = [
    "NaN",
    "[]",
    '"text"',
    "null",
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[NaN, 2]]}',
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[1e309, 2]]}',
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[60, -1e308]]}',
    '{"field": "channels.channels", "per_choice": -1e308}',
    '{"field": "metrics", "bands": [[99999999999999999999, 5]]}',
    '{"anchors": {"0": "None", "99999999999999999999": "All"}}',
    '{"anchors": {"0": "\\u0000"}}',
    '{"field": "channels.channels", "per_choice": "x"}',
    '{"field": "channels.channels", "require": 5, "only": [[1]], "min": "five"}',
    '{"field": "performance.publication_frequency", "values": [null, 1, {}]}',
]


@pytest.fixture
def next_cycle(world):
    """A cycle nobody has submitted to yet (its rubric is not frozen), with a draft to score."""
    cycle = make_cycle(name="Next cycle", closes_in=timedelta(days=400))
    draft = applying.start_application(world.draft.jurisdiction, cycle, world.drafter, prefill=False)
    applying.save_draft(draft, wizard_state(COMPLETE), world.drafter, draft.version)
    return world, cycle, draft


@settings(fuzz, max_examples=12)
@given(data=st.data())
def test_editing_a_rubric_in_the_admin(next_cycle, data, admin_client):
    world, cycle, draft = next_cycle
    url = reverse("admin:scoring_rubric_change", args=[Rubric.objects.get(cycle=cycle).pk])
    body = form_fields(admin_client.get(url).content.decode())
    codes = {
        body[name]: name.removesuffix("-code")
        for name in body
        if name.startswith("criteria-") and name.endswith("-code")
    }
    fuzzed = ["threshold", "min_category_share", "levels-0-name", "levels-0-minimum", "categories-0-points"]
    fuzzed += [f"{codes[code]}-{field}" for code in ("A1", "D3", "D7", "P1") for field in ("points", "params", "kind")]
    # Numbers and kinds that are often valid, so that changed rubrics get saved and scored too.
    numbers = st.decimals(-1, 1000, places=2).map(str)
    kinds = st.sampled_from([kind for kind, _label in RULE_KINDS])
    edges = {name: numbers for name in fuzzed if name.split("-")[-1] in ("threshold", "share", "minimum", "points")}
    edges |= {name: kinds for name in fuzzed if name.endswith("-kind")}
    edges |= {name: st.sampled_from(PARAMS_EDGES) for name in fuzzed if name.endswith("-params")}
    body = spoil(data, {**body, "_save": "Save"}, fuzzed, edges=edges, most=2)
    with rolled_back():
        response = post(admin_client, url, body)
        assert response.status_code in (200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 302:  # what was saved still scores applications and renders
            rubrics = reverse("admin:scoring_rubric_changelist")
            recompute = {"action": "recompute_scores", "_selected_action": [cycle.rubric.pk]}
            assert post(admin_client, rubrics, recompute).status_code == 302
            assert world.client["drafter"].get(reverse("application_detail", args=[draft.pk])).status_code == 200
        else:
            assert "errornote" in response.content.decode()
            assert Rubric.objects.get(cycle=cycle).version == 1


CYCLE_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2099-12-31", "2100-01-01", "1999-12-31", ""]
CYCLE_TIMES = ["23:59", "00:00", "02:30", "24:00", "12:00:00.999999", ""]
cycle_changes = st.dictionaries(
    st.sampled_from(["opens_at_0", "opens_at_1", "closes_at_0", "closes_at_1", "valid_from", "valid_until", "name"]),
    st.one_of(st.sampled_from(CYCLE_DATES), st.sampled_from(CYCLE_TIMES), hostile_value),
    max_size=3,
)


@settings(fuzz, max_examples=20)
@example(changes={"closes_at_0": "9999-12-31", "closes_at_1": "23:59"})  # year 10000 in UTC
@example(changes={"valid_from": "9999-12-31", "valid_until": ""})  # valid until two years later
@given(changes=cycle_changes)
def test_editing_a_cycle_in_the_admin(world, admin_client, changes):
    url = reverse("admin:assessment_cycle_change", args=[world.cycle.pk])
    body = {**form_fields(admin_client.get(url).content.decode()), **changes, "_save": "Save"}
    with rolled_back():
        response = post(admin_client, url, body)
        assert response.status_code in (200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 302:  # the saved cycle still shows on the pages that list it
            assert world.client["organizer"].get(reverse("home")).status_code == 200
            assert world.client["drafter"].get(reverse("application_detail", args=[world.draft.pk])).status_code == 200
        else:
            assert "errornote" in response.content.decode()


# --- Query strings ------------------------------------------------------------------------------------------

QUERY_EDGES = ["²", "٣", "0", "-1", "1.5", " 3 ", "9" * 18, "9" * 19, "9" * 5000, "\x00", "3\x00", "csv", "json"]
# (route, who asks, the route's argument naming the cycle)
PAGES = [
    ("public_designees", None, None),
    ("public_designees_csv", None, None),
    ("public_designees_json", None, None),
    ("login", None, None),
    ("home", "organizer", None),
    ("jurisdiction_list", "organizer", None),
    ("panel_cycle", "organizer", "pk"),
    ("cycle_exports", "organizer", "cycle_id"),
    ("export_designees_csv", "organizer", "cycle_id"),
    ("export_analysis_csv", "organizer", "cycle_id"),
    ("report_batches", "organizer", "cycle_id"),
    ("home", "reviewer", None),
    ("home", "drafter", None),
]


CYCLE = "<the cycle's number>"
query_keys = st.one_of(st.just("cycle"), st.sampled_from(["band", "format", "page", "next", "q", "sort"]), hostile_text)
query_values = st.one_of(st.just(CYCLE), st.sampled_from(QUERY_EDGES), hostile_value)


@settings(fuzz, max_examples=40)
@example(page=PAGES[0], query={"cycle": "²"})  # a digit to str.isdigit(), not to int()
@example(page=PAGES[2], query={"cycle": ["3", "9" * 5000]})
@given(page=st.sampled_from(PAGES), query=st.dictionaries(query_keys, query_values, max_size=4))
def test_query_strings_of_lists_exports_and_public_pages(world, page, query):
    name, role, cycle_argument = page
    url = reverse(name, kwargs={cycle_argument: world.cycle.pk} if cycle_argument else {})
    query = {key: str(world.cycle.pk) if value == CYCLE else value for key, value in query.items()}
    client = world.client[role] if role else Client()
    with rolled_back():
        response = client.get(url, query)
        assert response.status_code in (200, 400, 404), response.status_code
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 400:
            assert "cycle" in content.decode()  # says what is wrong with the query


# --- Inputs that once gave server errors, each tried every time ----------------------------------------------

LONG_EMAIL = "x" * 150 + "@example.gov"  # a valid address longer than a username may be


def target(route, world):
    args = {
        "panel_assign": [world.application.pk],
        "grant_extension": [world.draft.pk],
        "panel_cycle": [world.cycle.pk],
        "review_conflict": [world.review.pk],
        "panel_unassign": [world.review.assignment_id],
    }
    return reverse(route, args=args.get(route, []))


PANEL_SETTINGS = {"reviewers_per_application": "2", "max_per_reviewer": "8", "disagreement_margin": "10"}


ONCE_SERVER_ERRORS = [
    ("panel_assign", "organizer", {"reviewer": ":"}),
    ("panel_assign", "organizer", {"reviewer": "9" * 5000}),
    ("grant_extension", "organizer", {"until": "9999-12-31 23:59"}),  # year 10000 in UTC
    ("panel_cycle", "organizer", {**PANEL_SETTINGS, "divergence_margin": "2", "appeal_deadline": "9999-12-31T23:59"}),
    ("review_conflict", "reviewer", {"reason": "x" * 301}),  # longer than its column (PostgreSQL)
    ("review_conflict", "reviewer", {"reason": "a\x00b"}),  # NUL (PostgreSQL)
    ("panel_unassign", "organizer", {"reason": "x" * 301}),
    ("panel_unassign", "organizer", {"reason": "On leave\x00"}),
    ("invite", "organizer", {"email": LONG_EMAIL, "first_name": "Dana", "last_name": "Lee", "role": "reviewer"}),
    ("login", None, {"username": "x" * 256, "password": "wrong"}),  # django-axes records it (255, PostgreSQL)
    ("login", None, {"username": "ﷺ" * 20, "password": "wrong"}),  # 360 characters once normalised (NFKC)
    ("admin:login", None, {"username": "x" * 256, "password": "wrong"}),
]


def test_inputs_that_once_gave_server_errors(world):
    for route, role, body in ONCE_SERVER_ERRORS:
        with rolled_back():
            response = post(world.client[role] if role else Client(), target(route, world), body)
            assert response.status_code in (200, 302), (route, body)
            assert told(response) or response.context["form"].errors, (route, body)


UNSCORABLE_SETTINGS = [
    ("A1", "9" * 5000),  # over Python's 4,300 digits
    ("A1", "NaN"),  # not JSON; SQLite's JSON check and PostgreSQL's jsonb refuse it
    ("A1", "[1e309]"),  # infinity
    ("D7", '{"anchors": {"0": "\\u0000"}}'),  # jsonb refuses NUL
    ("D3", '{"field": "performance.asa_seconds", "direction": "le", "bands": [[60, -1e308]]}'),
    ("A1", '{"field": "channels.channels", "per_choice": "x"}'),
    ("A1", '{"field": "channels.channels", "per_choice": 1, "require": 5}'),
    ("B4", '{"field": "channels.self_service", "only": [["knowledge_base"]]}'),
    ("P4", '{"field": "metrics", "min": "five"}'),
]


def test_rubric_settings_that_cannot_be_scored_are_refused(next_cycle, admin_client):
    world, cycle, draft = next_cycle
    url = reverse("admin:scoring_rubric_change", args=[Rubric.objects.get(cycle=cycle).pk])
    form = form_fields(admin_client.get(url).content.decode())
    rows = {value: name.removesuffix("-code") for name, value in form.items() if name.endswith("-code")}
    for code, params in UNSCORABLE_SETTINGS:
        response = post(admin_client, url, {**form, f"{rows[code]}-params": params, "_save": "Save"})
        assert response.status_code == 200 and "errornote" in response.content.decode(), (code, params)
        assert Rubric.objects.get(cycle=cycle).version == 1
    assert world.client["drafter"].get(reverse("application_detail", args=[draft.pk])).status_code == 200


# --- Every form has a test ---------------------------------------------------------------------------------

APPS = ["assessment", "review", "reports", "scoring", "config"]


def form_classes():
    """Every Form and FormSet class defined in the apps' modules."""
    for app in APPS:
        for module in pkgutil.walk_packages(importlib.import_module(app).__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm, forms.BaseFormSet]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in APPS:
                found.add(subclass)
    return found


def test_every_form_class_is_covered():
    from assessment.forms import STEPS, BaseMetricFormSet, MetricForm, StepForm, UswdsForm

    covered = {form for _step, form in STEPS} | {MetricForm, BaseMetricFormSet}  # tests/test_wizard_fuzz.py
    covered |= {UswdsForm, StepForm}  # base classes
    covered |= set(COVERED)
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in form_classes() - covered)
    assert missing == [], f"Fuzz these forms in {__file__} and add them to COVERED: {missing}"


COVERED = {
    ReviewForm: test_review_form,
    QuestionForm: test_question_to_the_applicant,
    AnswerForm: test_answer_to_a_question_with_a_document,
    PanelSettingsForm: test_panel_settings_then_automatic_assignment_and_bulk_decision,
    AssignForm: test_assigning_a_reviewer,
    DecisionForm: test_deciding,
    AppealForm: test_filing_an_appeal,
    AppealOutcomeForm: test_deciding_an_appeal,
    ExtensionForm: test_granting_an_extension,
    EvidenceUploadForm: test_uploading_evidence,
    JurisdictionForm: test_adding_a_jurisdiction,
    InvitationForm: test_inviting_someone,
    SignInForm: test_signing_in,
    CycleForm: test_editing_a_cycle_in_the_admin,
    AdminSignInForm: test_signing_in,
}
