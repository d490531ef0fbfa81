"""No private field reaches a reader the table does not allow: a leak test that trusts no page (issue 10, item 3).

One world is built per module through the product's own domain functions (``world`` below):

- Jurisdiction A (Harbor City) with two staff, jurisdiction B (Elsewhere) with one; an organizer; five
  reviewers (R_draft, R_done, R_conflicted, R_unassigned, and R_extra, who is not one of the nine
  roles but receives mail).
- Cycle C1, earlier: A1, A's application, submitted; the cycle closes; R_done and R_extra submit
  reviews, R_draft saves a draft and is taken off with a reason; the organizer decides as the engine
  suggests and publishes (so A's staff now read the comments for the applicant); A's staff appeal,
  the organizer upholds the decision.
- Cycle C2, current: A2 (A) and B2 (B) submitted; the cycle closes. R_conflicted submits a review of A2,
  then declares a conflict with A (the review is excluded, the assignment ends); R_done submits;
  R_draft saves a draft, and asks A a question that A's colleague answers; the organizer records a
  decision on A2, not published, overriding the engine with a reason, at a level of C2's rubric
  renamed to a marker. R_unassigned reviews B2 only.
- "Generate all reports" runs for both cycles, so every role reads the same cached PDFs.

Every private field holds a marker: a string that occurs nowhere unless the product copied that field
(``markers_of``). ``VISIBLE`` says, once, which roles may read each field. As each of the nine roles, the
test GETs every URL of every named route for every object of the world (following redirects), reads
what comes back (HTML, the text of PDFs, every cell of Excel files, CSV, JSON, SVG) and every e-mail
the world sent to that role, and reports every marker found where the table does not allow it, and
every Python dict or list repr of scores, as (route [object]: field — marker) lines.

How scores are recognised. Adjusted points are given with distinctive hundredths (1.37, 0.58, 1.91,
4.73, 2.64, 3.29), so an adjustment, and a reviewer's own total (rule points + adjustment + judged points:
it always ends in those hundredths), are numbers found only where that reviewer's review was copied;
numbers are matched whole (``51.37`` is not ``1.37``). Judged points are small integers that occur on
every page, so a reviewer's judged points are recognised by three renderings that cannot occur
otherwise: their dict as the product writes it (``{'D7': 3, 'F6': 1, 'H3': 2}``, or as JSON); all three
criteria at exactly those points in a criteria table ("D7 Year-on-year improvement 3 / 4", read with
whitespace removed, as the report and the pages write it); or all three radio buttons checked in a review
form. Each review's three values differ from every other review of the same application, and on A1
the two counted reviews combine into halves (2.5, 1.5, 2.5) that no single review gives.
"""

import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from assessment import domain as applying
from assessment.evidence import store_document
from assessment.forms import STEPS
from assessment.models import Application, AuditEvent, Cycle, User
from reports import cycle_summary, tasks
from review import appeals, clarifications, decisions, queries, reminders, reviewing
from review import assignment as assigning
from review.models import Appeal, Assignment, Clarification, Decision, DeclaredConflict, Review, settings_for
from scoring.domain import explain_application, rubric_for
from tests.access_matrix import MATRIX, named_routes
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user, pdf_bytes
from tests.factories.answers import wizard_state

# --- Who reads ----------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "applicant_a",  # staff of A
    "colleague_a",  # a second staff member of A
    "applicant_b",  # staff of B
    "reviewer_draft",  # assigned to A2, saved a draft, has not submitted (and was taken off A1)
    "reviewer_done",  # submitted reviews of A1 and A2
    "reviewer_conflicted",  # submitted on A2, then declared a conflict with A
    "reviewer_unassigned",  # never assigned to A (reviews B2)
    "organizer",
]
# Not a role the pages are opened as, but a person the world mails: R_extra reviewed A1 only.
EXTRA = "reviewer_extra"
REVIEWERS = ["reviewer_draft", "reviewer_done", "reviewer_conflicted", "reviewer_unassigned", EXTRA]
ORG = "organizer"
A_STAFF = {"applicant_a", "colleague_a"}


def marker(name):
    """A string that occurs nowhere unless the product copied the field it was typed into."""
    return f"MK-{name}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"


# --- What each review gives (the world) -----------------------------------------------------------


@dataclass(frozen=True)
class Given:
    judged: dict
    adjusted: str  # the rule criterion adjusted
    points: str  # its adjusted points, as the pages write them
    submit: bool


GIVEN = {
    ("reviewer_done", "A1"): Given({"D7": 4, "F6": 3, "H3": 3}, "A1", "1.37", True),
    ("reviewer_extra", "A1"): Given({"D7": 1, "F6": 0, "H3": 2}, "A2", "0.58", True),
    # R_draft's draft of A1, left when they were taken off: it never counts, not even once A1 is published.
    ("reviewer_draft", "A1"): Given({"D7": 2, "F6": 1, "H3": 1}, "E2", "1.91", False),
    ("reviewer_conflicted", "A2"): Given({"D7": 2, "F6": 2, "H3": 0}, "D1", "3.29", True),
    ("reviewer_done", "A2"): Given({"D7": 3, "F6": 1, "H3": 2}, "C1", "4.73", True),
    ("reviewer_draft", "A2"): Given({"D7": 0, "F6": 4, "H3": 1}, "B1", "2.64", False),
}


