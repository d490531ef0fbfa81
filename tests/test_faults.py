"""Crashes: a process killed in the middle of a submission or of a batch of reports.

"The server killed in the middle of a submission leaves either a submitted
application or the intact draft, never half of one; the background worker
killed mid-batch resumes without duplicate or missing reports."

Everything here runs in real processes of a ``stack`` (tests/stack.py) and is
really killed with SIGKILL: no exception, no rollback by Python, no cleanup.
Where it dies is chosen by tests/fault_hooks.py, which wraps one real function
in the process under test only (the application has no test hooks). Then a
fresh process reads what the database holds, and the people carry on.
"""

import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.factories import PASSWORD
from tests.factories.answers import post_data
from tests.fault_hooks import POINTS
from tests.stack import PRELUDE, PYTHON, Browser, wait_for

SUBMITTED = "application.submitted"

# One draft per crash point, each in a cycle of its own (the first submission of a cycle freezes its rubric).
SEED_DRAFTS = """
from assessment.domain import answers_from_state
from scoring.domain import rescore_application
from tests.factories import make_cycle, make_jurisdiction, make_user
from tests.factories.answers import wizard_state

drafts = {}
for point in POINTS:
    jurisdiction = make_jurisdiction(name=f"Town {point}")
    user = make_user(jurisdiction=jurisdiction, username=f"applicant-{point}")
    state = wizard_state()
    application = Application.objects.create(
        jurisdiction=jurisdiction, cycle=make_cycle(name=f"Cycle {point}"), wizard_state=state,
        answers=answers_from_state(state), created_by=user, updated_by=user,
    )
    rescore_application(application)
    drafts[point] = {"application": str(application.pk), "user": user.pk, "username": user.username}
if connection.vendor == "sqlite":
    connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL before the crashes
emit(drafts)
"""

# What a fresh process reads of each draft: everything a submission writes.
READ_DRAFTS = """
rows = {}
for point, ids in DRAFTS.items():
    application = Application.objects.get(pk=ids["application"])
    rows[point] = {
        "status": application.status,
        "version": application.version,
        "submitted_at": application.submitted_at,
        "wizard_state": application.wizard_state,
        "answers": application.answers,
        "audited": AuditEvent.objects.filter(application=application, action="application.submitted").count(),
        "rubric_frozen": Rubric.objects.get(cycle=application.cycle).frozen_at is not None,
        "scored_at": ScoreResult.objects.get(application=application).computed_at,
    }
integrity = "ok"
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL for the next crash
emit({"rows": rows, "integrity": integrity})
"""

SUBMIT = """
from tests.fault_hooks import install
install()
from assessment.domain import submit_application
if connection.vendor == "sqlite":
    # A tiny page cache: SQLite spills the open transaction into the WAL before it commits,
    # so the crash leaves a partly written WAL behind.
    connection.cursor().execute("PRAGMA cache_size = 1")
submit_application(Application.objects.get(pk=APPLICATION), User.objects.get(pk=USER))
emit("not killed")
"""


def read_drafts(stack, drafts):
    return stack.run(f"DRAFTS = {drafts!r}\n{READ_DRAFTS}")


