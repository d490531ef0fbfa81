"""Once-only actions hold under real parallel requests: exactly one effect, the others told why.

Six people (or six tabs) press the same button at the same moment, each from
their own signed-in browser with their own CSRF token, against gunicorn with
several worker processes and threads on a real database (the stack's SQLite
file, or a fresh PostgreSQL database when DATABASE_URL is set). For each of
answering a question (with a PDF), submitting a review, recording a decision,
publishing the cycle and filing an appeal, the database then holds exactly one
effect and one audit event of it; every response is a redirect to a page that
says what happened (never a server error); and the losers' PDFs are not left in
the upload folder.

What makes each hold is in review's action modules: a conditional UPDATE (answers, the
review's version), a row lock plus the current decision the page was made on
(decisions), a row lock on the cycle (publishing) and the database's
one_pending_appeal constraint (appeals). On SQLite every write transaction is
IMMEDIATE, which serialises them; select_for_update does nothing there.
"""

import html
import io
import re
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories.reviews import FULL
from tests.stack import Browser, Stack

N = 6
PASSWORD = "once-only-password-2026"

SEED = f"""
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from assessment import domain as applying
from review.assignment import assign
from review.clarifications import ask_clarification
from tests.factories import make_cycle, make_jurisdiction
from tests.factories.answers import wizard_state

hashed = make_password({PASSWORD!r})  # once: hashing costs a good part of a second


def person(username, role, jurisdiction=None):
    return User.objects.create(
        username=username, email=f"{{username}}@example.gov", role=role, jurisdiction=jurisdiction, password=hashed
    )


cycle = make_cycle(name="Once 2026–2028")
place = make_jurisdiction(name="Harbor City")
applicants = [person(f"colleague{{n}}", User.Role.APPLICANT, place) for n in range({N})]
organizers = [person(f"organizer{{n}}", User.Role.ORGANIZER) for n in range({N})]
reviewer = person("reviewer", User.Role.REVIEWER)
application = applying.start_application(place, cycle, applicants[0], prefill=False)
applying.save_draft(application, wizard_state(), applicants[0], application.version)
application = applying.submit_application(application, applicants[0])
# Submissions are over: the cycle's decision may be published, and appeals are open.
Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
config = settings_for(cycle)
config.reviewers_per_application = 1
config.appeal_deadline = timezone.now() + timedelta(days=14)
config.save()
review = assign(application, reviewer, organizers[0]).review
question = ask_clarification(application, "Send your service-level agreement, please.", organizers[0])
emit({{
    "application": str(application.pk), "cycle": cycle.pk, "review": review.pk, "version": review.version,
    "question": question.pk,
}})
"""

COUNT = """
from django.db.models import Count

application = Application.objects.get(pk=APPLICATION)
question = Clarification.objects.get(pk=QUESTION)
review = Review.objects.get(pk=REVIEW)
emit({
    "events": dict(
        AuditEvent.objects.filter(application=application).values_list("action").annotate(n=Count("id"))
    ) | dict(AuditEvent.objects.filter(application=None, cycle=application.cycle).values_list("action").annotate(n=Count("id"))),
    "answer": question.answer,
    "answer_document": str(question.document_id) if question.document_id else None,
    "documents": [[str(d.pk), d.file.name] for d in application.documents.all()],
    "review": [review.status, review.version],
    "decisions": [[d.outcome, d.level, d.superseded_at is None, d.published_at is not None] for d in application.decisions.all()],
    "cycle_status": application.cycle.status,
    "appeals": list(application.appeals.values_list("outcome", "statement")),
})
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer under test


def multipart(fields, files):
    """A multipart/form-data body, as a browser sends a form with a file: (content type, bytes)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