def review_label(who, app):
    return f"{who}@{app}"


# --- The table: who may read each field, written once ---------------------------------------------
#
# Reviewer names (first, last, user name, job title): organizers, the reviewer, and reviewers who
# submitted their own review of an application the reviewer is or was assigned to. A reviewer whose
# assignment ended (taken off, or a conflict) is nobody's co-reviewer any more: R_conflicted reads
# nothing of A. E-mails: organizers and the reviewer. A review's scores, adjustments, adjustment
# reasons, own total and private notes: organizers, the author and co-reviewers who submitted (an
# excluded review is still a co-reviewer's review: R_done may read R_conflicted's). Comments for the
# applicant: the same, and the applicant's staff once the decision is published (A1 only). A draft
# (R_draft's): R_draft and organizers. Assignment-end and conflict reasons: organizers, and the
# reviewer who declared their own conflict. The unpublished decision on A2 (level, rationale, override
# reason): organizers and reviewers who submitted a review of A2 (R_done). The appeal (statement,
# outcome notes): A's staff and organizers. Nothing of A ever reaches B's staff, anonymous visitors,
# R_conflicted (but their own) or R_unassigned.

A1_PANEL = {ORG, "reviewer_done", EXTRA}
VISIBLE = {
    "reviewer_draft name": {ORG, "reviewer_draft", "reviewer_done", EXTRA},  # R_done (A2), R_extra (A1)
    "reviewer_draft e-mail": {ORG, "reviewer_draft"},
    "reviewer_done name": {ORG, "reviewer_done", EXTRA},  # R_draft has submitted nothing
    "reviewer_done e-mail": {ORG, "reviewer_done"},
    "reviewer_extra name": {ORG, EXTRA, "reviewer_done"},
    "reviewer_extra e-mail": {ORG, EXTRA},
    "reviewer_conflicted name": {ORG, "reviewer_conflicted", "reviewer_done"},  # R_done submitted on A2
    "reviewer_conflicted e-mail": {ORG, "reviewer_conflicted"},
    "reviewer_unassigned name": {ORG, "reviewer_unassigned"},
    "reviewer_unassigned e-mail": {ORG, "reviewer_unassigned"},
    "reviewer_done@A1 scores and notes": A1_PANEL,
    "reviewer_done@A1 comments for the applicant": A1_PANEL | A_STAFF,  # A1's decision is published
    "reviewer_extra@A1 scores and notes": A1_PANEL,
    "reviewer_extra@A1 comments for the applicant": A1_PANEL | A_STAFF,
    "reviewer_draft@A1 scores and notes": {ORG, "reviewer_draft"},  # a draft, never submitted
    "reviewer_draft@A1 comments for the applicant": {ORG, "reviewer_draft"},
    "reviewer_done@A2 scores and notes": {ORG, "reviewer_done"},
    "reviewer_done@A2 comments for the applicant": {ORG, "reviewer_done"},  # A2's decision is not published
    "reviewer_draft@A2 scores and notes": {ORG, "reviewer_draft"},
    "reviewer_draft@A2 comments for the applicant": {ORG, "reviewer_draft"},
    "reviewer_conflicted@A2 scores and notes": {ORG, "reviewer_conflicted", "reviewer_done"},
    "reviewer_conflicted@A2 comments for the applicant": {ORG, "reviewer_conflicted", "reviewer_done"},
    "A1 assignment-end reason": {ORG},  # why R_draft was taken off A1
    "conflict reason": {ORG, "reviewer_conflicted"},
    "A2 unpublished decision": {ORG, "reviewer_done"},
    "A1 appeal": {ORG} | A_STAFF,
}

