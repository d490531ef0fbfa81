"""A cycle's reports made in the background, one task per application.

The tasks go through Django's task framework (the django-tasks backport):
with the database backend (settings.TASKS) ``enqueue`` writes a row and
``manage.py db_worker`` runs it; with the immediate backend it runs at once.
Each task records its outcome on its batch item and moves the batch's
counters with F() expressions, so several workers can share a batch and the
progress page reads one row.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from reports import pdf
from reports.models import ReportBatch, ReportBatchItem

logger = logging.getLogger(__name__)

Status = ReportBatchItem.Status
UNEXPECTED = "An unexpected error stopped this report; the details are in the server's log."


@task()
def generate_report(item_id):
    """Make (or find current in the cache) the report of one batch item's application."""
    claimed = ReportBatchItem.objects.filter(pk=item_id, status=Status.PENDING).update(
        status=Status.RUNNING, attempts=F("attempts") + 1
    )
    if not claimed:  # already done, or taken by another worker
        return "skipped"
    item = ReportBatchItem.objects.select_related("application__jurisdiction", "application__cycle").get(pk=item_id)
    try:
        report = pdf.application_report(item.application)
    except pdf.RenderError as error:
        return _finish(item, Status.FAILED, str(error))
    except Exception:
        logger.exception("Report of %s failed", item.application)
        return _finish(item, Status.FAILED, UNEXPECTED)
    return _finish(item, Status.DONE, reused=report.reused)


@transaction.atomic
def _finish(item, status, error="", reused=False):
    now = timezone.now()
    changed = ReportBatchItem.objects.filter(pk=item.pk, status=Status.RUNNING).update(
        status=status, error=error[:2000], reused=reused, finished_at=now
    )
    if changed:
        counter = "done" if status == Status.DONE else "failed"
        ReportBatch.objects.filter(pk=item.batch_id).update(**{counter: F(counter) + 1})
        ReportBatch.objects.filter(
            pk=item.batch_id, finished_at__isnull=True, total__lte=F("done") + F("failed")
        ).update(finished_at=now)
    return status


def start_batch(cycle, user=None, enqueue=True):
    """ "Generate all reports": a batch with one item per submitted application of the cycle, each queued."""
    from assessment.domain import audit
    from assessment.models import Application

    with transaction.atomic():
        batch = ReportBatch.objects.create(cycle=cycle, started_by=user)
        applications = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        items = ReportBatchItem.objects.bulk_create(
            ReportBatchItem(batch=batch, application_id=pk) for pk in applications.values_list("pk", flat=True)
        )
        batch.total = len(items)
        if not items:
            batch.finished_at = timezone.now()
        batch.save(update_fields=["total", "finished_at"])
        audit(
            user, "reports.batch_started", f"Reports of {cycle} requested ({len(items)})", cycle=cycle, batch=batch.pk
        )
    # Queued after the commit above, so a worker never looks for rows it cannot see yet.
    if enqueue:
        for item_id in ReportBatchItem.objects.filter(batch=batch).values_list("pk", flat=True):
            generate_report.enqueue(item_id)
    return batch


def retry_item(item):
    """Queue a failed item again. False when it is not (or no longer) failed."""
    with transaction.atomic():
        changed = ReportBatchItem.objects.filter(pk=item.pk, status=Status.FAILED).update(
            status=Status.PENDING, error="", finished_at=None
        )
        if not changed:
            return False
        ReportBatch.objects.filter(pk=item.batch_id).update(failed=F("failed") - 1, finished_at=None)
    generate_report.enqueue(item.pk)
    return True


def progress(batch):
    """The batch's state as the progress page and its JSON endpoint show it."""
    made = f"{batch.finished} of {batch.total} report{'s' if batch.total != 1 else ''} made"
    if batch.failed:
        made += f", {batch.failed} failed"
    if batch.is_finished:
        made += ". Finished."
    return {
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "finished": batch.finished,
        "percent": batch.percent,
        "is_finished": batch.is_finished,
        "text": made,
    }
