"""Checking an uploaded PDF: is it a PDF that opens, and what is it without active content?

``check_pdf`` runs ``assessment/pdfclean.py`` in a short-lived process of its
own with limits on time, memory, pages and decompressed size, and returns the
rewritten copy to store (``CheckedPdf``) or a ValidationError saying why not.
A validator only: storing the copy is ``assessment.evidence``'s work, so the
forms that validate uploads depend on this module alone.
"""

import hashlib
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from config.slots import ProcessSlots

logger = logging.getLogger(__name__)

CHECKER = Path(__file__).with_name("pdfclean.py")
MIB = 1024 * 1024

EXPORT_AGAIN = gettext_lazy("Export it again from the original (for example with “Print to PDF”) and retry.")
REFUSALS = {
    "not_pdf": gettext_lazy("This file is not a PDF. Save or export the document as PDF and try again."),
    "encrypted": gettext_lazy(
        "This PDF is password-protected, so reviewers could not open it. Upload a copy without a password."
    ),
    "damaged": gettext_lazy("This PDF is damaged and cannot be opened. Export it again from the original and retry."),
    "empty": gettext_lazy("This PDF has no pages."),
    "too_many_pages": gettext_lazy(
        "This PDF has more than %(limit)s pages. Split it into smaller documents and upload those."
    ),
    "page_tree": gettext_lazy(
        "This PDF's list of pages is nested more than %(limit)s levels deep, which no ordinary document is."
    ),
    "inflates": gettext_lazy(
        "This PDF expands to more than %(mb)s MB when it is opened, far more than an ordinary document, "
        "so it was refused."
    ),
    "too_complex": gettext_lazy("This PDF needs more memory to check than a document may use, so it was refused."),
    "too_slow": gettext_lazy("Checking this PDF took longer than %(seconds)s seconds, so it was refused."),
    "too_large": gettext_lazy("The checked copy of this PDF would be larger than %(mb)s MB."),
    "busy": gettext_lazy("Too many documents are being checked right now. Try again in a minute."),
    "unavailable": gettext_lazy("The document check could not run just now. Try again in a minute."),
}
# The refusals that go on with EXPORT_AGAIN (a sentence of its own).
AGAIN = frozenset({"page_tree", "inflates", "too_complex", "too_slow", "too_large"})


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
# pdfclean.py's words (it runs without Django), as the applicant reads them.
REMOVED_WORDS = {
    "links": pgettext_lazy("removed from a PDF", "links"),
    "scripts": pgettext_lazy("removed from a PDF", "scripts"),
    "automatic actions": pgettext_lazy("removed from a PDF", "automatic actions"),
    "form submissions": pgettext_lazy("removed from a PDF", "form submissions"),
    "embedded files": pgettext_lazy("removed from a PDF", "embedded files"),
    "media": pgettext_lazy("removed from a PDF", "media"),
    "other actions": pgettext_lazy("removed from a PDF", "other actions"),
    OUTSIDE: pgettext_lazy("removed from a PDF", "content outside the PDF"),
}


def _joined(words):
    """'links, scripts and media'."""
    return pgettext("a list", "%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _refusal(code, **details):
    # Numbers as the page's language writes them: 5,000 in English, 5 000 in French.
    params = {name: number_format(value, force_grouping=True) for name, value in details.items()}
    text = str(REFUSALS[code]) % params
    if code in AGAIN:
        text = f"{text} {EXPORT_AGAIN}"
    return ValidationError(text, code)


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
        named = [str(REMOVED_WORDS.get(word, word)) for word in words]
        listed = named[0] if len(named) == 1 else _joined(named)
        if words == [OUTSIDE]:
            return gettext("For safety, %(removed)s was removed from this copy.") % {"removed": listed}
        return gettext("For safety, %(removed)s were removed from this copy.") % {"removed": listed}


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
