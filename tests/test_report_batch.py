"""'Generate all reports': a batch of tasks with progress, a cache that skips unchanged reports, retries.

Most tests run the tasks with the immediate backend (they run as they are
queued); one queues them in the database backend, the default, and runs the
real worker in-process. A worker that stops mid-report: tests/test_report_batch_resume.py.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessment.models import Application, AuditEvent
from reports import application_report, tasks
from reports.models import ReportBatch, ReportFile
from tests.factories import make_cycle, make_organizer, make_reviewer
from tests.factories.answers import complete_answers
from tests.report_batches import (
    DATABASE,
    Status,
    cycle_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    immediate_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    media,  # noqa: F401  (a fixture: pytest finds it by name)
    renders_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    run_worker,
    start,
    status,
)


@pytest.mark.django_db
def test_a_batch_makes_every_submitted_applications_report_and_says_so(client, cycle, immediate, renders):
    batch = start(client, cycle)
    batch.refresh_from_db()

    assert (batch.total, batch.done, batch.failed) == (3, 3, 0) and batch.finished_at is not None
    assert len(renders.calls) == 3
    assert set(batch.items.values_list("status", flat=True)) == {Status.DONE}
    assert ReportFile.objects.filter(kind="application").count() == 3
    assert status(client, batch) == {
        "total": 3,
        "done": 3,
        "failed": 0,
        "finished": 3,
        "percent": 100,
        "is_finished": True,
        "stopped": 0,
        "text": "3 of 3 reports made. Finished.",
    }
    page = client.get(reverse("report_batch", args=[batch.pk])).content.decode()
    assert '<progress id="batch-progress-bar"' in page and 'max="3" value="3"' in page
    assert "3 of 3 reports made. Finished." in page
    assert 'data-finished="true"' in page and "reports/batch.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it
    for application in Application.objects.filter(cycle=cycle, status="submitted"):
        assert reverse("application_report_pdf", args=[application.pk]) in page
    assert AuditEvent.objects.filter(action="reports.batch_started", cycle=cycle).count() == 1


@pytest.mark.django_db
def test_a_second_batch_reuses_unchanged_reports_and_remakes_changed_ones(client, cycle, immediate, renders):
    start(client, cycle)
    assert len(renders.calls) == 3

    second = start(client, cycle)
    assert len(renders.calls) == 3  # nothing changed, nothing rendered
    assert list(second.items.values_list("reused", flat=True)) == [True, True, True]

    cedar = Application.objects.get(jurisdiction__name="Cedar")
    Application.objects.filter(pk=cedar.pk).update(answers=complete_answers(workforce={}))
    third = start(client, cycle)
    assert len(renders.calls) == 4 and "Cedar" in renders.calls[-1]
    assert third.items.get(application=cedar).reused is False
    assert third.items.filter(reused=True).count() == 2


@pytest.mark.django_db
def test_a_failed_report_is_listed_and_can_be_retried(client, cycle, immediate, renders):
    renders.failing.add("Birch")
    batch = start(client, cycle)
    batch.refresh_from_db()

    assert (batch.total, batch.done, batch.failed) == (3, 2, 1) and batch.finished_at is not None
    failed = batch.items.get(status=Status.FAILED)
    assert failed.application.jurisdiction.name == "Birch" and "took longer than 60 seconds" in failed.error
    assert status(client, batch)["text"] == "3 of 3 reports made, 1 failed. Finished."
    page = client.get(reverse("report_batch", args=[batch.pk])).content.decode()
    assert "Reports that failed" in page and "took longer than 60 seconds" in page
    assert reverse("report_batch_retry", args=[failed.pk]) in page

    renders.failing.clear()
    response = client.post(reverse("report_batch_retry", args=[failed.pk]))
    assert response.status_code == 302 and response.url == reverse("report_batch", args=[batch.pk])
    batch.refresh_from_db()
    failed.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None
    assert failed.status == Status.DONE and failed.attempts == 2 and failed.error == ""
    # Retrying what did not fail changes nothing.
    client.post(reverse("report_batch_retry", args=[failed.pk]))
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0)


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_item_not_the_batch(client, cycle, immediate, monkeypatch):
    def broken(application):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(application_report, "report_file", broken)
    batch = start(client, cycle)
    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (0, 3) and batch.finished_at is not None
    assert set(batch.items.values_list("error", flat=True)) == {tasks.UNEXPECTED}


@pytest.mark.django_db
def test_a_cycle_without_submissions_finishes_at_once(client, immediate):
    cycle = make_cycle()
    batch = start(client, cycle)
    batch.refresh_from_db()
    assert batch.total == 0 and batch.is_finished and batch.finished_at is not None
    page = client.get(reverse("report_batch", args=[batch.pk])).content.decode()
    assert "no submitted application" in page and "<progress" not in page


@pytest.mark.django_db
def test_the_batch_pages_are_for_organizers(client, cycle, settings):
    settings.TASKS = DATABASE
    batch = tasks.start_batch(cycle)
    item = batch.items.first()
    client.force_login(make_reviewer())
    assert client.get(reverse("report_batches", args=[cycle.pk])).status_code == 403
    assert client.get(reverse("report_batch_status", args=[batch.pk])).status_code == 403
    assert client.post(reverse("report_batch_start", args=[cycle.pk])).status_code == 403
    assert client.post(reverse("report_batch_retry", args=[item.pk])).status_code == 403
    assert ReportBatch.objects.count() == 1
    client.force_login(make_organizer())
    page = client.get(reverse("report_batches", args=[cycle.pk])).content.decode()
    assert "Generate all reports" in page and "3 submitted applications" in page
    assert reverse("cycle_summary_pdf", args=[cycle.pk]) in page and reverse("report_batch", args=[batch.pk]) in page
    assert client.get(reverse("report_batch_retry", args=[item.pk])).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_and_the_worker_runs_the_batch(client, cycle, settings, renders):
    settings.TASKS = DATABASE
    batch = start(client, cycle)

    assert DBTaskResult.objects.count() == 3
    assert set(batch.items.values_list("status", flat=True)) == {Status.PENDING}
    progress = status(client, batch)
    assert (progress["finished"], progress["is_finished"], progress["text"]) == (0, False, "0 of 3 reports made")
    page = client.get(reverse("report_batch", args=[batch.pk])).content.decode()
    assert 'max="3" value="0"' in page and 'data-finished="false"' in page

    run_worker()

    batch.refresh_from_db()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert len(renders.calls) == 3


@pytest.mark.django_db
def test_the_command_makes_the_reports_now_or_queues_them(cycle, settings, renders):
    settings.TASKS = DATABASE
    out = io.StringIO()
    call_command("generate_reports", "2026–2028", stdout=out)
    assert "3 report(s) of 2026–2028 queued" in out.getvalue() and len(renders.calls) == 0

    renders.failing.add("Alder")
    out = io.StringIO()
    call_command("generate_reports", "2026–2028", "--now", stdout=out)
    assert "3 of 3 reports made, 1 failed. Finished." in out.getvalue()
    assert "Alder, VA: Making the report took longer" in out.getvalue()

    with pytest.raises(Exception, match="No cycle is named 'nope'"):
        call_command("generate_reports", "nope")
