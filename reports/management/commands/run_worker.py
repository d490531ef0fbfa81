"""``manage.py run_worker``: django-tasks-db's ``db_worker`` that survives the database and is seen.

The same options as ``db_worker`` (it is that command, subclassed). Two things differ:

- When the database goes away (a PostgreSQL restart, a dropped connection), ``db_worker`` exits with
  ``OperationalError``. This worker closes its connections, waits (0.5 s, doubling to at most
  ``MAX_BACKOFF``) and goes on polling; a report it was making when the connection broke stays
  "being made" and is offered for Resume after its lease, as when a worker is killed.
- Every ``WORKER_HEARTBEAT_SECONDS`` a thread writes the worker's heartbeat
  (``reports.models.WorkerHeartbeat``), which /health/ and the batch page read; the row is deleted when
  the worker stops.
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 0.5
MAX_BACKOFF = 5.0
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def close_connections():
    """Drop this thread's database connections (a broken one cannot even be rolled back)."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # already broken: closing it is all that was wanted
            logger.debug("Closing a broken connection failed", exc_info=True)


class Heartbeat(threading.Thread):
    """Writes the worker's row every few seconds on a connection of its own, until stopped."""

    def __init__(self, worker_id):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def beat(self):
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": timezone.now()},
        )

    def run(self):
        try:  # the row of a worker that died without deleting it, long ago, is of no use to anyone
            WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
        except Exception:
            logger.warning("Old worker heartbeats not removed", exc_info=True)
        while not self.stopping.is_set():
            try:
                self.beat()
            except CONNECTION_ERRORS as error:
                logger.warning("Worker heartbeat not written (the database did not answer: %s)", error)
            except Exception:
                logger.exception("Worker heartbeat not written")
            finally:
                close_connections()  # one short connection per beat: nothing kept to go stale
            self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS)

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except CONNECTION_ERRORS:
            pass  # the row goes stale by itself
        finally:
            close_connections()


class Worker(db_worker.Worker):
    def run(self):
        backoff = FIRST_BACKOFF
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except CONNECTION_ERRORS as error:
                if not self.running:
                    raise
                if time.monotonic() - started > 60:
                    backoff = FIRST_BACKOFF  # it had been working: a new outage starts from the shortest wait
                logger.warning("The database did not answer (%s); trying again in %.1f s.", error, backoff)
                close_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                self.startup_delay = False


class Command(db_worker.Command):
    help = "Run the task worker (batch reports): reconnects after a database restart and records a heartbeat."

    def handle(self, *args, worker_id, **options):
        # db_worker's handle() builds its Worker by that module's name for it: ours, while this runs.
        original, db_worker.Worker = db_worker.Worker, Worker
        # With --reload, this process only watches the code and restarts the one that runs the tasks,
        # which beats (a worker id of its own); a watcher beating alone would hide a dead worker.
        watcher = options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        heartbeat = None if watcher else Heartbeat(worker_id)
        if heartbeat:
            heartbeat.start()
        try:
            return super().handle(*args, worker_id=worker_id, **options)
        finally:
            db_worker.Worker = original
            if heartbeat:
                heartbeat.stop()
