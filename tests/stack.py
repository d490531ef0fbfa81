"""A fresh installation running in its own processes, for the tests that need real ones.

Load, fault, backup and task-worker tests kill servers and workers, run
several at once and read what they left behind. They cannot use the suite's
test database (an in-memory SQLite database is invisible to other processes,
and pytest-django wraps tests in transactions), so each ``Stack`` has its own:
a SQLite file in a temporary folder, or, when the suite runs on PostgreSQL
(``DATABASE_URL``), a new database on that same server, dropped afterwards.
It also has its own upload folder. Several pytest-xdist workers run stacks at
once: the folders are pytest's per-test temporary ones, the database names
carry the worker's name, and each worker has ports of its own (``free_port``).
Tests that use a stack are marked ``process`` (tests/conftest.py).

    def test_something(stack):
        stack.manage("migrate")
        with stack.server() as url:
            ...
        rows = stack.run("emit(Application.objects.count())")
"""

import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

# Put before the code given to Stack.run: Django set up, the models imported,
# and emit() to hand a JSON value back to the test.
PRELUDE = """
import json, django
django.setup()
from django.db import connection, transaction
from assessment.models import *
from review.models import *
from reports.models import *
from scoring.models import *
def emit(value):
    print("STACK-RESULT " + json.dumps(value, default=str), flush=True)
"""


