"""Hostile evidence PDFs (issue 10), refused: bounded checks, a form error that says why.

Every file goes through the real upload page as the applicant. A file is
either refused with a form error that says why (never a 500, and the web
worker's memory does not grow: the check runs in a limited process of its
own, assessment/pdfclean.py), or stored as qpdf's rewritten copy, which
reopened with pikepdf has none of the active content and none of the HTML
glued around it. Downloads are named ….pdf, never cached and never sniffed
(tests/test_evidence_hostile_rewritten.py). The files are built in tests/hostile_pdfs.py.
"""

import sys
import time

import pytest
from django.core.exceptions import ValidationError

from assessment import validators
from assessment.models import EvidenceDocument
from tests.hostile_pdfs import (
    MIB,
    deep_page_tree,
    image_of_ten_gigapixels,
    inflates_to_a_gigabyte,
    made,
    many_pages,
    object_stream_of_a_gigabyte,
    one_page_many_times,
    peak_memory_mib,
    texts,
    upload,
)


@pytest.fixture
def refusals(monkeypatch):
    """The codes of the ValidationErrors check_pdf raised during the request."""
    codes, real = [], validators.check_pdf

    def spy(upload):
        try:
            return real(upload)
        except ValidationError as error:
            codes.append(error.code)
            raise

    monkeypatch.setattr(validators, "check_pdf", spy)
    return codes


# --- Refused: a clear form error, nothing stored, no 500, the worker unharmed --------------------------


@pytest.mark.parametrize(
    "build,codes,words",
    [
        (deep_page_tree, {"page_tree"}, "nested more than 64 levels deep"),
        (many_pages, {"too_many_pages"}, "more than 5,000 pages"),
        (one_page_many_times, {"too_many_pages"}, "more than 5,000 pages"),
        (inflates_to_a_gigabyte, {"inflates"}, "expands to more than 256 MB"),
        (image_of_ten_gigapixels, {"inflates"}, "expands to more than 256 MB"),
        # qpdf inflates an object stream itself to read it: the process's memory limit stops it.
        (object_stream_of_a_gigabyte, {"too_complex", "damaged"}, "PDF"),
    ],
    ids=[
        "page-tree-10000-deep",
        "200000-pages",
        "one-page-200000-times",
        "stream-inflates-to-1-GiB",
        "image-of-10-gigapixels",
        "object-stream-1-GiB",
    ],
)
def test_pathological_pdfs_get_a_form_error_within_bounds(client, setup, refusals, build, codes, words):
    applicant, application, media = setup
    client.force_login(applicant)
    content = build()
    assert len(content) < 10 * MIB  # within the upload limit: it is the check that must refuse it
    before = peak_memory_mib()
    started = time.perf_counter()
    response = upload(client, application, content, name="hostile.pdf")
    took = time.perf_counter() - started
    assert response.status_code == 302
    [message] = texts(response)
    assert message.startswith("The document was not added: ") and words in message, message
    assert len(refusals) == 1 and refusals[0] in codes, refusals
    assert EvidenceDocument.objects.count() == 0
    assert not any(path.is_file() for path in media.rglob("*"))
    assert took < 15  # the check's time limit (EVIDENCE_CHECK_TIMEOUT); measured: 0.3 s to 2 s here
    assert peak_memory_mib() - before < 100  # the gigabytes were never inflated in this process
    # The worker is fine: the next, ordinary upload works.
    assert "plan.pdf was added (1 page)." in texts(upload(client, application, made()))


def test_a_check_that_runs_too_long_is_stopped_with_a_message(client, setup, settings, monkeypatch, tmp_path):
    settings.EVIDENCE_CHECK_TIMEOUT = 2
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(validators, "CHECKER", slow)
    applicant, application, _ = setup
    client.force_login(applicant)
    started = time.perf_counter()
    response = upload(client, application, made())
    assert time.perf_counter() - started < 10
    assert texts(response) == [
        "The document was not added: Checking this PDF took longer than 2 seconds, so it was refused. "
        + validators.EXPORT_AGAIN
    ]
    assert EvidenceDocument.objects.count() == 0


def test_a_check_process_that_crashes_costs_only_that_upload(client, setup, monkeypatch, tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    monkeypatch.setattr(validators, "CHECKER", crash)
    applicant, application, _ = setup
    client.force_login(applicant)
    response = upload(client, application, made())
    assert response.status_code == 302
    assert "needs more memory to check than a document may use" in texts(response)[0]
    assert EvidenceDocument.objects.count() == 0


@pytest.mark.process
def test_the_checks_own_limits_are_set_in_its_process(tmp_path):
    """Address space, CPU time and file writes are limited in the check process (what pdfclean.main sets)."""
    import subprocess

    probe = tmp_path / "probe.py"
    probe.write_text(
        "import resource, sys\n"
        f"sys.path.insert(0, {str(validators.CHECKER.parent)!r})\n"
        "import pdfclean\n"
        "pdfclean.limit_resources(256 * 1024 * 1024, 7)\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0],"
        " resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
        "try:\n    bytearray(512 * 1024 * 1024)\nexcept MemoryError:\n    print('MemoryError')\n"
    )
    done = subprocess.run([sys.executable, "-I", "-B", str(probe)], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == [str(256 * MIB), "7", "0", "MemoryError"], done.stderr