# Which model fields hold the markers of which rows. A new text field of these models fails
# test_every_text_field_is_in_the_table_or_said_not_private until it is added here or below.
_NAMES = [f"{who} name" for who in REVIEWERS]
_SCORES = [f"{review_label(*key)} scores and notes" for key in GIVEN]
_COMMENTS = [f"{review_label(*key)} comments for the applicant" for key in GIVEN]
FIELD_ROWS = {
    "assessment.User.first_name": _NAMES,
    "assessment.User.last_name": _NAMES,
    "assessment.User.username": _NAMES,
    "assessment.User.title": _NAMES,
    "assessment.User.email": [f"{who} e-mail" for who in REVIEWERS],
    "review.Review.judged": _SCORES,
    "review.Review.adjustments": _SCORES,
    "review.Review.private_notes": _SCORES,
    "review.Review.comments_for_applicant": _COMMENTS,
    "review.Review.excluded_reason": ["conflict reason"],
    "review.Assignment.end_reason": ["A1 assignment-end reason", "conflict reason"],
    "review.DeclaredConflict.reason": ["conflict reason"],
    "review.Decision.level": ["A2 unpublished decision"],
    "review.Decision.rationale": ["A2 unpublished decision"],
    "review.Decision.override_reason": ["A2 unpublished decision"],
    # The names of the reviewers and their totals, frozen with each decision.
    "review.Decision.snapshot": [
        "reviewer_done name",
        "reviewer_extra name",
        "reviewer_done@A1 scores and notes",
        "reviewer_extra@A1 scores and notes",
        "reviewer_done@A2 scores and notes",
    ],
    "review.Appeal.statement": ["A1 appeal"],
    "review.Appeal.outcome_notes": ["A1 appeal"],
}
NOT_PRIVATE = {
    "assessment.User.password": "a salted hash that no page renders; a marker cannot be typed into it",
    "assessment.User.role": "applicant, reviewer or organizer: a role, not a secret",
    "assessment.AuditEvent.action": "a code (review.submitted); the History's words are its summary",
    "assessment.AuditEvent.summary": "repeats other fields in words: every marker it can carry is one of theirs",
    "assessment.AuditEvent.audience": "who an event is for (organizers, panel, applicant, public): a code",
    "assessment.AuditEvent.data": "repeats other fields as data: every marker it can carry is one of theirs",
    "review.Review.status": "draft or submitted: whether a review is in, not what it says",
    "review.Decision.outcome": (
        "Designated or Not designated, words on every page; before publication it is private and tested "
        "through the level marker, which every rendering of A2's (designated) outcome shows beside it"
    ),
    "review.Decision.suggested_outcome": "the engine's reading of the combined scores, which are tested (totals)",
    "review.Decision.suggested_level": "the engine's reading of the combined scores, which are tested (totals)",
    "review.Clarification.question": "read by everyone who may read the application: the panel asks the applicant",
    "review.Clarification.answer": "read by everyone who may read the application: the applicant answers the panel",
    "review.Appeal.outcome": "pending, upheld or changed: a state; its reasons are outcome_notes (tested)",
}
PANEL_MODELS = [Review, Decision, Appeal, Assignment, DeclaredConflict, Clarification, AuditEvent, User]
TEXT_TYPES = {"CharField", "TextField", "JSONField", "SlugField", "URLField"}

# --- Markers --------------------------------------------------------------------------------------


class Doc:
    """What a reader gets, as text to search: raw (HTML unescaped), and squeezed (no tags, no whitespace)."""

    def __init__(self, kind, raw):
        self.kind = kind
        self.raw = raw
        self.folded = raw.casefold()
        text = re.sub(r"<[^>]+>", " ", raw) if kind == "html" else raw
        # A PDF breaks long words at hyphens and lines anywhere: search markers with whitespace removed too.
        self.squeezed = re.sub(r"\s+", "", text).casefold()
        self.checked = checked_inputs(raw) if kind == "html" else frozenset()


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'\b(name|value)="([^"]*)"')


def checked_inputs(page):
    """(name, value) of every checked radio button or check box of an HTML page."""
    found = set()
    for tag in _INPUT.findall(page):
        if re.search(r"\schecked(\s|>|=|/)", tag):
            attrs = dict(_ATTR.findall(tag))
            found.add((attrs.get("name"), attrs.get("value")))
    return frozenset(found)


@dataclass(frozen=True)
class Text:
    value: str
    what: str

    def found(self, doc):
        value = self.value.casefold()
        return value in doc.folded or value in doc.squeezed


@dataclass(frozen=True)
class Number:
    value: str  # as the pages write it: "1.37"
    what: str

    def found(self, doc):
        return re.search(rf"(?<![\d.]){re.escape(self.value)}(?!\d)", doc.raw) is not None


@dataclass(frozen=True)
class Judged:
    points: tuple  # ((code, points), ...)
    rows: tuple  # ((code, title, max points), ...) of the rubric's judged criteria
    what: str

    def found(self, doc):
        as_dict = dict(self.points)
        if any(text in doc.raw for text in (str(as_dict), json.dumps(as_dict))):
            return True
        by_code = {code: (title, most) for code, title, most in self.rows}
        table_rows = [
            re.sub(r"\s+", "", f"{code} {by_code[code][0]} {points} / {by_code[code][1]:g}").casefold()
            for code, points in self.points
        ]
        if all(row in doc.squeezed for row in table_rows):
            return True
        return bool(doc.checked) and all((f"judged_{code}", str(points)) in doc.checked for code, points in self.points)


REPRS = {
    "dict": re.compile(r"\{'[A-H]\d+':"),
    "list": re.compile(r"\['[A-H]\d+'"),
}


def person_markers(who):
    tag = who.removeprefix("reviewer_").upper()
    return {
        "first_name": marker(f"{tag}-FIRST"),
        "last_name": marker(f"{tag}-LAST"),
        "username": marker(f"{tag}-USERNAME").lower(),
        "title": marker(f"{tag}-TITLE"),
        "email": f"{marker(f'{tag}-EMAIL').lower()}@example.gov",
    }


