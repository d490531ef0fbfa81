"""The download of an application's record of submission (reports/submission_record.py). Thin: check, render, answer.

Who may have it (``assessment.access.may_read_submission_record``): the jurisdiction's own staff and
organizers, once the application is submitted. Outsiders get the 404 of ``get_application_for``;
a reviewer of the application gets 403, as for the other PDFs; a draft has no record yet: a 404
page that says so. When the record cannot be rendered, the report's "could not be made" page (503).
"""

import io

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from assessment.access import get_application_for, may_follow, may_read_submission_record
from reports import submission_record
from reports.render import RenderError

NOT_SUBMITTED = gettext_lazy(
    "There is no record of submission yet: this application has not been submitted. "
    "Once it is, its record can be downloaded from its page."
)
NOT_YOURS = gettext_lazy(
    "Only the jurisdiction's own staff and the program's organizers can download the record of submission."
)


@require_GET
def submission_record_pdf(request, pk):
    application = get_application_for(request, pk)
    if not may_read_submission_record(request.user, application):
        if application.is_draft and may_follow(request.user, application):
            return render(request, "404.html", {"message": NOT_SUBMITTED}, status=404)
        raise PermissionDenied(str(NOT_YOURS))
    try:
        data = submission_record.pdf(application)
    except RenderError as error:
        # The report's page for a PDF that cannot be made: what happened, what to do (never a server error).
        context = {
            "message": str(error),
            "back_url": reverse("application_detail", args=[application.pk]),
            "back_label": _("Back to the application"),
        }
        return render(request, "reports/pdf/failed.html", context, status=503)
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=submission_record.file_name(application),
        content_type="application/pdf",
    )
    # The record is not public: no shared cache keeps a copy, and no cache at all keeps a stale one.
    patch_cache_control(response, private=True, no_store=True)
    return response
