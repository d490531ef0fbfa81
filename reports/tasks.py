"""A cycle's reports made in the background, one task per application.

The tasks go through Django's task framework (the django-tasks backport):
with the database backend (settings.TASKS) ``enqueue`` writes a row and
``manage.py run_worker`` runs it; with the immediate backend it runs at once.
Each task records its outcome on its batch item and moves the batch's
counters with F() expressions, so several workers can share a batch and the
progress page reads one row.

A worker can stop mid-render (killed, out of memory, the machine restarted).
Its item then stays RUNNING, and with the database backend so does its task
row: django-tasks-db never looks at a RUNNING task again. A live worker ends
every render within the render timeout, so a claim older than the lease
(``REPORT_LEASE_SECONDS``, by default that timeout plus a margin) was lost
with its worker. ``resume`` puts such items back in the queue, and queues
again waiting items whose task is gone. Only the holder of an item's current
claim (its ``attempts`` number) may finish it: a superseded worker that
wakes up late neither overwrites the item nor counts it a second time.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from assessment.audit import audit, named, said
from assessment.models import Application
from reports import application_report
from reports.models import ReportBatch, ReportBatchItem, WorkerHeartbeat
from reports.render import RenderError

logger = logging.getLogger(__name__)

Status = ReportBatchItem.Status
UNEXPECTED = gettext_lazy("An unexpected error stopped this report; the details are in the server's log.")
MAX_ATTEMPTS = 3  # a report whose worker keeps stopping is failed rather than started again
STOPPED_TOO_OFTEN = gettext_lazy(
    "The worker stopped every time it made this report ({attempts} attempts), so it was not started again. "
    "Retry once the server's log says why."
)


class WorkerStopped(Exception):
    """Recorded on a task row whose worker stopped while running it."""


def lease():
    """How long a claim on an item holds; a live worker has finished (or given up) by then."""
    return timedelta(seconds=settings.REPORT_LEASE_SECONDS)  # the render timeout plus a margin, by default


@task()
def generate_report(item_id):
    """Make (or find current in the cache) the report of one batch item's application."""
    claimed = ReportBatchItem.objects.filter(pk=item_id, status=Status.PENDING).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:  # already done, or taken by another worker
        return "skipped"
    # Read right after the claim: ``attempts`` is now this claim's number.
    item = ReportBatchItem.objects.select_related("application__jurisdiction", "application__cycle").get(pk=item_id)
    try:
        report = application_report.report_file(item.application)
    except RenderError as error:
        return _finish(item, Status.FAILED, str(error))
    except Exception:
        logger.exception("Report of %s failed", item.application)
        return _finish(item, Status.FAILED, str(UNEXPECTED))
    return _finish(item, Status.DONE, reused=report.reused)


@transaction.atomic
def _finish(item, status, error="", reused=False):
    now = timezone.now()
    changed = ReportBatchItem.objects.filter(pk=item.pk, status=Status.RUNNING, attempts=item.attempts).update(
        status=status, error=error[:2000], reused=reused, finished_at=now
    )
    if not changed:
        logger.warning(
            "Report of %s: attempt %s was taken over; its result is dropped.", item.application, item.attempts
        )
        return "superseded"
    _count(item.batch_id, status, now)
    return status


def _count(batch_id, status, now):
    """Move the batch's counter for one item that ended, and mark the batch finished with its last item."""
    counter = "done" if status == Status.DONE else "failed"
    ReportBatch.objects.filter(pk=batch_id).update(**{counter: F(counter) + 1})
    ReportBatch.objects.filter(pk=batch_id, finished_at__isnull=True, total__lte=F("done") + F("failed")).update(
        finished_at=now
    )


def start_batch(cycle, user=None, enqueue=True):
    """ "Generate all reports": a batch with one item per submitted application of the cycle, each queued."""
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
        words = said(gettext_noop("Reports of %(cycle)s requested (%(count)s)"), cycle=named(cycle), count=len(items))
        audit(user, "reports.batch_started", cycle=cycle, words=words, batch=batch.pk)
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


def lost(batch, now=None):
    """The batch's items whose worker stopped: claimed longer ago than the lease, or waiting on a task that is gone."""
    cutoff = (now or timezone.now()) - lease()
    lost_claim = Q(status=Status.RUNNING) & (Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True))
    ids = [*batch.items.filter(lost_claim).values_list("pk", flat=True), *_without_task(batch, cutoff)]
    if not ids:
        return []
    return list(batch.items.filter(pk__in=ids).select_related("application__jurisdiction"))


