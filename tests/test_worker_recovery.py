"""The task worker and the web server live through a PostgreSQL restart, and a missing worker is seen.

The process tests own a PostgreSQL cluster of their own (initdb into a temporary folder, on a free port,
as the ``postgres`` OS user), because they restart it: the suite's shared server is never touched. They
are skipped, saying why, where the PostgreSQL server binaries or the ``postgres`` user are missing.

- A running ``manage.py run_worker`` sees the database go away and come back, then makes the reports
  queued afterwards, and its heartbeat is fresh (``db_worker`` exits with ``OperationalError``).
- gunicorn with persistent connections (``CONN_MAX_AGE``) warmed on every thread answers every request
  after the restart (without ``CONN_HEALTH_CHECKS`` the first request on each kept connection fails).
- /health/ says the worker is "not seen" while none runs and "ok" while one does, still 200; the batch
  page says that no report worker is running while its reports wait.

The unit tests below them check the same decisions in-process, on the suite's database.
"""

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from config import views as config_views
from reports import tasks
from reports.management.commands import run_worker
from reports.models import WorkerHeartbeat
from tests.factories import PASSWORD
from tests.stack import Browser, Stack, free_port

CYCLE = "2026–2028"
NO_WORKER = "No report worker is running</h2>"
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

SEED = f"""
from django.utils import timezone
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.answers import complete_answers

cycle = make_cycle(name={CYCLE!r})
make_application(
    jurisdiction=make_jurisdiction(name="Alder"), cycle=cycle, status=Application.Status.SUBMITTED,
    submitted_at=timezone.now(), answers=complete_answers(),
)
make_organizer(username="organizer")
emit(cycle.pk)
"""


# --- A PostgreSQL cluster of the test's own ------------------------------------------------


class PrivatePostgres:
    """initdb, pg_ctl start/stop/restart of a throw-away cluster, run as the ``postgres`` OS user."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
        if not found:
            pytest.skip("No PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): cannot restart a server")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("No 'postgres' OS user to run a private PostgreSQL cluster as")
        if os.geteuid() not in (0, owner.pw_uid):
            pytest.skip("Running a private PostgreSQL cluster needs root (runuser) or the 'postgres' user")
        self.bin = Path(found[-1]).parent
        self.owner = owner
        self.folder = Path(tempfile.mkdtemp(prefix="worker-recovery-pg-"))  # /tmp: reachable by postgres
        self.data = self.folder / "data"
        self.port = free_port()
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres("initdb", "-D", self.data, "--auth=trust", "--username=postgres", "--no-sync", "-E", "UTF8")

    def _as_postgres(self, program, *args, timeout=60):
        command = [str(self.bin / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if result.returncode != 0:
            raise AssertionError(f"{program} failed:\n{result.stdout}\n{result.stderr}\n{self.server_log()}")
        return result

    def server_log(self):
        log = self.folder / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def _options(self):
        return f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"

    def start(self):
        self._as_postgres(
            "pg_ctl", "-D", self.data, "-o", self._options(), "-l", self.folder / "server.log", "-w", "start"
        )

    def stop(self, mode="fast"):
        self._as_postgres("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def restart(self):
        log = self.folder / "server.log"  # (without a log file the server would hold our pipe open)
        self._as_postgres("pg_ctl", "-D", self.data, "-o", self._options(), "-l", log, "-m", "fast", "-w", "restart")

    def close(self):
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop(mode="immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def pg_stack(postgres, tmp_path_factory):
    """One installation on the private cluster for the module (migrating it is the slow part)."""
    installation = Stack(tmp_path_factory.mktemp("worker-recovery") / "stack", server_url=postgres.url)
    installation.env["WORKER_HEARTBEAT_SECONDS"] = "1"
    try:
        installation.manage("migrate", "--noinput")
        installation.cycle = installation.run(SEED)
        yield installation
    finally:
        installation.close()


@pytest.fixture(scope="module")
def server(pg_stack):
    """gunicorn on it, with persistent connections (CONN_MAX_AGE 60 by default) on 2 × 4 threads."""
    with pg_stack.server(workers=2, threads=4) as url:
        yield url


def query(stack, sql):
    """Rows of the stack's database, read directly (faster than a Django process per look)."""
    import psycopg

    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as connection:
        return connection.execute(sql).fetchall()


