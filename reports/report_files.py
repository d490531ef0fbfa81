"""The cache of PDF reports: one ``ReportFile`` per report, made again only when the hash of its inputs changes.

Each document (``reports.application_report``, ``reports.cycle_summary``)
reads what it shows, hashes it with ``inputs_hash`` and asks ``current_or_made``
for its file: the stored one while the hash and the file on disk are what the
row recorded, else a new render (``reports.render``) written whole and put in
place with its row.
"""

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessment.evidence import PendingFile, StorageError, file_matches
from reports import render
from reports.models import report_upload_to

logger = logging.getLogger(__name__)

REPORT_NOT_STORED = gettext_lazy(
    "The report could not be saved: {why}. Nothing was changed; try again later or tell the organizers."
)


class StorageFailed(render.RenderError):
    """The report was made but could not be written to the disk (full, failing); nothing of it was left."""


@lru_cache(maxsize=1)
def design_version():
    """A hash of the report templates and the print stylesheet: a new design makes every report again."""
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates" / "reports" / "pdf").glob("*.html")) + [
        base / "static" / "reports" / "print.css"
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def inputs_hash(inputs):
    """The hash of what a report is made from (plain data: dates and the like as their text)."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def file_ok(report):
    """Is the cached file the one the row recorded: there, of the recorded size, with the recorded sha256?

    Always the hash, not just the size (reading back a few hundred KB costs
    about a millisecond), so a damaged file of the same size is not trusted
    either. A row made before sha256 was recorded is not trusted: it is made
    again once, and then records it.
    """
    if not report.file or not report.sha256 or not report.size:
        return False
    return file_matches(report.file.path, report.size, report.sha256)


def current_or_made(report, digest, make_html):
    """``report`` (a ReportFile) as it is when current, else made again from ``make_html()``.

    ``reused`` on the result tells whether the cache served it. Raises
    RenderError when it has to be made and cannot be.
    """
    if report.is_current(digest) and file_ok(report):
        report.reused = True
        return report
    return store(report, digest, make_html())


def store(report, digest, html):
    """Render ``html`` into ``report``'s file; on failure record the error on the row and raise RenderError.

    The PDF is written whole to a temporary name and checked (assessment.evidence.PendingFile),
    then put in place as the last step of the transaction that saves the row with its
    size and sha256. A disk that cannot take it raises StorageFailed (a RenderError)
    and leaves the row and the files as they were.
    """
    report.inputs_hash = digest
    report.generated_at = timezone.now()
    try:
        rendered = render.render_pdf(html)
    except render.RenderError as error:
        report.error = str(error)
        report.save()
        raise
    old_name = report.file.name if report.file else ""
    name = report_upload_to(report, "report.pdf")
    try:
        # Over a file of the same name (a damaged one, or one left by an attempt killed before its row was
        # saved) the rename replaces it whole: a reader never sees half of either.
        pending = PendingFile(report.file.storage, name, rendered.pdf, message=REPORT_NOT_STORED)
    except StorageError as error:
        raise StorageFailed(str(error)) from error
    report.file.name = name
    report.size, report.sha256, report.pages, report.render_seconds, report.error = (
        pending.size,
        pending.sha256,
        rendered.pages,
        rendered.seconds,
        "",
    )
    try:
        with transaction.atomic():
            report.save()
            pending.place()
    except StorageError as error:
        pending.discard(remove_placed=name != old_name)
        raise StorageFailed(str(error)) from error
    except BaseException:
        # The row did not commit: a new name is nobody's file; the same name now holds this render,
        # which the row's old sha256 does not match, so it is made again next time.
        pending.discard(remove_placed=name != old_name)
        raise
    if old_name and old_name != name:
        try:
            report.file.storage.delete(old_name)
        except OSError:  # no row names it now: manage.py sweep_files removes it
            logger.warning("Could not remove the old report file %s", old_name, exc_info=True)
    report.reused = False
    return report