def review_markers(who, app):
    tag = f"{who.removeprefix('reviewer_').upper()}-{app}"
    return {
        "comments": marker(f"{tag}-COMMENTS"),
        "notes": marker(f"{tag}-NOTES"),
        "reason": marker(f"{tag}-ADJUSTMENT-REASON"),
    }


END_REASON = marker("A1-END-REASON")
CONFLICT_REASON = marker("CONFLICT-REASON")
A2_LEVEL = marker("A2-LEVEL")
A2_RATIONALE = marker("A2-RATIONALE")
A2_OVERRIDE = marker("A2-OVERRIDE-REASON")
APPEAL_STATEMENT = marker("A1-APPEAL-STATEMENT")
APPEAL_NOTES = marker("A1-APPEAL-OUTCOME-NOTES")


def markers_of(world):
    """field (a row of VISIBLE) → its markers. Totals and rubric titles come from the world."""
    found = {}
    for who in REVIEWERS:
        mine = person_markers(who)
        found[f"{who} name"] = [
            Text(mine["first_name"], "first name"),
            Text(mine["last_name"], "last name"),
            Text(mine["username"], "user name"),
            Text(mine["title"], "job title"),
        ]
        found[f"{who} e-mail"] = [Text(mine["email"].split("@")[0], "e-mail")]
    for (who, app), given in GIVEN.items():
        label, mine = review_label(who, app), review_markers(who, app)
        total = world.totals[(who, app)]
        found[f"{label} scores and notes"] = [
            Judged(tuple(sorted(given.judged.items())), world.judged_rows, f"judged {given.judged}"),
            Number(given.points, f"adjusted {given.adjusted} to {given.points}"),
            Text(mine["reason"], "adjustment reason"),
            Number(total, f"the reviewer's total {total}"),
            Text(mine["notes"], "private notes"),
        ]
        found[f"{label} comments for the applicant"] = [Text(mine["comments"], "comments for the applicant")]
    found["A1 assignment-end reason"] = [Text(END_REASON, "why R_draft was taken off A1")]
    found["conflict reason"] = [Text(CONFLICT_REASON, "R_conflicted's declared conflict")]
    found["A2 unpublished decision"] = [
        Text(A2_LEVEL, "level"),
        Text(A2_RATIONALE, "rationale"),
        Text(A2_OVERRIDE, "override reason"),
    ]
    found["A1 appeal"] = [Text(APPEAL_STATEMENT, "statement"), Text(APPEAL_NOTES, "outcome notes")]
    return found


# --- The routes, each opened for every object of the world ----------------------------------------

APPS = ["A1", "A2", "B2"]
CYCLES = ["C1", "C2"]
STEP_NAMES = [name for name, _form in STEPS]


def _each(objects):
    return [(label, {"pk": obj.pk}) for label, obj in objects.items()]


# name → world → [(label, url kwargs[, query string])]
ROUTES = {
    "health": lambda w: [("", {})],
    "home": lambda w: [("", {})],
    "login": lambda w: [("", {})],
    "logout": lambda w: [("", {})],
    "password_reset": lambda w: [("", {})],
    "password_reset_done": lambda w: [("", {})],
    "password_reset_confirm": lambda w: [("bad token", {"uidb64": "MQ", "token": "bad-token"})],
    "password_reset_complete": lambda w: [("", {})],
    "accept_invitation": lambda w: [("bad token", {"uidb64": "MQ", "token": "bad-token"})],
    "application_start": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "application_detail": lambda w: _each(w.apps),
    "application_step": lambda w: [(a, {"pk": w.apps[a].pk, "step": s}) for a in APPS for s in STEP_NAMES],
    "document_upload": lambda w: _each(w.apps),
    "document_download": lambda w: _each(w.documents),
    "document_delete": lambda w: _each(w.documents),
    "clarification_ask": lambda w: _each(w.apps),
    "clarification_answer": lambda w: _each(w.clarifications),
    "review_edit": lambda w: _each(w.reviews),
    "review_conflict": lambda w: _each(w.reviews),
    "appeal_file": lambda w: _each(w.apps),
    "panel_cycle": lambda w: _each(w.cycles),
    "panel_auto_assign": lambda w: _each(w.cycles),
    "panel_bulk_decide": lambda w: _each(w.cycles),
    "panel_publish": lambda w: _each(w.cycles),
    "panel_application": lambda w: _each(w.apps),
    "panel_assign": lambda w: _each(w.apps),
    "panel_decide": lambda w: _each(w.apps),
    "panel_unassign": lambda w: _each(w.assignments),
    "appeal_decide": lambda w: _each(w.appeals),
    "jurisdiction_list": lambda w: [("", {})],
    "jurisdiction_create": lambda w: [("", {})],
    "jurisdiction_detail": lambda w: _each(w.jurisdictions),
    "invite": lambda w: [("", {})],
    "grant_extension": lambda w: _each(w.apps),
    "cycle_exports": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_designees_xlsx": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_designees_csv": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_analysis_xlsx": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_analysis_csv": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "public_designees": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_designees_csv": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_designees_json": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_seal": lambda w: [
        (f"{c}/{j}", {"cycle_id": w.cycles[c].pk, "jurisdiction_id": w.jurisdictions[j].pk})
        for c in CYCLES
        for j in w.jurisdictions
    ],
    "application_report_pdf": lambda w: _each(w.apps),
    "cycle_summary_pdf": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batches": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batch_start": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batch": lambda w: _each(w.batches),
    "report_batch_status": lambda w: _each(w.batches),
    "report_batch_resume": lambda w: _each(w.batches),
    "report_batch_retry": lambda w: _each(w.batch_items),
}
# Routes this test does not open, each with the reason. (Django's admin is outside named_routes():
# it checks is_staff itself, and only organizers, who may read everything, are staff.)
NOT_OPENED = {}