def batch_state(stack, pk):
    return query(
        stack, f"SELECT total, done, failed, finished_at IS NOT NULL FROM reports_reportbatch WHERE id = {pk}"
    )[0]


def heartbeat_ages(stack):
    return [age for (age,) in query(stack, "SELECT extract(epoch FROM now() - seen_at) FROM reports_workerheartbeat")]


def wait_until(condition, what, seconds, process, stack):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert process.poll() is None, f"The worker stopped while waiting for {what}:\n{stack.log(process)}"
        assert time.monotonic() < deadline, f"Not within {seconds} s: {what}\n{stack.log(process)}"
        time.sleep(0.2)
    return value


def health(url):
    try:
        with urllib.request.urlopen(f"{url}/health/", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def reported(body, *names):
    """The parts of /health/'s answer that these tests are about (others add their own checks)."""
    return {name: body.get(name) for name in ("status", "database", "media", "worker", *names)}


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def generate_reports(stack, url):
    """The organizer clicks "Generate all reports"; (the batch's id, the batch page they land on)."""
    browser = Browser(url)
    browser.log_in("organizer", PASSWORD)
    landed, page = browser.post(f"/organize/cycles/{stack.cycle}/reports/generate/")
    assert landed.startswith("/organize/report-batches/"), landed
    return int(landed.strip("/").rsplit("/", 1)[-1]), page, browser


# --- The real processes ------------------------------------------------------------------------


@pytest.mark.process
def test_health_and_the_batch_page_say_whether_a_worker_runs(pg_stack, server):
    code, body = health(server)
    assert (code, reported(body)) == (200, {"status": "ok", "database": "ok", "media": "ok", "worker": "not seen"})
    batch, page, browser = generate_reports(pg_stack, server)
    assert NO_WORKER in page

    with pg_stack.worker("--interval=0.2") as worker:
        wait_until(lambda: health(server)[1].get("worker") == "ok", "/health/ to see the worker", 20, worker, pg_stack)
        code, body = health(server)
        assert (code, reported(body)) == (200, {"status": "ok", "database": "ok", "media": "ok", "worker": "ok"})
        wait_until(lambda: batch_state(pg_stack, batch)[3], "the batch to finish", 120, worker, pg_stack)
        assert NO_WORKER not in browser.get(f"/organize/report-batches/{batch}/")[1]
    # A worker that stops says so: its heartbeat is gone at once.
    assert heartbeat_ages(pg_stack) == [] and health(server)[1]["worker"] == "not seen"


@pytest.mark.process
def test_the_worker_lives_through_a_database_restart_and_makes_the_reports_queued_after_it(pg_stack, postgres, server):
    with pg_stack.worker("--interval=0.2") as worker:
        wait_until(lambda: heartbeat_ages(pg_stack), "the first heartbeat", 20, worker, pg_stack)
        # A restart with a real outage: the worker polls five times a second, so it meets the closed
        # connection and then refused ones (db_worker exits at the first).
        postgres.stop()
        time.sleep(1.5)
        postgres.start()
        restarted = time.monotonic()
        wait_until(lambda: "did not answer" in pg_stack.log(worker), "the worker to notice", 10, worker, pg_stack)

        batch, _page, _browser = generate_reports(pg_stack, server)
        assert wait_until(
            lambda: batch_state(pg_stack, batch)[3] and batch_state(pg_stack, batch), "the batch", 120, worker, pg_stack
        ) == (1, 1, 0, True)
        # Its heartbeat goes on too: written since the restart, and fresh. A batch done within the worker's
        # first beat after the restart finds the beat from before it, so the test waits for the next one.
        ages = wait_until(
            lambda: (found := heartbeat_ages(pg_stack)) and found[0] < time.monotonic() - restarted and found,
            "a heartbeat since the restart",
            10,
            worker,
            pg_stack,
        )
        assert len(ages) == 1 and ages[0] < min(5, time.monotonic() - restarted), ages
        assert worker.poll() is None


@pytest.mark.process
def test_a_warm_server_answers_every_request_after_a_database_restart(postgres, server):
    paths = ["/designees/", "/health/"] * 16  # 32 requests, 16 at once, on 2 workers × 4 threads
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Warm: many requests at once, so every thread of every gunicorn worker keeps a connection.
        for _ in range(2):
            assert set(pool.map(lambda path: status_of(server + path), paths)) == {200}
        postgres.restart()
        statuses = list(pool.map(lambda path: status_of(server + path), paths))
    assert statuses.count(200) == len(paths), sorted(statuses)


# --- The same decisions, in-process ------------------------------------------------------------


@pytest.mark.django_db
def test_a_heartbeat_counts_until_it_is_stale(client, settings):
    settings.TASKS = DATABASE
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 60
    assert tasks.worker_status() == "not seen"
    beat = WorkerHeartbeat.objects.create(worker_id="w1", host="here", pid=1)
    assert tasks.worker_status() == "ok"
    assert client.get(reverse("health")).json()["worker"] == "ok"
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now() - timedelta(seconds=61))
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert reported(response.json()) == {"status": "ok", "database": "ok", "media": "ok", "worker": "not seen"}
    settings.TASKS = IMMEDIATE  # or Redis: no heartbeat of ours to read
    assert client.get(reverse("health")).json()["worker"] == "not applicable"


