"""Evidence documents: PDFs that back an application's answers.

A file is accepted only if it really is a PDF that can be opened (not a
renamed web page, not password-protected). It is stored under a name the
server makes; the applicant's file name is kept only as text to show.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assessment.domain import NotEditable, audit
from assessment.models import EvidenceDocument
from scoring.domain import rescore_application

MAX_NAME = 255


def check_pdf(upload):
    """The number of pages of an uploaded PDF; ValidationError if it is not a usable one."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError("This file is not a PDF. Save or export the document as PDF and try again.", "not_pdf")
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                "This PDF is password-protected, so reviewers could not open it. Upload a copy without a password.",
                "encrypted",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise ValidationError(
            "This PDF is damaged and cannot be opened. Export it again from the original and retry.", "damaged"
        ) from None
    finally:
        upload.seek(0)
    if pages < 1:
        raise ValidationError("This PDF has no pages.", "empty")
    return pages


def display_name(name):
    """The applicant's file name, safe to show: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "document.pdf")[:MAX_NAME]


def _require_editable(application):
    if not application.is_draft:
        raise NotEditable("This application has been submitted; its documents can no longer be changed.")


def store_document(application, kind, upload, pages, user, answering=False):
    """Store a checked PDF. A submitted application takes one only as the answer to a panel's question."""
    if not answering:
        _require_editable(application)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = EvidenceDocument(
        application=application,
        kind=kind,
        original_name=display_name(upload.name or ""),
        size=upload.size,
        sha256=digest.hexdigest(),
        pages=pages,
        uploaded_by=user,
    )
    with transaction.atomic():
        document.file.save("upload.pdf", upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        audit(
            user,
            "document.uploaded",
            f"{document.get_kind_display()} uploaded: {document.original_name}",
            application=application,
            document=str(document.pk),
            sha256=document.sha256,
        )
        rescore_application(application)
    return document


def remove_document(document, user):
    _require_editable(document.application)
    name, kind = document.original_name, document.get_kind_display()
    storage, path = document.file.storage, document.file.name
    with transaction.atomic():
        audit(
            user,
            "document.removed",
            f"{kind} removed: {name}",
            application=document.application,
            document=str(document.pk),
        )
        document.delete()
        rescore_application(document.application)
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(path))
