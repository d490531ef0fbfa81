"""The same background reports on Redis: with REDIS_URL set, "Generate all reports" goes through RQ.

Everything is real and in its own process, as on several machines: a
redis-server on loopback (``TEST_REDIS_URL`` when CI provides one, otherwise
started here), gunicorn serving the organizer's pages and an RQ worker
(``manage.py rqworker``), both on a ``stack`` installation with REDIS_URL set.
Only this file reads TEST_REDIS_URL: REDIS_URL itself would switch the whole
suite's task backend. A Redis given to these tests is theirs: each test
empties it first.
"""

import io
import json
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from tests.factories import PASSWORD
from tests.stack import PYTHON, Browser, free_port

NAMES = ("Alder", "Birch", "Cedar")
# As the README says to run it: settings.RQ names the job class, so no flag is needed.
# --burst: the worker takes what is queued and exits once the queue is empty, so the test waits for its exit
# instead of signalling a worker that may be between two steps of RQ's bookkeeping.
WORKER = [PYTHON, "manage.py", "rqworker", "--burst", "default"]

SEED = f"""
from django.utils import timezone
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.answers import complete_answers

cycle = make_cycle(name="2026–2028")
for name in {NAMES!r}:
    make_application(
        jurisdiction=make_jurisdiction(name=name), cycle=cycle, status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(), answers=complete_answers(),
    )
make_application(jurisdiction=make_jurisdiction(name="Draft Town"), cycle=cycle, answers={{}})  # gets no report
make_organizer(username="organizer")
emit(cycle.pk)
"""


# --- Redis ------------------------------------------------------------------------------


@contextmanager
def redis_server_on(port, folder):
    """Debian's redis-server on a loopback port, without persistence, until the block ends; its URL."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.fail("redis-server is not installed (apt-get install redis-server); CI installs it.")
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    with open(folder / "redis.log", "w") as log:
        process = subprocess.Popen([*command, "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if Redis.from_url(url).ping():
                    break
            except RedisConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start:\n{(folder / 'redis.log').read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A Redis URL: CI's (TEST_REDIS_URL), or a redis-server of this module's own."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    with redis_server_on(free_port(), tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis(redis_server):
    """An empty Redis for this test: (its URL, a connection)."""
    connection = Redis.from_url(redis_server)
    connection.flushdb()
    yield redis_server, connection
    connection.close()


def seeded(stack, redis_url):
    """A stack on Redis with a cycle of three submitted applications and a draft; the cycle's id."""
    stack.env["REDIS_URL"] = redis_url  # for every process of the stack started from now on
    stack.manage("migrate", "--noinput")
    return stack.run(SEED)


def read_pdf(data):
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


# --- Tests ------------------------------------------------------------------------------


def test_with_redis_url_the_checks_pass_and_tasks_go_to_rq(stack, redis):
    """The switch is REDIS_URL alone: same code, same commands, the RQ backend on that Redis."""
    url, _ = redis
    stack.manage("migrate", "--noinput")
    where = """
from django.contrib import admin
from django_rq import get_queue
from django_rq.models import Dashboard
from reports.tasks import generate_report
emit([type(generate_report.get_backend()).__name__, get_queue("default").connection.connection_pool.connection_kwargs,
      Dashboard in admin.site._registry])
"""
    backend, _redis_kwargs, rq_in_admin = stack.run(where)
    assert (backend, rq_in_admin) == ("DatabaseBackend", False)  # the default, without REDIS_URL: no RQ pages

    stack.env["REDIS_URL"] = url
    assert "System check identified no issues" in stack.manage("check").stdout
    backend, redis_kwargs, rq_in_admin = stack.run(where)
    assert (backend, rq_in_admin) == ("RQBackend", True)
    assert (redis_kwargs["host"], redis_kwargs["port"]) == ("127.0.0.1", urlsplit(url).port)


