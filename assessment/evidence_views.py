"""Upload, download and remove evidence documents.

Uploads and removals come from the wizard's evidence step and go back to it
with a message; downloads are always attachments, never shown inline, never
cached, and always named ``….pdf`` whatever the applicant's file was called.
"""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from assessment.access import can_edit, get_document_for, get_editable_application_for
from assessment.domain import NotEditable
from assessment.evidence import StorageError, document_download_name, file_matches, remove_document, store_document
from assessment.forms import EvidenceUploadForm

logger = logging.getLogger(__name__)
DAMAGED = gettext_lazy(
    "The stored copy of this document is missing or damaged, so it is not handed out. "
    "Tell the organizers: they can restore it from a backup, or the applicant can upload it again."
)


def _back_to_evidence(application):
    if application.is_draft:
        return redirect("application_step", pk=application.pk, step="evidence")
    return redirect("application_detail", pk=application.pk)


@require_POST
def upload_document(request, pk):
    application = get_editable_application_for(request, pk)
    form = EvidenceUploadForm(request.POST, request.FILES, max_bytes=settings.EVIDENCE_MAX_BYTES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("The document was not added: %(reason)s") % {"reason": error})
        return _back_to_evidence(application)
    try:
        document = store_document(
            application, form.cleaned_data["kind"], form.cleaned_data["file"], form.checked, request.user
        )
    except (NotEditable, StorageError) as refused:
        # StorageError: the disk is full or failing; nothing was stored or changed, the draft is as it was.
        messages.error(request, str(refused))
    else:
        _say_added(request, document, form.checked)
    return _back_to_evidence(application)


def _say_added(request, document, checked):
    added = ngettext(
        "%(name)s was added (%(pages)s page).", "%(name)s was added (%(pages)s pages).", document.pages
    ) % {
        "name": document.original_name,
        "pages": document.pages,
    }
    # "For safety, links and scripts were removed from this copy." when the stored copy differs in content.
    messages.success(request, f"{added} {checked.note}" if checked.note else added)


def _remove(request, document):
    try:
        remove_document(document, request.user)
    except NotEditable as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": document.original_name})


def attach_from_step(request, application, uploading):
    """The evidence step's document actions, after its typed answers are saved (the wizard calls this).

    A file chosen on the step is uploaded by any of its buttons, so a file picked and then "Save and
    continue" is not dropped; "Remove" takes a document off. Returns the bound upload form when the file
    could not be added (the step is shown again with it, the answers being saved), else None; the outcome
    is in the messages.
    """
    remove = request.POST.get("remove")
    if remove:
        try:
            document = application.documents.filter(pk=uuid.UUID(remove)).first()
        except ValueError:
            document = None
        if document is None:
            messages.error(request, _("That document is no longer attached."))
        else:
            _remove(request, document)
        return None
    if not uploading and "file" not in request.FILES:
        return None
    form = EvidenceUploadForm(request.POST, request.FILES, max_bytes=settings.EVIDENCE_MAX_BYTES)
    if not form.is_valid():
        chosen = request.FILES.get("file")
        if chosen and chosen.name:
            messages.error(
                request,
                _("Your answers are saved, but the document was not added. Choose %(name)s again to upload it.")
                % {"name": chosen.name},
            )
        else:
            messages.error(request, _("Your answers are saved, but the document was not added."))
        return form
    try:
        document = store_document(
            application, form.cleaned_data["kind"], form.cleaned_data["file"], form.checked, request.user
        )
    except (NotEditable, StorageError) as refused:
        messages.error(
            request, _("Your answers are saved, but the document was not added: %(reason)s") % {"reason": refused}
        )
        return form
    _say_added(request, document, form.checked)
    return None


@require_GET
def download_document(request, pk):
    document = get_document_for(request, pk)
    # Only the file as it was stored: a missing, truncated or altered copy is never handed out as evidence.
    if not file_matches(document.file.path, document.size, document.sha256):
        logger.error("Evidence document %s does not match its recorded size and hash", document.pk)
        return render(request, "404.html", {"message": DAMAGED}, status=404)
    handle = document.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document_download_name(document.original_name),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Evidence is private: no browser or proxy keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def delete_document(request, pk):
    document = get_document_for(request, pk)
    application = document.application
    if not can_edit(request.user, application):
        raise PermissionDenied(_("Only the jurisdiction's own staff can remove its documents."))
    _remove(request, document)
    return _back_to_evidence(application)