# What must be found where it is allowed: if one of these is missing, the test can no longer see the
# kind of text it searches (a PDF, a workbook, a review form, a number): fix the test, not the product.
POSITIVE = {
    "organizer": [
        ("panel_application", "A2", "reviewer_done@A2 comments for the applicant"),
        ("panel_application", "A2", "reviewer_done@A2 scores and notes"),
        ("application_report_pdf", "A2", "A2 unpublished decision"),
        ("application_report_pdf", "A2", "reviewer_done@A2 scores and notes"),
        ("export_analysis_xlsx", "C2", "reviewer_done@A2 scores and notes"),
    ],
    "applicant_a": [
        ("application_report_pdf", "A1", "reviewer_done@A1 comments for the applicant"),
        ("application_detail", "A1", "reviewer_extra@A1 comments for the applicant"),
    ],
    "reviewer_draft": [("review_edit", "reviewer_draft@A2", "reviewer_draft@A2 scores and notes")],
    "reviewer_done": [("review_edit", "reviewer_done@A1", "reviewer_extra name")],
}
# Pages each role must really get (200, not a sign-in page): the searches above read something.
OPENS = {
    "anonymous": [("public_designees", ""), ("public_seal", "C1/A")],
    "applicant_a": [("application_detail", "A1"), ("application_report_pdf", "A1"), ("application_detail", "A2")],
    "colleague_a": [("application_detail", "A1"), ("application_report_pdf", "A1"), ("application_detail", "A2")],
    "applicant_b": [("application_detail", "B2")],
    "reviewer_draft": [("review_edit", "reviewer_draft@A2"), ("application_report_pdf", "A2")],
    "reviewer_done": [("review_edit", "reviewer_done@A1"), ("review_edit", "reviewer_done@A2")],
    "reviewer_conflicted": [("home", "")],
    "reviewer_unassigned": [("review_edit", "reviewer_unassigned@B2"), ("application_report_pdf", "B2")],
    "organizer": [("panel_application", "A2"), ("export_analysis_xlsx", "C2"), ("cycle_summary_pdf", "C1")],
}
# Kinds of marker each positive control must find (so that every way of searching is exercised).
POSITIVE_KINDS = {
    ("organizer", "panel_application", "A2", "reviewer_done@A2 scores and notes"): {Number, Text},
    ("organizer", "application_report_pdf", "A2", "A2 unpublished decision"): {Text},
    ("organizer", "application_report_pdf", "A2", "reviewer_done@A2 scores and notes"): {Judged, Number},
    ("organizer", "export_analysis_xlsx", "C2", "reviewer_done@A2 scores and notes"): {Number},
    ("reviewer_draft", "review_edit", "reviewer_draft@A2", "reviewer_draft@A2 scores and notes"): {
        Judged,
        Number,
        Text,
    },
}


# --- Building the world ---------------------------------------------------------------------------


class World:
    pass


