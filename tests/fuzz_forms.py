"""What the form fuzz tests (tests/test_forms_fuzz_*.py) share: hostile input, helpers, the ``world``.

The wizard's steps are in tests/test_wizard_fuzz.py. Covered by the form fuzz tests, each as the role that uses it:

- review (tests/test_forms_fuzz_panel.py): ReviewForm (review_edit), the conflict declaration
  (review_conflict), QuestionForm (clarification_ask), AnswerForm with a PDF (clarification_answer),
  PanelSettingsForm (panel_cycle, then automatic assignment and the bulk decision on what was saved),
  AssignForm (panel_assign), panel_unassign, DecisionForm (panel_decide), AppealForm (appeal_file),
  AppealOutcomeForm (appeal_decide);
- assessment (tests/test_forms_fuzz_accounts.py): ExtensionForm (grant_extension), EvidenceUploadForm
  (document_upload: hostile file names, damaged PDFs), JurisdictionForm (jurisdiction_create), InvitationForm
  (invite), application_start;
- signing in (tests/test_forms_fuzz_accounts.py): SignInForm (login, with ``next``), AdminSignInForm
  (admin:login), the password reset, choosing a password from an invitation or a reset link;
- the admin (tests/test_forms_fuzz_admin.py): the rubric with its levels, categories and criteria
  (scoring/admin.py), CycleForm;
- query strings of list, export and public pages (tests/test_forms_fuzz_admin.py).

Each example starts from the same saved state (its writes are rolled back), so "nothing saved is lost"
is checked against one snapshot. Bodies come from ``hypothesis.extra.django.from_form`` where there is a
form; a few fields are then dropped, sent twice or replaced by hostile text (NUL, control and odd Unicode,
huge or negative numbers, impossible dates, values at the edge of each kind of field). Inputs that once
gave server errors are also tried every time. ``test_every_form_class_is_covered`` fails when a new Form
class in the apps has no test in ``COVERED`` (below), or when ``COVERED`` names a test that does not exist.
"""

import ast
import functools
import io
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Model
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from assessment import domain as applying
from assessment.admin import AdminSignInForm, CycleForm
from assessment.forms import EvidenceUploadForm, SignInForm
from assessment.invitations import InvitationForm, JurisdictionForm
from assessment.models import Jurisdiction
from assessment.views import ExtensionForm
from pages.application_filters import ApplicationFilterForm
from pages.cycle_forms import CycleSettingsForm, NewCycleForm
from pages.verify import VerifyForm
from pages.withdraw import WithdrawForm
from review.assignment import assign
from review.clarifications import ask_clarification
from review.decisions import decide
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
from review.models import Review
from review.queries import application_panel
from review.reviewing import save_review
from review.summary import suggestion
from scoring.criterion_forms import CRITERION_FORMS
from scoring.rubric_forms import RUBRIC_SETTINGS_FORMS, CategoryForm
from tests.factories import (
    as_user,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
    pdf_bytes,
)
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


@pytest.fixture(name="world")
def world_fixture(db, settings, tmp_path):
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


# --- Uploads -------------------------------------------------------------------------------------


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


# --- Every form has a test ---------------------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent

# Each form class and the test that fuzzes it, as "module file::test function" (tests/test_forms_fuzz_admin.py
# checks that every form class is here and that each test named exists).
COVERED = {
    ReviewForm: "test_forms_fuzz_panel.py::test_review_form",
    QuestionForm: "test_forms_fuzz_panel.py::test_question_to_the_applicant",
    AnswerForm: "test_forms_fuzz_panel.py::test_answer_to_a_question_with_a_document",
    PanelSettingsForm: "test_forms_fuzz_panel.py::test_panel_settings_then_automatic_assignment_and_bulk_decision",
    AssignForm: "test_forms_fuzz_panel.py::test_assigning_a_reviewer",
    DecisionForm: "test_forms_fuzz_panel.py::test_deciding",
    AppealForm: "test_forms_fuzz_panel.py::test_filing_an_appeal",
    AppealOutcomeForm: "test_forms_fuzz_panel.py::test_deciding_an_appeal",
    ExtensionForm: "test_forms_fuzz_accounts.py::test_granting_an_extension",
    EvidenceUploadForm: "test_forms_fuzz_accounts.py::test_uploading_evidence",
    JurisdictionForm: "test_forms_fuzz_accounts.py::test_adding_a_jurisdiction",
    InvitationForm: "test_forms_fuzz_accounts.py::test_inviting_someone",
    SignInForm: "test_forms_fuzz_accounts.py::test_signing_in",
    CycleForm: "test_forms_fuzz_admin.py::test_editing_a_cycle_in_the_admin",
    ApplicationFilterForm: "test_forms_fuzz_lists.py::test_filtering_a_cycles_applications",
    NewCycleForm: "test_forms_fuzz_cycles.py::test_creating_a_cycle",
    CycleSettingsForm: "test_forms_fuzz_cycles.py::test_editing_a_cycle",
    AdminSignInForm: "test_forms_fuzz_accounts.py::test_signing_in",
    **{form: "test_forms_fuzz_rubric.py::test_rubric_settings_and_levels" for form in RUBRIC_SETTINGS_FORMS},
    CategoryForm: "test_forms_fuzz_rubric.py::test_a_category",
    WithdrawForm: "test_withdraw_designation.py::test_fuzzing_the_withdrawal_form",
    VerifyForm: "test_verify_page.py::test_fuzzing_the_verification_form",
    **{form: "test_forms_fuzz_rubric.py::test_a_criterion_and_its_rule_s_settings" for form in CRITERION_FORMS},
}


def defined_tests(filename):
    """The "file::function" names of the test functions a test module defines, read with ``ast`` (not imported)."""
    tree = ast.parse((TESTS / filename).read_text(encoding="utf-8"), filename=filename)
    return {
        f"{filename}::{node.name}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }


def missing_tests():
    """The entries of ``COVERED`` naming a test function that no module defines."""
    named = set(COVERED.values())
    found = set().union(*(defined_tests(name.partition("::")[0]) for name in named))
    return sorted(named - found)
