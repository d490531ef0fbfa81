"""No private field reaches a reader the table does not allow: a leak test that trusts no page (issue 10, item 3).

One world is built per module through the product's own domain functions (``build_world`` in
tests/leak_world.py):

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
(``markers_of`` in tests/leak_table.py). ``VISIBLE`` (tests/leak_table.py) says, once, which roles may read
each field. As each of the nine roles, the test GETs every URL of every named route for every object of
the world (following redirects), reads what comes back (HTML, the text of PDFs, every cell of Excel files,
CSV, JSON, SVG) and every e-mail the world sent to that role, and reports every marker found where the
table does not allow it, and every Python dict or list repr of scores, as (route [object]: field — marker)
lines.

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

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.access_matrix import MATRIX, named_routes
from tests.leak_table import (
    EXTRA,
    FIELD_ROWS,
    NOT_PRIVATE,
    PANEL_MODELS,
    REPRS,
    ROLES,
    TEXT_TYPES,
    VISIBLE,
    Doc,
    Text,
)
from tests.leak_world import (
    FAST_HASHER,
    NOT_OPENED,
    OPENS,
    POSITIVE,
    POSITIVE_KINDS,
    ROUTES,
    build_world,
)


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