def test_a_batch_of_reports_runs_through_redis_on_an_rq_worker(stack, redis):
    """The organizer's click on one server, the work on an RQ worker elsewhere, the PDFs back on the server."""
    url, connection = redis
    cycle = seeded(stack, url)
    queue = Queue("default", connection=connection)

    with stack.server() as base:
        browser = Browser(base)
        browser.log_in("organizer", PASSWORD)
        assert "3 submitted applications" in browser.get(f"/organize/cycles/{cycle}/reports/")[1]

        # The click queues one job per submitted application in Redis; no worker runs yet.
        page_url, page = browser.post(f"/organize/cycles/{cycle}/reports/generate/")
        batch = int(re.fullmatch(r"/organize/report-batches/(\d+)/", page_url)[1])
        assert "Making 3 reports of 2026–2028." in page and "0 of 3 reports made" in page
        assert queue.count == 3
        assert {job.func_name for job in queue.jobs} == {"reports.tasks.generate_report"}

        # A worker in another process (as on another machine) takes them; the page's JSON shows progress.
        worker = stack.spawn(WORKER)
        deadline = time.monotonic() + 180
        while True:
            exited = worker.poll() is not None  # before the status, so a worker that exited has said all
            progress = json.loads(browser.get(f"/organize/report-batches/{batch}/status/")[1])
            if progress["is_finished"]:
                break
            assert not exited, f"The RQ worker stopped before the batch finished:\n{stack.log(worker)}"
            assert time.monotonic() < deadline, f"The batch did not finish: {progress}\n{stack.log(worker)}"
            time.sleep(0.5)
        assert progress["text"] == "3 of 3 reports made. Finished."

        # The web server hands out the PDF the worker wrote (a MEDIA_ROOT both reach).
        files = stack.run(
            f"""
emit([(str(f.application.pk), f.application.jurisdiction.name, f.file.name, item.status, item.attempts)
      for item in ReportBatchItem.objects.filter(batch={batch}).select_related("application")
      for f in ReportFile.objects.filter(kind="application", application=item.application)])
"""
        )
        assert sorted(name for _, name, *_ in files) == list(NAMES)
        for pk, name, path, status, attempts in files:
            assert (status, attempts) == ("done", 1)
            on_disk = (stack.media / path).read_bytes()
            reader, text = read_pdf(on_disk)
            assert f"{name}, VA" in text and "2026–2028" in text and "Draft Town" not in text
            assert reader.metadata.title == f"DRAFT — Designation report: {name}, VA, 2026–2028"
            assert browser.download(f"/applications/{pk}/report.pdf")[1] == on_disk  # cached, not made again
        # The queue is empty, so the burst worker ends by itself once RQ has recorded the last job.
        assert worker.wait(timeout=120) == 0, stack.log(worker)
        worker_log = stack.log(worker)
        stack.stop(worker)  # closes its log

    # Every job went through Redis and finished there, none failed; the worker says so too.
    assert queue.count == 0
    assert FinishedJobRegistry(queue=queue).count == 3
    assert FailedJobRegistry(queue=queue).count == 0 and StartedJobRegistry(queue=queue).count == 0
    assert stack.run("emit(ReportFile.objects.count())") == 3
    assert worker_log.count("Job OK") == 3, worker_log


def test_when_redis_is_down_the_organizer_is_told_and_can_start_again_once_it_is_back(stack, tmp_path):
    """A message on the page instead of a server error; no restart needed once Redis answers again."""
    port = free_port()  # nothing listens there yet
    cycle = seeded(stack, f"redis://127.0.0.1:{port}/0")

    with stack.server() as base:
        browser = Browser(base)
        browser.log_in("organizer", PASSWORD)
        page_url, page = browser.post(f"/organize/cycles/{cycle}/reports/generate/")  # no 500
        assert page_url == f"/organize/cycles/{cycle}/reports/"
        assert (
            "The reports could not be started: the service that makes them in the background is not answering." in page
        )
        assert "Generate all reports" in page

        # Redis comes back; the same web server, untouched, queues the next click there.
        with redis_server_on(port, tmp_path) as url:
            page_url, page = browser.post(f"/organize/cycles/{cycle}/reports/generate/")
            assert re.fullmatch(r"/organize/report-batches/\d+/", page_url)
            assert "Making 3 reports of 2026–2028." in page
            assert Queue("default", connection=Redis.from_url(url)).count == 3