class Person:
    """A signed-in browser that sends a form's POST and reads the answer as it is: (status, where to, what it says)."""

    def __init__(self, base, username):
        self.browser = Browser(base)
        self.browser.log_in(username, PASSWORD)
        self.raw = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.browser.cookies), NoRedirect)

    @property
    def token(self):
        return next(cookie.value for cookie in self.browser.cookies if cookie.name == "csrftoken")

    def post(self, path, fields, files=None):
        from urllib.parse import urlencode

        fields = {**fields, "csrfmiddlewaretoken": self.token}
        if files:
            content_type, body = multipart(fields, files)
        else:
            content_type, body = "application/x-www-form-urlencoded", urlencode(fields).encode()
        url = self.browser.base + path
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type, "Referer": url})
        try:
            with self.raw.open(request, timeout=120) as response:
                status, location, page = response.status, None, response.read().decode()
        except urllib.error.HTTPError as answer:
            status, location, page = answer.code, answer.headers.get("Location"), answer.read().decode()
        if status == 302:
            _path, page = self.browser.get(location)  # the page it leads to shows the message
        return status, location, said(page)


def said(page):
    return [html.unescape(text) for text in re.findall(r'<p class="usa-alert__text">(.*?)</p>', page, re.S)]


def all_at_once(people, press):
    """Everyone presses at the same moment (a barrier, then one request each, in parallel threads)."""
    start = threading.Barrier(len(people))

    def one(numbered):
        n, person = numbered
        start.wait()
        return press(n, person)

    with ThreadPoolExecutor(len(people)) as pool:
        return list(pool.map(one, enumerate(people)))


def outcomes(answers, success, refusals):
    """Exactly one answer a redirect saying ``success``; the others a redirect or the same page again (a refused
    form keeps what was typed), each saying one of ``refusals``."""
    statuses = [status for status, _location, _messages in answers]
    messages = [" ".join(m) for _status, _location, m in answers]
    assert set(statuses) <= {200, 302} and statuses.count(302) >= 1, answers
    assert all(status == 302 for status, m in zip(statuses, messages, strict=True) if success in m), answers
    assert sum(success in m for m in messages) == 1, messages
    assert all(success in m or any(r in m for r in refusals) for m in messages), messages


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One installation for this file's tests (migrating one costs seconds): each test leaves it migrated."""
    installation = Stack(tmp_path_factory.mktemp("once-only") / "stack")
    try:
        installation.manage("migrate", "--noinput")
        yield installation
    finally:
        installation.close()