def committed(action, *args, **kwargs):
    """Run a domain function and the work it leaves for the commit (e-mails): the world is one transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action(*args, **kwargs)


def build_world():
    w = World()
    now = timezone.now()
    home, other = make_jurisdiction(name="Harbor City"), make_jurisdiction(name="Elsewhere")
    organizer = make_organizer(first_name="Orla", last_name="Organizer")
    people = {
        "applicant_a": make_user(jurisdiction=home, first_name="Alex", last_name="Staff"),
        "colleague_a": make_user(jurisdiction=home, first_name="Casey", last_name="Colleague"),
        "applicant_b": make_user(jurisdiction=other, first_name="Bea", last_name="Other"),
        ORG: organizer,
    }
    for who in REVIEWERS:
        people[who] = make_reviewer(**person_markers(who))

    earlier = make_cycle(name="2024–2026", valid_from=date(now.year - 1, 1, 1))
    Cycle.objects.filter(pk=earlier.pk).update(opens_at=now - timedelta(days=700))
    current = make_cycle(name="2026–2028")
    # C2's highest level is renamed to a marker before anything is submitted (the rubric is still tunable),
    # so that A2's unpublished level is recognised wherever it is written.
    top = rubric_for(current).levels.order_by("-minimum").first()
    top.name = A2_LEVEL
    top.save()
    cycles = {"C1": Cycle.objects.get(pk=earlier.pk), "C2": current}

    def submitted(jurisdiction, cycle, by, saved_by):
        application = applying.start_application(jurisdiction, cycle, saved_by, prefill=False)
        application = applying.save_draft(application, wizard_state(), saved_by, application.version)
        upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
        store_document(application, "technology_plan", upload, 1, saved_by)
        return committed(applying.submit_application, Application.objects.get(pk=application.pk), by)

    submitted(home, cycles["C1"], people["applicant_a"], people["colleague_a"])
    submitted(home, cycles["C2"], people["applicant_a"], people["colleague_a"])
    submitted(other, cycles["C2"], people["applicant_b"], people["applicant_b"])
    # Both cycles close: reviews, decisions and publication come after the deadline.
    Cycle.objects.filter(pk__in=[c.pk for c in cycles.values()]).update(closes_at=now - timedelta(hours=1))
    cycles = {label: Cycle.objects.get(pk=c.pk) for label, c in cycles.items()}
    apps = {
        label: Application.objects.select_related("cycle", "jurisdiction").get(jurisdiction=j, cycle=cycles[c])
        for label, j, c in [("A1", home, "C1"), ("A2", home, "C2"), ("B2", other, "C2")]
    }

    assignments = {}

    def assign(who, app):
        assignment = committed(assigning.assign, apps[app], people[who], organizer)
        assignments[review_label(who, app)] = assignment
        return assignment

    def review(who, app):
        given, mine = GIVEN[(who, app)], review_markers(who, app)
        current_review = Review.objects.get(assignment=assignments[review_label(who, app)])
        reviewing.save_review(
            current_review,
            people[who],
            current_review.version,
            dict(sorted(given.judged.items())),
            {given.adjusted: {"points": float(given.points), "reason": mine["reason"]}},
            mine["comments"],
            mine["notes"],
            submit=given.submit,
        )

    # A1: two reviews, a reviewer taken off, decided as the engine suggests, published, appealed.
    assign("reviewer_done", "A1")
    assign(EXTRA, "A1")
    assign("reviewer_draft", "A1")
    review("reviewer_draft", "A1")
    assigning.unassign(assignments[review_label("reviewer_draft", "A1")], organizer, END_REASON)
    review("reviewer_done", "A1")
    review(EXTRA, "A1")
    panel = queries.application_panel(apps["A1"])
    outcome, level = queries.suggestion(panel["result"])
    assert outcome == Decision.Outcome.DESIGNATED, "A1 should be a designee (it has a seal and is public)"
    decisions.decide(apps["A1"], outcome, level, "Strong multi-channel access.", organizer, panel=panel)
    committed(decisions.publish_decisions, cycles["C1"], organizer)
    config = settings_for(cycles["C1"])
    config.appeal_deadline = now + timedelta(days=14)
    config.save()
    appeal = committed(appeals.file_appeal, apps["A1"], APPEAL_STATEMENT, people["applicant_a"])
    committed(appeals.decide_appeal, appeal, Appeal.Outcome.UPHELD, APPEAL_NOTES, organizer)

    # A2: a conflict found after scoring, one submitted review, one draft, a question, a decision not published.
    for who in ("reviewer_conflicted", "reviewer_done", "reviewer_draft"):
        assign(who, "A2")
    review("reviewer_conflicted", "A2")
    assigning.declare_conflict(people["reviewer_conflicted"], home, CONFLICT_REASON, people["reviewer_conflicted"])
    review("reviewer_done", "A2")
    review("reviewer_draft", "A2")
    question = committed(
        clarifications.ask_clarification,
        apps["A2"],
        "Is the contact center staffed on Saturdays?",
        people["reviewer_draft"],
    )
    committed(clarifications.answer_clarification, question, "Yes, from 8 to 12.", people["colleague_a"])
    panel = queries.application_panel(apps["A2"])
    assert queries.suggestion(panel["result"]) != (Decision.Outcome.DESIGNATED, A2_LEVEL)
    decisions.decide(
        apps["A2"], Decision.Outcome.DESIGNATED, A2_LEVEL, A2_RATIONALE, organizer, override_reason=A2_OVERRIDE
    )

    # B2: reviewed by R_unassigned, who is never assigned to A.
    assign("reviewer_unassigned", "B2")
    # The daily reminder: C2's reviews are due in two days (R_draft's and R_unassigned's are not submitted).
    config = settings_for(cycles["C2"])
    config.review_deadline = now + timedelta(days=2)
    config.save()
    assert reminders.send_reminders() == 2

    # "Generate all reports" for both cycles (run in-process), and both summaries: every PDF is cached.
    batches, items = {}, {}
    for label, cycle in cycles.items():
        batch = tasks.start_batch(cycle, organizer, enqueue=False)
        for item in batch.items.select_related("application"):
            tasks.generate_report.call(item.pk)
            app_label = next(a for a, application in apps.items() if application.pk == item.application_id)
            items[app_label] = item
        batches[label] = batch
        cycle_summary.report_file(cycle)

    w.people, w.cycles, w.apps = people, cycles, apps
    w.jurisdictions = {"A": home, "B": other}
    w.assignments = {label: Assignment.objects.get(pk=a.pk) for label, a in assignments.items()}
    w.reviews = {label: a.review for label, a in w.assignments.items()}
    w.documents = {label: application.documents.get() for label, application in apps.items()}
    w.clarifications = {"A2": question}
    w.appeals = {"A1": appeal}
    w.batches, w.batch_items = batches, items

    # Each review's own total, by hand: the rule total (judged criteria count nothing by rule), the
    # adjusted criterion's rule points replaced by the adjustment, plus the judged points.
    w.totals = {}
    for (who, app), given in GIVEN.items():
        rule = explain_application(apps[app])
        rule_points = {c["code"]: c["points"] or 0 for c in rule["criteria"]}
        total = rule["total"] - rule_points[given.adjusted] + float(given.points) + sum(given.judged.values())
        w.totals[(who, app)] = f"{total:.2f}"
        assert not w.totals[(who, app)].endswith("0"), "a total must keep its distinctive hundredths"
    rubric = rubric_for(cycles["C2"]).to_engine()
    w.judged_rows = tuple((c.code, c.title, c.points) for c in rubric.criteria if c.is_judged)
    w.markers = markers_of(w)
    w.mails = list(mail.outbox)
    w.urls = [
        (name, spec[0], reverse(name, kwargs=spec[1] or None) + (spec[2] if len(spec) > 2 else ""))
        for name, build in ROUTES.items()
        for spec in build(w)
    ]
    return w


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module in one transaction that is rolled back at its end."""
    media = tmp_path_factory.mktemp("leak-media")
    with override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=FAST_HASHER), django_db_blocker.unblock():
        with transaction.atomic():
            mail.outbox = []
            built = build_world()
            yield built
            transaction.set_rollback(True)


