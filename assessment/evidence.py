"""Evidence documents: storing and removing the PDFs that back an application's answers.

A file is accepted only if it really is a PDF that can be opened (not a
renamed web page, not password-protected, not built to exhaust a reader):
``assessment.validators.check_pdf`` decides that. What is stored is not the upload itself but a copy rewritten by qpdf
(``assessment/pdfclean.py``, run in a process of its own with limits on
time and memory) without scripts, actions that leave the document, embedded
files, or anything glued before or after the PDF; the applicant is told
what was removed. It is stored under a name the server makes; the
applicant's file name is kept only as text to show.
"""

import errno
import hashlib
import logging
import os
import secrets
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from assessment import validators
from assessment.audit import audit, label, said
from assessment.domain import NotEditable
from assessment.models import EvidenceDocument
from scoring.domain import rescore_application

logger = logging.getLogger(__name__)

MAX_NAME = 255


def display_name(name):
    """The applicant's file name, safe to show: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "document.pdf")[:MAX_NAME]


def _require_editable(application):
    if not application.is_draft:
        raise NotEditable(gettext("This application has been submitted; its documents can no longer be changed."))


def document_download_name(name):
    """The file name a download is offered under: the applicant's name, always ending in .pdf.

    'poly-before.html' → 'poly-before.pdf', 'scan' → 'scan.pdf', 'Plan.PDF' stays.
    """
    name = display_name(name or "")
    if name.lower().endswith(".pdf"):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .") or "document"
    return stem[: MAX_NAME - 4] + ".pdf"


# --- Files written whole or not at all ----------------------------------------------
#
# Evidence and report PDFs alike (reports/report_files.py uses these too): the bytes go to a
# temporary name in the file's own folder (".<name>.<random>.tmp"), are flushed and
# fsynced, read back and compared (size and sha256), and only then renamed into
# place (os.replace, atomic on one file system) as the last step inside the
# transaction that writes the row naming the file. A failed write removes what it
# wrote; a transaction that does not commit removes the placed file. A process
# killed in between leaves at most a temporary file or a file no row names, which
# ``manage.py sweep_files --apply`` removes once it is an hour old.

DISK_FULL = gettext_lazy("the server's disk is full")
NOT_WRITTEN = gettext_lazy("the server could not write it")
# A message with {why} (reports/report_files.py passes its own), in the language of the page that asked.
NOT_STORED = gettext_lazy(
    "The document was not stored: {why}. Nothing was changed; try again later or tell the organizers."
)


def _disk_full(error):
    return getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


def _refused(message, error):
    """The StorageError for a file that could not be stored because of ``error``."""
    return StorageError(str(message).format(why=_why(error)), disk_full=_disk_full(error))


class StorageError(Exception):
    """A file could not be stored whole; nothing of it was left behind. The message is for the person who asked."""

    def __init__(self, message, disk_full=False):
        super().__init__(message)
        self.disk_full = disk_full


def _why(error):
    return str(DISK_FULL if _disk_full(error) else NOT_WRITTEN)


def sha256_of_file(path, chunk=1024 * 1024):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_matches(path, size, sha256):
    """Is the file at ``path`` there with this size and (when one is recorded) this sha256?"""
    try:
        if os.stat(path).st_size != size:
            return False
        return not sha256 or sha256_of_file(path) == sha256
    except OSError:  # missing, unreadable
        return False


def _fsync_folder(folder):
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(descriptor)


class PendingFile:
    """Bytes written and checked under a temporary name, waiting to be put in place under ``name``.

    ``PendingFile(storage, name, content)`` writes (or raises StorageError, leaving
    nothing); ``place()`` renames it into place, as the last step inside the
    transaction that saves the row naming it; ``discard()`` removes whatever of it
    exists (the temporary file, or the placed file when ``remove_placed``).
    """

    def __init__(self, storage, name, content, message=NOT_STORED):
        self.name = name
        self.path = Path(storage.path(name))
        self.message = message
        self.permissions = getattr(storage, "file_permissions_mode", None)
        self.temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
        self.placed = False
        self.size, self.sha256 = len(content), hashlib.sha256(content).hexdigest()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._write(content)
        except OSError as error:
            self.temporary.unlink(missing_ok=True)
            logger.error("Could not write %s: %s", self.temporary, error)
            raise _refused(message, error) from error

    def _write(self, content):
        descriptor = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        if self.permissions is not None:
            os.chmod(self.temporary, self.permissions)
        if not file_matches(self.temporary, self.size, self.sha256):
            raise OSError(errno.EIO, "the file read back differs from what was written")

    def place(self):
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.temporary.unlink(missing_ok=True)
            raise _refused(self.message, error) from error
        self.placed = True
        _fsync_folder(self.path.parent)

    def discard(self, remove_placed=True):
        self.temporary.unlink(missing_ok=True)
        if self.placed and remove_placed:
            self.path.unlink(missing_ok=True)


def store_document(application, kind, upload, checked, user, answering=False):
    """Store the rewritten copy of a checked PDF (``checked`` is what check_pdf returned for ``upload``).

    Size and sha256 are those of the stored copy. A submitted application takes
    a document only as the answer to a panel's question. The file is written
    before the transaction (no lock is held while the disk works) and put in
    place as its last step (see PendingFile); raises StorageError, with nothing
    changed, when it cannot be written whole.
    """
    if not answering:
        _require_editable(application)
    if not isinstance(checked, validators.CheckedPdf):  # never store bytes that were not checked and rewritten
        checked = validators.check_pdf(upload)
    document = EvidenceDocument(
        application=application,
        kind=kind,
        original_name=display_name(upload.name or ""),
        size=checked.size,
        sha256=checked.sha256,
        pages=checked.pages,
        uploaded_by=user,
    )
    name = document.file.field.generate_filename(document, "upload.pdf")
    pending = PendingFile(document.file.storage, name, checked.content)
    try:
        with transaction.atomic():
            document.file.name = name
            document.save()
            audit(
                user,
                "document.uploaded",
                application=application,
                words=said(
                    gettext_noop("%(kind)s uploaded: %(name)s"),
                    kind=label(document.get_kind_display),
                    name=document.original_name,
                ),
                document=str(document.pk),
                sha256=document.sha256,
                removed=list(checked.removed),
            )
            rescore_application(application)
            pending.place()  # last: the row commits right after the file is in place
    except BaseException:
        pending.discard()  # the temporary file, or the placed one whose row did not commit
        raise
    return document


def remove_document(document, user):
    _require_editable(document.application)
    words = said(
        gettext_noop("%(kind)s removed: %(name)s"), kind=label(document.get_kind_display), name=document.original_name
    )
    storage, path = document.file.storage, document.file.name
    with transaction.atomic():
        audit(
            user,
            "document.removed",
            application=document.application,
            words=words,
            document=str(document.pk),
        )
        document.delete()
        rescore_application(document.application)
        # The file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(path))