@pytest.mark.django_db
def test_a_failing_worker_check_does_not_fail_the_health_check(client, monkeypatch):
    def unreachable():
        raise ConnectionError("went away")

    monkeypatch.setitem(config_views.CHECKS, "worker", unreachable)
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json()["worker"] == "unknown"


@pytest.mark.django_db
def test_the_batch_page_says_no_worker_runs_only_while_its_reports_wait_without_one(client, settings):
    from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer
    from tests.factories.answers import complete_answers

    settings.TASKS = DATABASE
    cycle = make_cycle(name=CYCLE)
    make_application(
        jurisdiction=make_jurisdiction(name="Alder"),
        cycle=cycle,
        status="submitted",
        submitted_at=timezone.now(),
        answers=complete_answers(),
    )
    batch = tasks.start_batch(cycle)
    client.force_login(make_organizer())
    page = lambda: client.get(reverse("report_batch", args=[batch.pk])).content.decode()  # noqa: E731
    assert NO_WORKER in page()
    WorkerHeartbeat.objects.create(worker_id="w1", host="here", pid=1)
    assert NO_WORKER not in page()
    WorkerHeartbeat.objects.all().delete()
    batch.items.update(status="done")
    batch.done = batch.total
    batch.save()
    assert NO_WORKER not in page()  # nothing waits


def test_the_worker_waits_and_goes_on_when_the_database_does_not_answer(monkeypatch):
    from django.db.utils import InterfaceError, OperationalError

    outcomes = [OperationalError("the connection is closed"), InterfaceError("connection already closed"), None]
    calls, sleeps = [], []

    def poll(self):
        calls.append(self.startup_delay)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(run_worker.db_worker.Worker, "run", poll)
    monkeypatch.setattr(run_worker.time, "sleep", sleeps.append)
    monkeypatch.setattr(run_worker, "close_connections", lambda: calls.append("closed"))
    worker = run_worker.Worker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id="w",
    )
    worker.run()
    assert calls == [True, "closed", False, "closed", False]
    assert sleeps == [0.5, 1.0]

    # Shutting down (SIGTERM during the outage): it does not go on.
    outcomes[:] = [OperationalError("the connection is closed")]
    calls.clear()
    worker.running = False
    with pytest.raises(OperationalError):
        worker.run()


def test_run_worker_is_db_worker_with_its_options():
    from django.core.management import get_commands

    assert get_commands()["run_worker"] == "reports"
    parser = run_worker.Command().create_parser("manage.py", "run_worker")
    options = parser.parse_args(["--no-reload", "--interval=0.2", "--batch", "--max-tasks=3"])
    assert (options.interval, options.batch, options.max_tasks, options.reload) == (0.2, True, 3, False)