# --- Reading what comes back ----------------------------------------------------------------------

_PARSED = {}  # the same bytes (a cached PDF, a workbook) are read once for all roles


def pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(value) for value in (reader.metadata or {}).values()]

    def titles(outline):
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry)
            else:
                yield str(entry.title)

    parts += list(titles(reader.outline))
    parts += list(reader.attachments)
    return "\n".join(parts)


def xlsx_text(data):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
    workbook.close()
    return "\n".join(parts)


def read(response):
    content_type = response.get("Content-Type", "")
    # The test client closes the response (a streaming one once read) without closing the database
    # connection; response.close() here would fire request_finished and close it (PostgreSQL).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in content_type:
        return Doc("html", html.unescape(body.decode("utf-8", "replace")))
    key = hashlib.sha256(body).hexdigest()
    if key not in _PARSED:
        if "pdf" in content_type:
            _PARSED[key] = Doc("pdf", pdf_text(body))
        elif "spreadsheetml" in content_type:
            _PARSED[key] = Doc("xlsx", xlsx_text(body))
        else:  # CSV, JSON, SVG, plain text
            _PARSED[key] = Doc("text", body.decode("utf-8", "replace"))
    return _PARSED[key]


def mail_text(message):
    parts = [message.subject, message.body]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def recipients(world, message):
    """The world's people a message went to (by role), and any address that is nobody's."""
    by_address = {user.email.casefold(): role for role, user in world.people.items()}
    addresses = [address.casefold() for address in message.to + message.cc + message.bcc]
    return {by_address.get(address, f"unknown <{address}>") for address in addresses}


def leaks_in(doc, forbidden):
    return [(field, m) for field, m in forbidden if m.found(doc)]


def forbidden_for(world, role):
    return [(field, m) for field, ms in world.markers.items() if role not in VISIBLE[field] for m in ms]


# --- The tests ------------------------------------------------------------------------------------


def test_every_named_route_is_opened_or_has_a_reason():
    known = set(ROUTES) | set(NOT_OPENED)
    routes = set(named_routes())
    assert sorted(routes - known) == [], f"Open these routes in ROUTES of {__file__} (or say in NOT_OPENED why not)"
    assert sorted(known - routes) == [], "ROUTES or NOT_OPENED names routes that no longer exist"
    assert {key.split("__")[0] for key in MATRIX} <= known


def test_every_text_field_is_in_the_table_or_said_not_private():
    fields = {
        f"{model._meta.label}.{field.name}"
        for model in PANEL_MODELS
        for field in model._meta.concrete_fields
        if field.get_internal_type() in TEXT_TYPES
    }
    assert sorted(fields - set(FIELD_ROWS) - set(NOT_PRIVATE)) == [], (
        "New text fields: add each to FIELD_ROWS (with a marker and a row of VISIBLE) or to NOT_PRIVATE (with why)"
    )
    assert sorted((set(FIELD_ROWS) | set(NOT_PRIVATE)) - fields) == [], "FIELD_ROWS or NOT_PRIVATE names a lost field"
    assert set(FIELD_ROWS) & set(NOT_PRIVATE) == set()
    assert {row for rows in FIELD_ROWS.values() for row in rows} <= set(VISIBLE)
    assert all(roles <= set(ROLES) | {EXTRA} for roles in VISIBLE.values())