# Under pytest-xdist (``make test``) each worker process is named gw0, gw1, ... in PYTEST_XDIST_WORKER.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
# Each worker takes loopback ports from a block of its own (gw0 16000-17999, gw1 18000-19999, ...), below
# Linux's ephemeral range, from a random start (other runs on the machine) and never the same one twice:
# a port a test let go of (a server it restarts) is not handed to another worker's server meanwhile.
PORT_BLOCK = 2000
_first_port = 16_000 + PORT_BLOCK * int(WORKER.removeprefix("gw") or 0)
_ports = itertools.count(_first_port + random.randrange(PORT_BLOCK // 2))


def free_port():
    """A loopback port nothing listens on, from this worker's block."""
    for port in _ports:
        if port >= _first_port + PORT_BLOCK:
            break
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"No free port left in {_first_port}-{_first_port + PORT_BLOCK - 1} for {WORKER}")


class Stack:
    def __init__(self, folder, server_url=None):
        """``server_url``: a PostgreSQL server (any database on it) to make the stack's database on,
        instead of the suite's ``DATABASE_URL`` (tests/test_worker_recovery.py brings a server of its own)."""
        self.folder = Path(folder)
        self.media = self.folder / "media"
        self.media.mkdir(parents=True, exist_ok=True)
        self.processes = []
        self.env = {
            **os.environ,
            "DEBUG": "1",  # plain-http cookies for the loopback clients; everything else as in production
            "SECRET_KEY": "stack-only-" + "x" * 60,
            "MEDIA_ROOT": str(self.media),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process only
        server_url = server_url or os.environ.get("DATABASE_URL")
        self.postgres = bool(server_url)
        if self.postgres:
            self.database = f"stack_{WORKER}_{uuid.uuid4().hex[:12]}"  # unique to this worker and stack
            parts = urlsplit(server_url)
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._admin(f'CREATE DATABASE "{self.database}"')
            self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.database}"))
        else:
            self.database = self.folder / "db.sqlite3"
            self.env["SQLITE_PATH"] = str(self.database)

    @property
    def kind(self):
        return "postgresql" if self.postgres else "sqlite"

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(sql)

    # Commands and scripts ------------------------------------------------

    def manage(self, *args, timeout=300, check=True, env=None):
        """Run ``manage.py`` in the stack; the CompletedProcess, with its output as text."""
        result = subprocess.run(
            [PYTHON, "manage.py", *map(str, args)],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def run(self, code, timeout=300, env=None):
        """Run Python code with Django set up in the stack; the value it passed to emit()."""
        result = subprocess.run(
            [PYTHON, "-c", PRELUDE + code],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"Script failed:\n{code}\n{result.stdout}\n{result.stderr}")
        lines = [line for line in result.stdout.splitlines() if line.startswith("STACK-RESULT ")]
        return json.loads(lines[-1].removeprefix("STACK-RESULT ")) if lines else None

    def spawn(self, args, env=None, **kwargs):
        """Start a long-running process of the stack (stopped at teardown if still running)."""
        log = open(self.folder / f"process-{len(self.processes)}.log", "w")  # noqa: SIM115 (closed in stop)
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches gunicorn's workers too
            **kwargs,
        )
        process.log_path = log.name
        process.log_file = log
        self.processes.append(process)
        return process

    # The web server and the task worker -------------------------------------

    @contextmanager
    def server(self, workers=2, threads=4, timeout=60):
        """gunicorn serving the stack on a free loopback port; yields its base URL."""
        options = [f"--workers={workers}", f"--threads={threads}", f"--timeout={timeout}", "--graceful-timeout=5"]
        with self._gunicorn("config.wsgi", options) as process:
            yield process.url

    @contextmanager
    def fault_server(self, **env):
        """gunicorn (one worker, four threads) serving the application as tests/fault_hooks.py sets it up
        from ``env`` (where the process under test stops or dies); yields (its base URL, the process)."""
        env = {key: str(value) for key, value in env.items()}
        with self._gunicorn("tests.fault_hooks:wsgi()", ["--workers=1", "--threads=4"], env) as process:
            yield process.url, process

    @contextmanager
    def _gunicorn(self, app, options, env=None):
        port = free_port()
        process = self.spawn([GUNICORN, app, f"--bind=127.0.0.1:{port}", *options], env=env)
        try:
            process.url = f"http://127.0.0.1:{port}"
            self.wait_healthy(process.url, process)
            yield process
        finally:
            self.stop(process)

    @contextmanager
    def worker(self, *extra, command="run_worker"):
        """``manage.py run_worker`` (or ``command``: ``db_worker``) on the stack's database; yields the process."""
        process = self.spawn([PYTHON, "manage.py", command, "--no-reload", "--no-startup-delay", *extra])
        try:
            yield process
        finally:
            self.stop(process)

    def wait_healthy(self, url, process, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"The server stopped at start-up:\n{self.log(process)}")
            try:
                with urllib.request.urlopen(f"{url}/health/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"The server did not answer /health/ within {seconds} s:\n{self.log(process)}")

    def kill(self, process, sig=signal.SIGKILL):
        """Kill a process and everything it started (gunicorn's workers), as a crash would."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def stop(self, process):
        if process.poll() is None:
            self.kill(process, signal.SIGTERM)
        if not process.log_file.closed:
            process.log_file.close()

    def log(self, process):
        if not process.log_file.closed:
            process.log_file.flush()
        return Path(process.log_path).read_text(errors="replace")[-5000:]

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
            if not process.log_file.closed:
                process.log_file.close()
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def wait_for(path, process=None, future=None, seconds=120):
    """Until the process under test reaches its crash point (it creates ``path``)."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process is None or process.poll() is None, "The process ended before its crash point"
        assert future is None or not future.done(), f"The request ended before its crash point: {future.result()}"
        assert time.monotonic() < deadline, f"{path.name} did not appear within {seconds} s"
        time.sleep(0.05)


class Browser:
    """A person's browser on a stack's server, over plain HTTP: cookies, the CSRF token, redirects followed.

    An error status fails the test with the page that came with it; a dropped connection raises OSError.
    """

    def __init__(self, base):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def download(self, path, data=None):
        """(the path it ended on, the body as bytes)."""
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.geturl().removeprefix(self.base), response.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(
                f"{error.code} from {error.url}:\n{error.read().decode(errors='replace')[:3000]}"
            ) from None

    def get(self, path):
        """(the path it ended on, the page)."""
        url, body = self.download(path)
        return url, body.decode()

    def post(self, path, data=None):
        """A form's POST with the CSRF token; (the path it ended on, the page)."""
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": token}, doseq=True).encode()
        url, page = self.download(path, data=body)
        return url, page.decode()

    def log_in(self, username, password):
        self.get("/login/")
        url, page = self.post("/login/", {"username": username, "password": password})
        assert url == "/", page[:2000]


@pytest.fixture
def stack(tmp_path):
    """A fresh, empty installation (run ``stack.manage("migrate")`` first)."""
    installation = Stack(tmp_path / "stack")
    try:
        yield installation
    finally:
        installation.close()
