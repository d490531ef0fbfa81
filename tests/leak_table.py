"""The leak test's table (tests/test_leaks.py): who reads, what each review gives, which roles may read
each private field, and the markers each field holds."""

import hashlib
import json
import re
from dataclasses import dataclass

from assessment.models import AuditEvent, User
from review.models import Appeal, Assignment, Clarification, Decision, DeclaredConflict, Review

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
    "assessment.User.language": "en or fr, the language a person reads the site in: a preference, not a secret",
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
        for between in ("/", "of"):  # a page's "2.5 / 4", the report's "2.5 of 4"
            table_rows = [
                re.sub(r"\s+", "", f"{code} {by_code[code][0]} {points} {between} {by_code[code][1]:g}").casefold()
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
