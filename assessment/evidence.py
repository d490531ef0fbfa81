"""Evidence documents: PDFs that back an application's answers.

A file is accepted only if it really is a PDF that can be opened (not a
renamed web page, not password-protected, not built to exhaust a reader).
What is stored is not the upload itself but a copy rewritten by qpdf
(``assessment/pdfclean.py``, run in a process of its own with limits on
time and memory) without scripts, actions that leave the document, embedded
files, or anything glued before or after the PDF; the applicant is told
what was removed. It is stored under a name the server makes; the
applicant's file name is kept only as text to show.
"""

import errno
import hashlib
import json
import logging
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.domain import NotEditable, audit
from assessment.models import EvidenceDocument
from config.slots import ProcessSlots
from scoring.domain import rescore_application

logger = logging.getLogger(__name__)

MAX_NAME = 255
CHECKER = Path(__file__).with_name("pdfclean.py")
MIB = 1024 * 1024

EXPORT_AGAIN = "Export it again from the original (for example with “Print to PDF”) and retry."
REFUSALS = {
    "not_pdf": "This file is not a PDF. Save or export the document as PDF and try again.",
    "encrypted": "This PDF is password-protected, so reviewers could not open it. Upload a copy without a password.",
    "damaged": "This PDF is damaged and cannot be opened. Export it again from the original and retry.",
    "empty": "This PDF has no pages.",
    "too_many_pages": "This PDF has more than {limit:,} pages. Split it into smaller documents and upload those.",
    "page_tree": "This PDF's list of pages is nested more than {limit} levels deep, which no ordinary document is. "
    + EXPORT_AGAIN,
    "inflates": "This PDF expands to more than {mb:,} MB when it is opened, far more than an ordinary document, "
    "so it was refused. " + EXPORT_AGAIN,
    "too_complex": "This PDF needs more memory to check than a document may use, so it was refused. " + EXPORT_AGAIN,
    "too_slow": "Checking this PDF took longer than {seconds} seconds, so it was refused. " + EXPORT_AGAIN,
    "too_large": "The checked copy of this PDF would be larger than {mb:,} MB. " + EXPORT_AGAIN,
    "busy": "Too many documents are being checked right now. Try again in a minute.",
    "unavailable": "The document check could not run just now. Try again in a minute.",
}


# What pdfclean.py reports removing, in the order the applicant reads it.
OUTSIDE = "content outside the PDF"
REMOVED_ORDER = [
    "links",
    "scripts",
    "automatic actions",
    "form submissions",
    "embedded files",
    "media",
    "other actions",
    OUTSIDE,
]


def _refusal(code, **details):
    return ValidationError(REFUSALS[code].format(**details), code)


@dataclass(frozen=True)
class CheckedPdf:
    """What ``check_pdf`` makes of an upload: the rewritten bytes to store, their pages, what was removed."""

    content: bytes
    pages: int
    removed: tuple = ()

    @property
    def size(self):
        return len(self.content)

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()

    @property
    def note(self):
        """A sentence for the applicant when something was taken out of their file; empty otherwise."""
        if not self.removed:
            return ""
        words = sorted(self.removed, key=lambda word: REMOVED_ORDER.index(word) if word in REMOVED_ORDER else 99)
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        verb = "was" if words == [OUTSIDE] else "were"
        return f"For safety, {listed} {verb} removed from this copy."


_slots = ProcessSlots("EVIDENCE_CHECK_PROCESSES")


def _run_checker(data):
    """Run pdfclean.py on ``data`` in a fresh, limited process: its JSON answer and the bytes after it."""
    timeout = settings.EVIDENCE_CHECK_TIMEOUT
    limits = {
        "memory": settings.EVIDENCE_CHECK_MEMORY,
        "cpu_seconds": timeout,
        "max_pages": settings.EVIDENCE_MAX_PAGES,
        "max_inflated": settings.EVIDENCE_MAX_INFLATED,
        "max_output": 2 * settings.EVIDENCE_MAX_BYTES,
    }
    slots = _slots.semaphore()
    if not slots.acquire(timeout=timeout):
        raise _refusal("busy")
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-B", str(CHECKER), json.dumps(limits)],
            input=data,
            capture_output=True,
            timeout=timeout,
            env={},
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed it
        raise _refusal("too_slow", seconds=timeout) from None
    except OSError:
        logger.exception("The PDF check process could not start")
        raise _refusal("unavailable") from None
    finally:
        slots.release()
    header, _newline, body = done.stdout.partition(b"\n")
    try:
        answer = json.loads(header)
    except ValueError:
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        # Killed by its own limits (CPU: SIGXCPU/SIGKILL; memory: an allocation failed) or crashed in qpdf.
        logger.warning("The PDF check process ended with %s: %s", done.returncode, done.stderr[-500:])
        if done.returncode in (-24, -9):
            raise _refusal("too_slow", seconds=timeout)
        raise _refusal("too_complex")
    return answer, body


def check_pdf(upload):
    """Check an uploaded PDF and rewrite it without active content: a CheckedPdf, or ValidationError saying why not."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"%PDF-" not in data[:1024]:
        raise _refusal("not_pdf")
    answer, body = _run_checker(data)
    if not answer.get("ok"):
        code = answer.get("code")
        if code not in REFUSALS:
            code = "damaged"
        limit = answer.get("limit") or 0
        raise _refusal(code, limit=limit, mb=round(limit / MIB), seconds=settings.EVIDENCE_CHECK_TIMEOUT)
    return CheckedPdf(content=body, pages=int(answer["pages"]), removed=tuple(answer.get("removed") or ()))


def display_name(name):
    """The applicant's file name, safe to show: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "document.pdf")[:MAX_NAME]


def _require_editable(application):
    if not application.is_draft:
        raise NotEditable("This application has been submitted; its documents can no longer be changed.")


def download_name(name):
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
# Evidence and report PDFs alike (reports/pdf.py uses these too): the bytes go to a
# temporary name in the file's own folder (".<name>.<random>.tmp"), are flushed and
# fsynced, read back and compared (size and sha256), and only then renamed into
# place (os.replace, atomic on one file system) as the last step inside the
# transaction that writes the row naming the file. A failed write removes what it
# wrote; a transaction that does not commit removes the placed file. A process
# killed in between leaves at most a temporary file or a file no row names, which
# ``manage.py sweep_files --apply`` removes once it is an hour old.

DISK_FULL = "the server's disk is full"
NOT_WRITTEN = "the server could not write it"
NOT_STORED = "The document was not stored: {why}. Nothing was changed; try again later or tell the organizers."


class StorageError(Exception):
    """A file could not be stored whole; nothing of it was left behind. The message is for the person who asked."""

    def __init__(self, message, disk_full=False):
        super().__init__(message)
        self.disk_full = disk_full


def _why(error):
    return DISK_FULL if getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT) else NOT_WRITTEN


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
            raise StorageError(message.format(why=_why(error)), disk_full=_why(error) == DISK_FULL) from error

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
            raise StorageError(self.message.format(why=_why(error)), disk_full=_why(error) == DISK_FULL) from error
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
    if not isinstance(checked, CheckedPdf):  # never store bytes that were not checked and rewritten
        checked = check_pdf(upload)
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
                f"{document.get_kind_display()} uploaded: {document.original_name}",
                application=application,
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