def wal_size(stack):
    wal = Path(f"{stack.database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def parts_of_a_submission(now, before):
    """Each thing a submission writes, and whether the database holds it (``before``: the draft as seeded)."""
    return {
        "status submitted": now["status"] == "submitted",
        "submitted_at": now["submitted_at"] is not None,
        "version raised": now["version"] == before["version"] + 1,
        "audit event": now["audited"] == 1,
        "rubric frozen": now["rubric_frozen"],
        "rescored": now["scored_at"] != before["scored_at"],
    }


def submit_in_browser(browser, application):
    """The applicant's Submit on the last step, as the page posts it; the page it ends on."""
    step = f"/applications/{application}/steps/review/"
    _url, page = browser.get(step)
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    return browser.post(step, post_data("review", version=int(version)))


# --- A submission -----------------------------------------------------------------------


def test_a_submission_killed_at_any_point_is_all_there_or_not_at_all(stack):
    stack.manage("migrate", "--noinput")
    drafts = stack.run(f"POINTS = {POINTS!r}\n{SEED_DRAFTS}")
    seeded = read_drafts(stack, drafts)["rows"]

    for point in POINTS:
        ids = drafts[point]
        code = SUBMIT.replace("APPLICATION", repr(ids["application"])).replace("USER", str(ids["user"]))
        process = stack.spawn(
            [PYTHON, "-c", PRELUDE + code],
            env={"DJANGO_SETTINGS_MODULE": "config.settings", "FAULT_AT": point, "FAULT_ACTION": "die"},
        )
        assert process.wait(timeout=120) == -signal.SIGKILL, f"{point}: not killed\n{stack.log(process)}"
        if not stack.postgres:
            # The dead transaction's pages (or, once committed, the transaction) are in the WAL, not in the database.
            assert wal_size(stack) > 32, f"Killed at {point}, nothing in the WAL"

        # A fresh process (the restarted site) reads the database.
        after = read_drafts(stack, {point: ids})
        assert after["integrity"] == "ok"
        now, before = after["rows"][point], seeded[point]
        parts = parts_of_a_submission(now, before)
        committed = point == "committed"  # killed after the commit, before the receipt
        assert set(parts.values()) == {committed}, f"Killed at {point}, the database holds half a submission: {parts}"
        assert now["answers"] == before["answers"]
        if not committed:
            assert now["wizard_state"] == before["wizard_state"], f"Killed at {point}, the draft changed"

    # The applicants carry on with the site restarted: the drafts submit; the submitted one is shown as sent.
    with stack.server() as url:
        for point in POINTS:
            browser = Browser(url)
            browser.log_in(drafts[point]["username"], PASSWORD)
            application = drafts[point]["application"]
            if point == "committed":
                landed, page = browser.get(f"/applications/{application}/steps/review/")
                assert "This application has been submitted; here is what was sent." in page
            else:
                landed, page = submit_in_browser(browser, application)
                assert "Your application has been submitted." in page, page[:3000]
            assert landed == f"/applications/{application}/"

    final = read_drafts(stack, drafts)["rows"]
    assert {point: (row["status"], row["audited"], row["rubric_frozen"]) for point, row in final.items()} == {
        point: ("submitted", 1, True) for point in POINTS
    }


def test_the_server_killed_during_a_submission_leaves_the_draft_and_the_applicant_submits_again(stack, tmp_path):
    stack.manage("migrate", "--noinput")
    drafts = stack.run(f"POINTS = ('http',)\n{SEED_DRAFTS}")
    application, username = drafts["http"]["application"], drafts["http"]["username"]
    seeded = read_drafts(stack, drafts)["rows"]["http"]
    gate, mail = tmp_path / "gate", tmp_path / "mail"
    gate.mkdir()

    # The request stops inside the submission's transaction, with the status row, the audit event and
    # the frozen rubric written but not committed; there the server is killed.
    hooks = {"FAULT_AT": "rubric_frozen", "FAULT_ACTION": "wait", "FAULT_GATE": gate, "FAULT_MAIL_DIR": mail}
    with stack.fault_server(**hooks) as (url, process), ThreadPoolExecutor(1) as pool:
        browser = Browser(url)
        browser.log_in(username, PASSWORD)
        submitting = pool.submit(submit_in_browser, browser, application)
        wait_for(gate / "rubric_frozen.reached", process, submitting)
        stack.kill(process)
        error = submitting.exception(timeout=60)
        assert isinstance(error, OSError), error  # the connection dropped; no answer

    now = read_drafts(stack, drafts)
    assert now["integrity"] == "ok"
    draft = now["rows"]["http"]
    # The page saved what it posted (its own commit, before submitting): the same state, one version up, the
    # step it saved stamped with that version.
    assert (draft["status"], draft["submitted_at"], draft["version"]) == ("draft", None, seeded["version"] + 1)
    assert draft["wizard_state"].pop("saved")["review"]["version"] == draft["version"]
    assert draft["wizard_state"] == seeded["wizard_state"]
    assert (draft["audited"], draft["rubric_frozen"]) == (0, False)
    assert not mail.exists() or not list(mail.iterdir())  # no receipt for what did not happen

    # Restarted, the server takes the same Submit; one submission, one receipt.
    with stack.fault_server(FAULT_MAIL_DIR=mail) as (url, _process):
        browser = Browser(url)
        browser.log_in(username, PASSWORD)
        landed, page = submit_in_browser(browser, application)
        assert landed == f"/applications/{application}/"
        assert "Your application has been submitted." in page
    submitted = read_drafts(stack, drafts)["rows"]["http"]
    assert (submitted["status"], submitted["audited"], submitted["rubric_frozen"]) == ("submitted", 1, True)
    receipts = list(mail.iterdir())
    assert len(receipts) == 1 and "Received: Town http" in receipts[0].read_text()


# --- A batch of reports -----------------------------------------------------------------

CYCLE = "2026–2028"
NAMES = ("Alder", "Birch", "Cedar", "Dogwood")

SEED_BATCH = f"""
from django.utils import timezone
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.answers import complete_answers

cycle = make_cycle(name={CYCLE!r})
for name in {NAMES!r}:
    make_application(
        jurisdiction=make_jurisdiction(name=name), cycle=cycle, status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(), answers=complete_answers(),
    )
make_organizer(username="organizer")
"""

READ_BATCH = """
from django_tasks_db.models import DBTaskResult
batch = ReportBatch.objects.get()
emit({
    "batch": [batch.pk, batch.total, batch.done, batch.failed, batch.finished_at is not None],
    "items": {i.application.jurisdiction.name: [i.status, i.attempts] for i in batch.items.select_related("application__jurisdiction")},
    "files": {f.application.jurisdiction.name: [str(f.application_id), f.file.name] for f in ReportFile.objects.select_related("application__jurisdiction")},
    "tasks": sorted([t.status, t.exception_class_path] for t in DBTaskResult.objects.all()),
})
"""


def wait_for_batch(stack, worker, done, seconds=300):
    """Until ``done(state)`` holds of the batch; the state then."""
    deadline = time.monotonic() + seconds
    while True:
        state = stack.run(READ_BATCH)
        if done(state):
            return state
        assert worker.poll() is None, f"The worker stopped:\n{stack.log(worker)}"
        assert time.monotonic() < deadline, f"The batch did not get there: {state}\n{stack.log(worker)}"
        time.sleep(0.5)


def test_a_worker_killed_mid_batch_resumes_without_duplicate_or_missing_reports(stack, tmp_path):
    stack.manage("migrate", "--noinput")
    stack.run(SEED_BATCH)
    assert "4 report(s) of 2026–2028 queued" in stack.manage("generate_reports", CYCLE).stdout
    gate = tmp_path / "gate"
    gate.mkdir()

    # A worker whose renders wait at a gate: it claims the first report, and dies there.
    slow = stack.spawn(
        [PYTHON, "-c", "from tests.fault_hooks import worker; worker()", "--no-reload", "--no-startup-delay"],
        env={"FAULT_AT": "render", "FAULT_ACTION": "wait", "FAULT_GATE": gate},
    )
    wait_for(gate / "render.reached", slow)
    stack.kill(slow)
    state = stack.run(READ_BATCH)
    killed = next(name for name, (status, _attempts) in state["items"].items() if status == "running")
    assert sorted(status for status, _attempts in state["items"].values()) == ["pending"] * 3 + ["running"]

    with stack.worker("--interval=0.2") as worker:
        # A new worker makes the other three; the killed worker's report would wait for ever.
        state = wait_for_batch(stack, worker, lambda s: s["batch"][2] == 3)
        batch = state["batch"][0]
        assert state["batch"][1:] == [4, 3, 0, False] and state["items"][killed] == ["running", 1]
        assert ["RUNNING", ""] in state["tasks"]  # django-tasks-db never looks at its task again

        # The organizer's page says so (the lease, shortened here, has passed) and offers Resume.
        with stack.fault_server(FAULT_LEASE_SECONDS=0) as (url, _process):
            browser = Browser(url)
            browser.log_in("organizer", PASSWORD)
            page = browser.get(f"/organize/report-batches/{batch}/")[1]
            assert "1 report stopped with its worker" in page and f"{killed}, VA" in page
            assert f'action="/organize/report-batches/{batch}/resume/"' in page
            assert (
                "3 of 4 reports made; 1 stopped with its worker"
                in browser.get(f"/organize/report-batches/{batch}/status/")[1]
            )
            landed, page = browser.post(f"/organize/report-batches/{batch}/resume/")
            assert landed == f"/organize/report-batches/{batch}/" and "1 report is being made again." in page

        state = wait_for_batch(stack, worker, lambda s: s["batch"][4])

    # Every report exactly once: one row and one file each, every item done, the counters equal to the items.
    assert state["batch"][1:] == [4, 4, 0, True]
    assert state["items"] == {name: ["done", 2 if name == killed else 1] for name in NAMES}
    assert sorted(state["files"]) == sorted(NAMES)
    on_disk = sorted(path.relative_to(stack.media).as_posix() for path in stack.media.rglob("*") if path.is_file())
    assert on_disk == sorted(name for _application, name in state["files"].values())
    for application, name in state["files"].values():
        assert name.startswith(f"reports/application/{application}/")
        assert (stack.media / name).read_bytes()[:5] == b"%PDF-"
    # The dead task is marked failed; the three others and the resumed one succeeded.
    assert state["tasks"] == [["FAILED", "reports.tasks.WorkerStopped"]] + [["SUCCESSFUL", ""]] * 4
