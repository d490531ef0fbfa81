"""'Generate all reports' when a worker stops mid-report: leases, resume, retries, a queue that is down
(the real processes are killed in tests/test_faults.py)."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from redis.exceptions import ConnectionError as RedisConnectionError

from assessment.models import Application, AuditEvent
from reports import application_report, render, tasks
from reports.models import ReportBatch, ReportBatchItem, ReportFile, report_upload_to
from tests.report_batches import (
    DATABASE,
    Status,
    cycle_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    immediate_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    item_of,
    lease_passes,
    media,  # noqa: F401  (a fixture: pytest finds it by name)
    renders_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    run_worker,
    start,
    status,
)

# --- A worker that stops mid-report (the real processes are killed in tests/test_faults.py) ---


@pytest.mark.django_db
def test_a_report_whose_worker_stopped_is_offered_for_resume_once_its_lease_has_passed(
    client, cycle, immediate, renders
):
    renders.dying.add("Birch")
    batch = start(client, cycle)
    birch = item_of(batch, "Birch")
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.is_finished) == (2, 0, False)
    assert (birch.status, birch.attempts) == (Status.RUNNING, 1)
    page_url = reverse("report_batch", args=[batch.pk])
    resume_url = reverse("report_batch_resume", args=[batch.pk])

    # Within the lease its worker may still be making it: nothing is offered, and Resume changes nothing.
    page = client.get(page_url).content.decode()
    assert "stopped with" not in page and resume_url not in page
    assert status(client, batch)["stopped"] == 0
    page = client.post(resume_url, follow=True).content.decode()
    assert "No report had stopped; nothing to resume." in page
    assert item_of(batch, "Birch").attempts == 1 and len(renders.calls) == 3

    lease_passes(birch)
    page = client.get(page_url).content.decode()
    assert "1 report stopped with its worker" in page and "Birch, VA" in page and resume_url in page
    progress = status(client, batch)
    assert (progress["stopped"], progress["text"]) == (1, "2 of 3 reports made; 1 stopped with its worker")

    renders.dying.clear()
    page = client.post(resume_url, follow=True).content.decode()
    assert "1 report is being made again." in page and "3 of 3 reports made. Finished." in page
    assert "stopped with" not in page
    batch.refresh_from_db()
    birch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None
    assert (birch.status, birch.attempts, birch.error) == (Status.DONE, 2, "")
    assert ReportFile.objects.filter(kind="application", application=birch.application).count() == 1
    assert AuditEvent.objects.filter(action="reports.batch_resumed", cycle=cycle).count() == 1


@pytest.mark.django_db
def test_a_stopped_worker_that_comes_back_after_its_report_was_resumed_changes_nothing(
    client, cycle, immediate, renders, monkeypatch
):
    renders.dying.add("Birch")
    batch = start(client, cycle)
    first_claim = item_of(batch, "Birch")  # what the stopped worker holds: attempt 1
    lease_passes(first_claim)
    renders.dying.clear()

    # While the resumed attempt renders, the first worker wakes up and finishes its attempt: dropped.
    late = []

    def render_while_the_first_worker_finishes(html, timeout=None):
        if "Birch" in html:
            late.append(tasks._finish(first_claim, Status.FAILED, "The first worker's late answer."))
        return renders(html, timeout)

    monkeypatch.setattr(render, "render_pdf", render_while_the_first_worker_finishes)
    assert tasks.resume(batch) == (1, 0)
    assert late == ["superseded"]
    # And once more, after the resumed attempt has finished.
    assert tasks._finish(first_claim, Status.DONE) == "superseded"

    batch.refresh_from_db()
    birch = item_of(batch, "Birch")
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None  # counted once
    assert (birch.status, birch.attempts, birch.error) == (Status.DONE, 2, "")


@pytest.mark.django_db
def test_a_report_that_keeps_stopping_its_worker_is_failed_and_can_be_retried(client, cycle, immediate, renders):
    renders.dying.add("Birch")
    batch = start(client, cycle)
    birch = item_of(batch, "Birch")
    for _attempt in range(tasks.MAX_ATTEMPTS - 1):
        lease_passes(birch)
        assert tasks.resume(batch) == (1, 0)
    birch.refresh_from_db()
    assert (birch.status, birch.attempts) == (Status.RUNNING, tasks.MAX_ATTEMPTS)

    lease_passes(birch)
    page = client.post(reverse("report_batch_resume", args=[batch.pk]), follow=True).content.decode()
    assert "1 report stopped the worker too often; see below." in page
    assert "Reports that failed" in page and f"({tasks.MAX_ATTEMPTS} attempts)" in page
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (2, 1) and batch.finished_at is not None
    assert item_of(batch, "Birch").status == Status.FAILED

    renders.dying.clear()
    client.post(reverse("report_batch_retry", args=[birch.pk]))
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and item_of(batch, "Birch").status == Status.DONE


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_resume_queues_lost_claims_and_lost_tasks_again(cycle, settings, renders):
    settings.TASKS = DATABASE
    batch = tasks.start_batch(cycle)
    alder, birch = item_of(batch, "Alder"), item_of(batch, "Birch")
    assert tasks.lost(batch) == []  # each waits on its queued task

    # Alder's task is gone (say the server stopped between the batch's commit and the queue).
    DBTaskResult.objects.filter(args_kwargs__args__0=alder.pk).delete()
    # Birch's worker took its task and claimed the item, then was killed, longer ago than the lease.
    long_ago = timezone.now() - tasks.lease() - timedelta(seconds=1)
    DBTaskResult.objects.filter(args_kwargs__args__0=birch.pk).update(status="RUNNING", started_at=long_ago)
    ReportBatchItem.objects.filter(pk=birch.pk).update(status=Status.RUNNING, attempts=1, claimed_at=long_ago)
    assert [item.pk for item in tasks.lost(batch)] == [alder.pk, birch.pk]

    out = io.StringIO()
    call_command("generate_reports", "--resume", stdout=out)
    assert f"Batch {batch.pk} (2026–2028): 2 report(s) queued again, 0 failed." in out.getvalue()
    dead = DBTaskResult.objects.get(args_kwargs__args__0=birch.pk, status="FAILED")
    assert dead.exception_class_path == "reports.tasks.WorkerStopped"
    assert tasks.lost(batch) == []

    run_worker()
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None
    assert sorted(batch.items.values_list("attempts", flat=True)) == [1, 1, 2]
    # Birch's dead task, Cedar's and the two queued again (Alder's first one is gone).
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"] + ["SUCCESSFUL"] * 3
    assert ReportFile.objects.filter(kind="application").count() == 3

    out = io.StringIO()
    call_command("generate_reports", "--resume", "2026–2028", stdout=out)
    assert "Nothing to resume (a report counts as stopped after 2 minutes)." in out.getvalue()
    with pytest.raises(Exception, match="Name the cycle whose reports to make. Cycles: 2026–2028."):
        call_command("generate_reports")


@pytest.mark.django_db
def test_a_file_left_by_a_killed_render_is_replaced_not_kept_beside_the_new_one(cycle, settings):
    application = Application.objects.get(jurisdiction__name="Alder")
    # The killed worker wrote the PDF, but not the row naming it (left as get_or_create made it).
    ReportFile.objects.create(kind="application", application=application, cycle=application.cycle)
    named = ReportFile(
        kind="application", application=application, inputs_hash=application_report.gather(application).hash
    )
    leftover = report_upload_to(named, "report.pdf")
    storage = ReportFile._meta.get_field("file").storage
    storage.save(leftover, ContentFile(b"%PDF-1.7 cut short"))

    report = application_report.report_file(application)
    assert report.file.name == leftover
    folder = settings.MEDIA_ROOT / "reports" / "application" / str(application.pk)
    assert [path.name for path in folder.iterdir()] == [leftover.rsplit("/", 1)[1]]
    assert storage.open(leftover).read() != b"%PDF-1.7 cut short"


@pytest.mark.django_db
def test_when_the_queue_is_down_retry_and_resume_say_so_and_resume_works_once_it_is_back(
    client, cycle, immediate, renders, monkeypatch
):
    renders.failing.add("Birch")
    batch = start(client, cycle)
    failed = item_of(batch, "Birch")
    renders.failing.clear()
    backend = type(tasks.generate_report.get_backend())
    queue = backend.enqueue

    def redis_down(*args, **kwargs):  # what django-tasks-rq raises when Redis does not answer
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(backend, "enqueue", redis_down)
    response = client.post(reverse("report_batch_retry", args=[failed.pk]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The reports could not be queued again: the service that makes them in the background" in page
    assert "Connection refused" not in page
    # The item waits again with no task; once the lease passes, Resume queues it.
    failed.refresh_from_db()
    assert failed.status == Status.PENDING
    # On a queue it cannot read (Redis), a batch where nothing moved for a whole lease has lost its tasks.
    long_ago = timezone.now() - tasks.lease() - timedelta(seconds=1)
    ReportBatch.objects.filter(pk=batch.pk).update(started_at=long_ago)
    batch.items.update(claimed_at=long_ago, finished_at=long_ago)
    response = client.post(reverse("report_batch_resume", args=[batch.pk]), follow=True)
    assert "could not be queued again" in response.content.decode()

    monkeypatch.setattr(backend, "enqueue", queue)
    page = client.post(reverse("report_batch_resume", args=[batch.pk]), follow=True).content.decode()
    assert "3 of 3 reports made. Finished." in page
    failed.refresh_from_db()
    assert failed.status == Status.DONE
