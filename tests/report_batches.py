"""What the report batch tests (tests/test_report_batch*.py) share: the task backends, a cycle with three
submitted applications and a draft, counted (and failing, or dying) renders, and starting a batch.
"""

import io
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application
from reports import render, tasks
from reports.models import ReportBatch, ReportBatchItem
from tests.factories import make_cycle, make_jurisdiction, make_organizer
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import make_review

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
Status = ReportBatchItem.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(name="immediate")
def immediate_fixture(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture(name="cycle")
def cycle_fixture(db):
    cycle = make_cycle(name="2026–2028")
    for name in ("Alder", "Birch", "Cedar"):
        application = make_submitted(jurisdiction=make_jurisdiction(name=name), cycle=cycle)
        make_review(application, comments=f"Comment for {name}.")
    decide(Application.objects.get(jurisdiction__name="Birch"))
    # A draft gets no report in a batch.
    Application.objects.create(jurisdiction=make_jurisdiction(name="Draft Town"), cycle=cycle, answers={})
    return cycle


class WorkerKilled(BaseException):
    """Stands for SIGKILL in-process: nothing in the task catches it, so its item is left RUNNING."""


@pytest.fixture(name="renders")
def renders_fixture(monkeypatch):
    """Count real renders; fail the ones whose HTML mentions a name in ``renders.failing``, and kill
    the worker (as far as the task can tell) in those mentioning a name in ``renders.dying``."""
    real = render.render_pdf
    calls = []
    failing, dying = set(), set()

    def counting(html, timeout=None):
        calls.append(html)
        for name in failing:
            if name in html:
                raise render.RenderError(f"Making the report took longer than 60 seconds, so it was stopped ({name}).")
        for name in dying:
            if name in html:
                raise WorkerKilled(name)
        return real(html, timeout)

    monkeypatch.setattr(render, "render_pdf", counting)
    counting.calls, counting.failing, counting.dying = calls, failing, dying
    return counting


def start(client, cycle):
    client.force_login(make_organizer())
    response = client.post(reverse("report_batch_start", args=[cycle.pk]))
    assert response.status_code == 302
    batch = ReportBatch.objects.latest("id")
    assert response.url == reverse("report_batch", args=[batch.pk])
    return batch


def item_of(batch, name):
    return batch.items.select_related("application").get(application__jurisdiction__name=name)


def lease_passes(item):
    """As if the lease had passed since the item was claimed."""
    long_ago = timezone.now() - tasks.lease() - timedelta(seconds=1)
    ReportBatchItem.objects.filter(pk=item.pk).update(claimed_at=long_ago)


def run_worker():
    """The real db_worker, in this process, until the queue is empty."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, stdout=io.StringIO())
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def status(client, batch):
    response = client.get(reverse("report_batch_status", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()
