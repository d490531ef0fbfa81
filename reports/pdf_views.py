"""Pages and downloads of the PDF reports. Thin: check who asks, call the documents / reports.tasks, answer.

Who sees an application's report (``assessment.access.may_read_report``):
organizers and the reviewers assigned to it now, at any time (a draft until
the panel decides); the applicant's own staff once the current decision is
published. Everyone else gets the 404 of ``get_application_for``. The cycle
summary and the batches are organizers'.

An application's report is in the jurisdiction's language; ``?lang=en`` or ``?lang=fr`` asks for the
other one (anything else: the jurisdiction's). The cycle summary and the pages are in the language of
the person who asks.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from redis.exceptions import RedisError

from assessment.access import get_application_for, get_cycle_for, may_read_report, organizer_required, sees_panel
from assessment.models import Application
from reports import application_report, cycle_summary, tasks
from reports.designees import designees
from reports.downloads import download_name, pdf_bytes_response, pdf_response
from reports.models import ReportBatch, ReportBatchItem
from reports.render import RenderError

NOT_PUBLISHED = gettext_lazy("Your designation report will be here once the panel's decision is published.")
QUEUE_DOWN = gettext_lazy(
    "The reports could not be started: the service that makes them in the background is not answering. "
    "Try again in a few minutes; if this keeps happening, tell the site's administrator."
)
QUEUE_DOWN_AGAIN = gettext_lazy(
    "The reports could not be queued again: the service that makes them in the background is not answering. "
    "Try Resume again in a few minutes; if this keeps happening, tell the site's administrator."
)

logger = logging.getLogger(__name__)


def _failed(request, error, back_url, back_label):
    """The page shown when a report cannot be made: what happened, what to do (never a server error)."""
    return render(
        request,
        "reports/pdf/failed.html",
        {"message": str(error), "back_url": back_url, "back_label": back_label},
        status=503,
    )


@require_GET
def application_report_pdf(request, pk):
    application = get_application_for(request, pk)
    if not may_read_report(request.user, application):
        raise PermissionDenied(str(NOT_PUBLISHED))
    # Independence: a reviewer whose own review is not in reads no other reviewer's work, here either.
    blind = request.user.is_reviewer and not sees_panel(request.user, application)
    # The jurisdiction's language (its stored copy), or the other one asked for with ?lang= (made for this download).
    language = application_report.report_language(application, request.GET.get("lang"))
    stored = language == application_report.home_language(application)
    try:
        if stored:
            report = application_report.report_file(application, blind=blind)
        else:
            data = application_report.translated_pdf(application, language, blind=blind)
    except RenderError as error:
        back = reverse("application_detail", args=[application.pk])
        return _failed(request, error, back, _("Back to the application"))
    with translation.override(language):
        name = download_name(application.jurisdiction, application.cycle, _("designation report"))
    return pdf_response(report, name) if stored else pdf_bytes_response(data, name)


@require_GET
def cycle_summary_pdf(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    try:
        report = cycle_summary.report_file(cycle)
    except RenderError as error:
        return _failed(request, error, reverse("report_batches", args=[cycle.pk]), _("Back to the reports"))
    return pdf_response(report, download_name(_("designees"), cycle))


@require_GET
def batches(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    return render(
        request,
        "reports/batch_list.html",
        {
            "cycle": cycle,
            "batches": cycle.report_batches.select_related("started_by")[:20],
            "submitted": Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).count(),
            "designees": designees(cycle).count(),
        },
    )


@require_POST
def start_batch(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    try:
        batch = tasks.start_batch(cycle, request.user)
    except RedisError:  # tasks on Redis (REDIS_URL) and Redis down: tell the organizer, not a server error
        logger.exception("The reports of %s could not be queued", cycle)
        messages.error(request, QUEUE_DOWN)
        return redirect("report_batches", cycle_id=cycle.pk)
    messages.success(
        request,
        ngettext("Making %(count)s report of %(cycle)s.", "Making %(count)s reports of %(cycle)s.", batch.total)
        % {"count": batch.total, "cycle": cycle},
    )
    return redirect("report_batch", pk=batch.pk)


def _batch_for(pk):
    return get_object_or_404(ReportBatch.objects.select_related("cycle", "started_by"), pk=pk)


@require_GET
@organizer_required
def batch_detail(request, pk):
    batch = _batch_for(pk)
    items = batch.items.select_related("application__jurisdiction")
    lost = [] if batch.is_finished else tasks.lost(batch)
    # Reports waiting for a worker while none has written its heartbeat lately wait until one starts.
    waiting = not batch.is_finished and batch.items.filter(status=ReportBatchItem.Status.PENDING).exists()
    no_worker = waiting and tasks.worker_status() == "not seen"
    return render(
        request,
        "reports/batch_detail.html",
        {
            "batch": batch,
            "cycle": batch.cycle,
            "progress": tasks.progress(batch, stopped=len(lost)),
            "failures": [i for i in items if i.status == ReportBatchItem.Status.FAILED],
            "lost": lost,
            "lost_names": "; ".join(str(item.application.jurisdiction) for item in lost),
            "no_worker": no_worker,
            "items": items,
        },
    )


@require_GET
@organizer_required
def batch_status(request, pk):
    batch = _batch_for(pk)
    response = JsonResponse(tasks.progress(batch))
    patch_cache_control(response, no_store=True)
    return response


@require_POST
@organizer_required
def retry_item(request, pk):
    item = get_object_or_404(ReportBatchItem.objects.select_related("application__jurisdiction"), pk=pk)
    try:
        retried = tasks.retry_item(item)
    except RedisError:  # the item waits again; Resume queues it once Redis answers
        logger.exception("The report of %s could not be queued", item.application)
        messages.error(request, QUEUE_DOWN_AGAIN)
        return redirect("report_batch", pk=item.batch_id)
    named = {"jurisdiction": item.application.jurisdiction}
    if retried:
        messages.success(request, _("The report of %(jurisdiction)s is being made again.") % named)
    else:
        messages.info(request, _("The report of %(jurisdiction)s had not failed; nothing to retry.") % named)
    return redirect("report_batch", pk=item.batch_id)


@require_POST
@organizer_required
def resume_batch(request, pk):
    """After a worker stopped: queue again the reports it was making (or that lost their task)."""
    batch = _batch_for(pk)
    try:
        again, failed = tasks.resume(batch, request.user)
    except RedisError:
        logger.exception("The reports of %s could not be queued again", batch)
        messages.error(request, QUEUE_DOWN_AGAIN)
        return redirect("report_batch", pk=batch.pk)
    if again:
        messages.success(
            request,
            ngettext("%(count)s report is being made again.", "%(count)s reports are being made again.", again)
            % {"count": again},
        )
    if failed:
        messages.warning(
            request,
            ngettext(
                "%(count)s report stopped the worker too often; see below.",
                "%(count)s reports stopped the worker too often; see below.",
                failed,
            )
            % {"count": failed},
        )
    if not (again or failed):
        messages.info(request, _("No report had stopped; nothing to resume."))
    return redirect("report_batch", pk=batch.pk)