def test_every_private_field_holds_the_markers_of_its_rows(world, db):
    assert set(world.markers) == set(VISIBLE)
    texts = [m.value for ms in world.markers.values() for m in ms if isinstance(m, Text)]
    assert not [(a, b) for a in texts for b in texts if a != b and a.casefold() in b.casefold()], "a marker in a marker"
    missing = []
    for path, rows in FIELD_ROWS.items():
        app_label, model_name, field = path.split(".")
        model = next(m for m in PANEL_MODELS if m._meta.label == f"{app_label}.{model_name}")
        stored = Doc("text", "\n".join(str(value) for value in model.objects.values_list(field, flat=True)))
        for row in rows:
            if not any(m.found(stored) for m in world.markers[row]):
                missing.append(f"{path}: no marker of {row!r}")
    assert missing == []


@pytest.mark.parametrize("role", ROLES)
def test_no_private_field_reaches_a_reader_the_table_does_not_allow(world, db, role):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.people[role])
    forbidden = forbidden_for(world, role)
    wanted = {}
    for route, label, field in POSITIVE.get(role, []):
        wanted.setdefault((route, label), []).append(field)
    problems, positives, opened = set(), {}, {}
    for route, label, url in world.urls:
        response = client.get(url, follow=True)
        where = f"{route} [{label}]" if label else route
        if response.status_code >= 500:
            problems.add(f"{where}: server error {response.status_code}")
        opened[(route, label)] = (response.status_code, response.request["PATH_INFO"])
        doc = read(response)
        for field, found in leaks_in(doc, forbidden):
            problems.add(f"{where}: {field} — {found.what}")
        for kind, pattern in REPRS.items():
            if match := pattern.search(doc.raw):
                problems.add(f"{where}: a Python {kind} of scores: {doc.raw[match.start() : match.start() + 60]!r}")
        for field in wanted.get((route, label), []):
            positives.setdefault((route, label, field), set()).update(
                type(m) for m in world.markers[field] if m.found(doc)
            )
    for route, label, field in POSITIVE.get(role, []):
        kinds = positives.get((route, label, field), set())
        needed = POSITIVE_KINDS.get((role, route, label, field), set()) or {Text}
        if not needed <= kinds:
            problems.add(f"TEST BUG? {route} [{label}] should show {field} (as {sorted(k.__name__ for k in needed)})")
    for route, label in OPENS[role]:
        status, path = opened[(route, label)]
        if status != 200 or path == reverse("login"):
            problems.add(f"TEST BUG? {route} [{label}] gave {status} at {path}: the role should read it")
    mails = [message for message in world.mails if role in recipients(world, message)]
    for message in mails:
        doc = Doc("text", mail_text(message))
        for field, found in leaks_in(doc, forbidden):
            problems.add(f"e-mail {message.subject!r}: {field} — {found.what}")
        for kind, pattern in REPRS.items():
            if pattern.search(doc.raw):
                problems.add(f"e-mail {message.subject!r}: a Python {kind} of scores")
    routes = {route for route, _label, _url in world.urls}
    print(
        f"\n{role}: {len(world.urls)} URLs of {len(routes)} routes, {len(mails)} e-mails, {len(forbidden)} markers "
        f"it may not read: {len(routes) * len(forbidden)} (route, role, marker) triples, "
        f"{len(world.urls) * len(forbidden)} (URL, marker) checks"
    )
    assert not problems, f"{len(problems)} leaks to {role}:\n" + "\n".join(sorted(problems))


def test_no_marker_reaches_the_other_people_the_world_mailed(world):
    problems = []
    for message in world.mails:
        for who in recipients(world, message) - set(ROLES):
            if who.startswith("unknown"):
                problems.append(f"e-mail {message.subject!r} to {who}")
                continue
            for field, found in leaks_in(Doc("text", mail_text(message)), forbidden_for(world, who)):
                problems.append(f"e-mail {message.subject!r} to {who}: {field} — {found.what}")
    assert problems == []


def test_how_many_triples_are_checked(world):
    routes = {route for route, _label, _url in world.urls}
    triples = sum(len(routes) * len(forbidden_for(world, role)) for role in ROLES)
    checks = sum(len(world.urls) * len(forbidden_for(world, role)) for role in ROLES)
    mails = sum(len(forbidden_for(world, who)) for message in world.mails for who in recipients(world, message))
    print(
        f"\n{triples} (route, role, marker) triples over {len(routes)} routes, {len(ROLES)} roles and "
        f"{sum(len(ms) for ms in world.markers.values())} markers in {len(VISIBLE)} fields; "
        f"{checks} (URL, role, marker) checks; {mails} (e-mail, recipient, marker) checks"
    )
    assert triples > 0