def test_parallel_presses_of_once_only_buttons_make_exactly_one_effect(stack):
    from tests.factories import pdf_bytes

    ids = stack.run(SEED)
    application = ids["application"]
    pdf = pdf_bytes(pages=1)

    with stack.server(workers=3, threads=2) as url, ThreadPoolExecutor(N) as pool:
        colleagues = list(pool.map(lambda n: Person(url, f"colleague{n}"), range(N)))
        organizers = list(pool.map(lambda n: Person(url, f"organizer{n}"), range(N)))
        reviewer_tabs = list(pool.map(lambda n: Person(url, "reviewer"), range(N)))

        # Six colleagues answer the question at once, each with a PDF.
        answered = all_at_once(
            colleagues,
            lambda n, p: p.post(
                f"/questions/{ids['question']}/answer/",
                {"answer": f"Attached, says colleague {n}."},
                {"document": (f"sla-{n}.pdf", pdf)},
            ),
        )
        outcomes(answered, "Your answer was sent to the panel.", ["This question has already been answered"])

        # The reviewer's draft is saved ("Submit review…" saves it and asks), then six tabs confirm at once.
        review = {
            "version": str(ids["version"]),
            "action": "submit",
            "comments_for_applicant": "Clear.",
            "private_notes": "",
        }
        review |= {f"judged_{code}": str(points) for code, points in FULL.items()}
        status, _location, _messages = reviewer_tabs[0].post(f"/reviews/{ids['review']}/", review)
        assert status == 302, _messages
        confirm = {"version": str(ids["version"] + 1)}
        submitted = all_at_once(reviewer_tabs, lambda n, p: p.post(f"/reviews/{ids['review']}/submit/", confirm))
        assert all(status in (200, 302) for status, _l, _m in submitted), submitted
        texts = [" ".join(m) for _s, _l, m in submitted]
        assert sum("Your review is submitted." in t for t in texts) == 1, texts
        assert all(
            "Your review is submitted." in t
            or "This review was already submitted" in t
            or "You have submitted this review" in t
            for t in texts
        ), texts

        # Six organizers record the decision at once, each from a page that showed no decision yet.
        decision = {
            "outcome": "designated",
            "level": "Designated",
            "rationale": "Meets the threshold.",
            "override_reason": "Checked by hand.",
            "current": "",
        }
        decided = all_at_once(
            organizers, lambda n, p: p.post(f"/organize/applications/{application}/decide/", decision)
        )
        outcomes(
            decided,
            "The decision is recorded: Designated — Designated.",
            ["A decision was recorded after you opened the page"],
        )

        # Six organizers publish at once, each confirming the one decision their page showed.
        published = all_at_once(
            organizers,
            lambda n, p: p.post(f"/organize/cycles/{ids['cycle']}/publish/", {"confirm": "publish", "expected": "1"}),
        )
        outcomes(published, "1 decision is published;", ["There are no unpublished decisions in this cycle."])

        # Six colleagues appeal at once.
        appealed = all_at_once(
            colleagues,
            lambda n, p: p.post(f"/applications/{application}/appeal/", {"statement": f"Reconsider, says {n}."}),
        )
        outcomes(appealed, "Your appeal is filed.", ["An appeal of this decision is already pending"])

        server_log = stack.log(stack.processes[-1])
    assert "Traceback" not in server_log and "Internal Server Error" not in server_log, server_log

    code = COUNT.replace("APPLICATION", repr(application)).replace("QUESTION", str(ids["question"]))
    state = stack.run(code.replace("REVIEW", str(ids["review"])))
    events = state["events"]
    once = [
        "clarification.answered",
        "document.uploaded",
        "review.submitted",
        "decision.recorded",
        "decision.published",
        "cycle.published",
        "appeal.filed",
    ]
    assert {action: events.get(action) for action in once} == dict.fromkeys(once, 1), events

    # The answer and its one document; no loser's PDF in the upload folder.
    assert re.fullmatch(r"Attached, says colleague \d\.", state["answer"])
    [[document, stored]] = state["documents"]
    assert state["answer_document"] == document
    on_disk = sorted(path.relative_to(stack.media).as_posix() for path in stack.media.rglob("*") if path.is_file())
    assert on_disk == [stored]

    assert state["review"] == ["submitted", ids["version"] + 2]  # saved as a draft once, then submitted once
    assert state["decisions"] == [["designated", "Designated", True, True]]
    assert state["cycle_status"] == "published"
    [(outcome, statement)] = state["appeals"]
    assert outcome == "pending" and re.fullmatch(r"Reconsider, says \d\.", statement)


# --- The constraint's migration ---------------------------------------------------------------

DUPLICATES = """
from django.utils import timezone
from tests.factories import make_application, make_jurisdiction

application = make_application(jurisdiction=make_jurisdiction(name="Twice Town"))
other = make_application(jurisdiction=make_jurisdiction(name="Once Town"))
now = timezone.now()
for n, statement in enumerate(["First.", "First.", "Second."]):
    Appeal.objects.create(application=application, statement=statement, filed_at=now.replace(microsecond=n))
Appeal.objects.create(application=application, statement="Decided.", outcome="upheld")
Appeal.objects.create(application=other, statement="Alone.")
emit([str(application.pk), str(other.pk)])
"""


def test_the_migration_merges_pending_appeals_filed_twice_before_the_constraint(stack):
    stack.manage("migrate", "review", "0002", "--noinput")  # as before the constraint
    twice, once = stack.run(DUPLICATES)
    stack.manage("migrate", "--noinput")
    appeals = stack.run(
        "emit(sorted([str(a.application_id), a.outcome, a.statement] for a in Appeal.objects.order_by('filed_at')))"
    )
    pending_twice = [a for a in appeals if a[0] == twice and a[1] == "pending"]
    assert len(pending_twice) == 1
    assert re.fullmatch(r"First\.\n\nFiled again on \d{4}-\d\d-\d\d \d\d:\d\d UTC:\nSecond\.", pending_twice[0][2])
    assert sorted(a[1:] for a in appeals if a[0] == twice and a[1] != "pending") == [["upheld", "Decided."]]
    assert [a[1:] for a in appeals if a[0] == once] == [["pending", "Alone."]]