def _without_task(batch, cutoff):
    """The ids of waiting items that no live task will run."""
    waiting = set(batch.items.filter(status=Status.PENDING).values_list("pk", flat=True))
    if not waiting:
        return []
    if not isinstance(generate_report.get_backend(), DatabaseBackend):
        # Another queue (Redis) is not read from here: a batch in which nothing moved for a whole lease
        # has lost its tasks (a task queued twice is harmless: only one can claim its item).
        recent = Q(claimed_at__gte=cutoff) | Q(finished_at__gte=cutoff)
        moved = batch.started_at >= cutoff or batch.items.filter(recent).exists()
        return [] if moved else list(waiting)
    live = _tasks_of(waiting).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
    )
    return list(waiting - {args_kwargs["args"][0] for args_kwargs in live.values_list("args_kwargs", flat=True)})


def _tasks_of(item_ids):
    """The database backend's rows of generate_report for these items."""
    return DBTaskResult.objects.filter(task_path=generate_report.module_path, args_kwargs__args__0__in=list(item_ids))


def resume(batch, user=None):
    """Queue again the items whose worker stopped (failing those that stopped it MAX_ATTEMPTS times).

    Returns (queued again, failed). Queuing an item twice is harmless: only one task can claim it.
    """
    now = timezone.now()
    again, failed = [], 0
    with transaction.atomic():
        for item in lost(batch, now):
            if item.status == Status.RUNNING:
                status = _end_lost_claim(item, now)
                if status is None:
                    continue  # it finished meanwhile: the claim was not lost after all
                if status == Status.FAILED:
                    failed += 1
                    continue
            again.append(item.pk)
        if again or failed:
            words = said(
                gettext_noop("Reports of %(cycle)s resumed: %(again)s queued again, %(failed)s failed"),
                cycle=named(batch.cycle),
                again=len(again),
                failed=failed,
            )
            audit(user, "reports.batch_resumed", cycle=batch.cycle, words=words, batch=batch.pk)
    for item_id in again:
        generate_report.enqueue(item_id)
    return len(again), failed


def _end_lost_claim(item, now):
    """Put an item whose worker stopped back to waiting, or fail it once it has stopped MAX_ATTEMPTS workers.

    Returns its new status; None when the claim had ended meanwhile.
    """
    too_often = item.attempts >= MAX_ATTEMPTS
    claim = ReportBatchItem.objects.filter(pk=item.pk, status=Status.RUNNING, attempts=item.attempts)
    if too_often:
        ended = claim.update(
            status=Status.FAILED, error=STOPPED_TOO_OFTEN.format(attempts=item.attempts), finished_at=now
        )
    else:
        ended = claim.update(status=Status.PENDING, claimed_at=None)
    if not ended:
        return None
    if too_often:
        _count(item.batch_id, Status.FAILED, now)
    # Its task will never end by itself: say so on the task row (database backend).
    _tasks_of([item.pk]).filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease()).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{__name__}.{WorkerStopped.__name__}",
        traceback="The worker stopped while running this task (found by reports.tasks.resume).",
    )
    return Status.FAILED if too_often else Status.PENDING


def worker_status():
    """Whether a task worker is running: "ok" (a heartbeat younger than the stale threshold), "not seen",
    or "not applicable" when the tasks go to another queue (Redis: RQ's workers keep no heartbeat here).
    """
    if not isinstance(generate_report.get_backend(), DatabaseBackend):
        return "not applicable"
    return "ok" if WorkerHeartbeat.live().exists() else "not seen"


def progress(batch, stopped=None):
    """The batch's state as the progress page and its JSON endpoint show it.

    ``stopped``: how many of its items lost their worker (``len(lost(batch))``, counted here unless given).
    """
    if stopped is None:
        stopped = 0 if batch.is_finished else len(lost(batch))
    made = ngettext("%(finished)s of %(total)s report made", "%(finished)s of %(total)s reports made", batch.total) % {
        "finished": batch.finished,
        "total": batch.total,
    }
    # Clauses of a progress line ("2 of 3 reports made, 1 failed; 1 stopped with its worker. Finished."),
    # each a whole clause of its own language.
    if batch.failed:
        made += _(", %(count)s failed") % {"count": batch.failed}
    if stopped:
        made += ngettext("; %(count)s stopped with its worker", "; %(count)s stopped with their worker", stopped) % {
            "count": stopped
        }
    if batch.is_finished:
        made += _(". Finished.")
    return {
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "finished": batch.finished,
        "percent": batch.percent,
        "is_finished": batch.is_finished,
        "stopped": stopped,
        "text": made,
    }
