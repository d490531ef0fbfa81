"""Files never half-written, never orphaned; the report cache trusts a file only if it is the one recorded.

A full disk is a real one: a tmpfs of 1 MB mounted for the test (skipped, with
the reason, where mounting is not allowed). A web worker killed between the
file write and the commit is a real gunicorn killed at a point chosen by
tests/fault_hooks.py, followed by ``manage.py sweep_files``
(tests/test_file_integrity_processes.py).
"""

import html
import io
import os
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from assessment.models import EvidenceDocument
from reports import tasks
from reports.models import ReportBatchItem, ReportFile
from review.clarifications import ask_clarification
from tests.factories import make_jurisdiction, make_organizer, make_user, pdf_bytes
from tests.factories.applications import make_submitted
from tests.file_faults import (
    BIG,
    DISK_FULL_DOCUMENT,
    DISK_FULL_REPORT,
    SAFE,
    assert_rows_and_files_agree,
    files_under,
    make_old,
    sha,
    texts,
)

# --- A tiny disk --------------------------------------------------------------------------


@contextmanager
def mounted_tmpfs(folder, size="1m"):
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("Mounting a tmpfs for the full-disk tests needs root; this run is not root.")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"Mounting a tmpfs is not allowed here ({result.stderr.strip()}); the full-disk tests need one.")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path, settings):
    """MEDIA_ROOT on a 1 MB tmpfs; ``fill(leave)`` takes all but ``leave`` bytes of it."""
    with mounted_tmpfs(tmp_path / "small") as root:
        settings.MEDIA_ROOT = root
        filler = root / "filler"  # outside evidence/ and reports/; removed before the checks of what is left

        def fill(leave):
            free = os.statvfs(root).f_bavail * os.statvfs(root).f_frsize
            with open(filler, "ab") as file:
                file.write(b"\0" * max(free - leave, 0))

        fill.filler = filler
        yield root, fill


# --- Uploads into a full disk -------------------------------------------------------------


def test_uploads_into_a_full_disk_say_so_and_leave_no_half_written_file(client, setup, small_disk):
    applicant, application, _tmp = setup
    root, fill = small_disk
    fill(leave=160 * 1024)  # room for a few documents
    client.force_login(applicant)
    url = reverse("document_upload", kwargs={"pk": application.pk})
    stored, refused = 0, []
    for n in range(40):
        response = client.post(url, {"kind": "technology_plan", "file": SimpleUploadedFile(f"plan {n}.pdf", BIG)})
        assert response.status_code == 302  # never a server error
        messages = texts(response)
        page = client.get(response.url)  # the evidence step, where the applicant reads them
        assert page.status_code == 200 and SAFE not in page.content.decode()
        assert not any(SAFE in text for text in messages)
        if any("was added" in text for text in messages):
            stored += 1
            continue
        refused = messages
        break
    assert stored >= 1, "nothing could be stored even before the disk was full"
    assert refused == [DISK_FULL_DOCUMENT]
    fill.filler.unlink()
    assert_rows_and_files_agree(root)
    assert EvidenceDocument.objects.count() == stored

    # The page the applicant lands on says what is there; the next upload, with room again, works.
    response = client.post(url, {"kind": "sla", "file": SimpleUploadedFile("sla.pdf", BIG)})
    assert any("sla.pdf was added" in text for text in texts(response))
    assert_rows_and_files_agree(root)


@pytest.mark.django_db
def test_an_answer_with_a_document_into_a_full_disk_is_not_sent_and_keeps_what_was_typed(client, small_disk):
    root, fill = small_disk
    application = make_submitted()
    staff = make_user(jurisdiction=application.jurisdiction)
    question = ask_clarification(application, "Send us your plan?", make_organizer())
    fill(leave=8 * 1024)
    client.force_login(staff)
    response = client.post(
        reverse("clarification_answer", args=[question.pk]),
        {"answer": "Attached: our plan, adopted in May.", "document": SimpleUploadedFile("plan.pdf", BIG)},
    )
    assert response.status_code == 200  # the application page again, the answer still in its box
    [message] = texts(response)
    assert message == f"The answer was not sent: {DISK_FULL_DOCUMENT} Choose plan.pdf again to send it."
    assert "Attached: our plan, adopted in May.</textarea>" in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None and question.answer == ""
    fill.filler.unlink()
    assert_rows_and_files_agree(root)
    assert not EvidenceDocument.objects.exists()


# --- Reports into a full disk, and a damaged cache ------------------------------------------


@pytest.mark.django_db
def test_a_report_rendered_into_a_full_disk_is_a_clear_page_and_nothing_half_written(client, small_disk):
    root, fill = small_disk
    application = make_submitted()
    organizer = make_organizer()
    client.force_login(organizer)
    fill(leave=8 * 1024)
    response = client.get(reverse("application_report_pdf", args=[application.pk]))
    assert response.status_code == 503
    page = html.unescape(response.content.decode())
    assert DISK_FULL_REPORT in page and SAFE not in page
    assert files_under(root, "reports") == {}
    assert not ReportFile.objects.exclude(file="").exists()

    fill.filler.unlink()
    response = client.get(reverse("application_report_pdf", args=[application.pk]))
    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and data.rstrip().endswith(b"%%EOF")
    report = ReportFile.objects.get()
    assert (report.size, report.sha256) == (len(data), sha(data))
    assert list(files_under(root, "reports")) == [report.file.name]


def damage(path, how):
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:-200])  # no end marker, no cross-reference table
    elif how == "empty":
        path.write_bytes(b"")  # what a full disk left
    elif how == "same size":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    else:
        path.unlink()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["truncated", "empty", "same size", "missing"])
def test_a_damaged_or_missing_cached_report_is_made_again(client, settings, tmp_path, how):
    settings.MEDIA_ROOT = tmp_path / "media"
    application = make_submitted()
    client.force_login(make_organizer())
    url = reverse("application_report_pdf", args=[application.pk])
    first = b"".join(client.get(url).streaming_content)
    report = ReportFile.objects.get()
    damage(Path(settings.MEDIA_ROOT) / report.file.name, how)

    response = client.get(url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert len(data) > 1000 and data.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == report.pages and "Harbor City" in reader.pages[0].extract_text()
    report.refresh_from_db()
    assert (report.size, report.sha256) == (len(data), sha(data))
    assert (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes() == data
    assert len(first) > 1000


@pytest.mark.django_db
def test_a_batch_does_not_count_a_damaged_cached_report_as_reused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    alder = make_submitted(jurisdiction=make_jurisdiction(name="Alder"))
    make_submitted(jurisdiction=make_jurisdiction(name="Birch"), cycle=alder.cycle)
    organizer = make_organizer()
    tasks.start_batch(alder.cycle, organizer)
    report = ReportFile.objects.get(application=alder)
    damage(Path(settings.MEDIA_ROOT) / report.file.name, "truncated")

    second = tasks.start_batch(alder.cycle, organizer)
    reused = dict(second.items.values_list("application__jurisdiction__name", "reused"))
    assert reused == {"Alder": False, "Birch": True}
    assert set(second.items.values_list("status", flat=True)) == {ReportBatchItem.Status.DONE}
    report.refresh_from_db()
    data = (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()
    assert data.rstrip().endswith(b"%%EOF") and sha(data) == report.sha256


# --- The sweep, in-process ------------------------------------------------------------------


def sweep(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sweep_files", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_sweep_removes_old_orphans_clears_damaged_reports_and_reports_damaged_evidence(client, setup):
    applicant, application, media = setup
    client.force_login(applicant)
    for name in ("kept.pdf", "damaged.pdf"):
        client.post(
            reverse("document_upload", kwargs={"pk": application.pk}),
            {"kind": "technology_plan", "file": SimpleUploadedFile(name, pdf_bytes(pages=2))},
        )
    kept, damaged = (EvidenceDocument.objects.get(original_name=n) for n in ("kept.pdf", "damaged.pdf"))
    damaged_bytes = b"%PDF-1.7 not what was stored"
    (media / damaged.file.name).write_bytes(damaged_bytes)
    old_orphan = media / "evidence" / str(application.pk) / f"{uuid.uuid4()}.pdf"
    old_orphan.write_bytes(b"%PDF-1.7 left by a killed upload")
    make_old(old_orphan)
    temporary = media / "evidence" / str(application.pk) / f".{uuid.uuid4()}.pdf.0123456789ab.tmp"
    temporary.write_bytes(b"%PDF-1.7 half")
    make_old(temporary)
    young = media / "evidence" / str(application.pk) / f"{uuid.uuid4()}.pdf"
    young.write_bytes(b"%PDF-1.7 an upload in flight")
    report_path = media / "reports" / "application" / "x" / "0123456789abcdef.pdf"
    report_path.parent.mkdir(parents=True)
    report_path.write_bytes(b"%PDF-1.7 truncated report")
    make_old(report_path)
    report = ReportFile.objects.create(
        kind="application",
        application=application,
        cycle=application.cycle,
        inputs_hash="0123456789abcdef" * 4,
        file="reports/application/x/0123456789abcdef.pdf",
        size=5000,
        sha256="0" * 64,
    )

    out, err = sweep()
    lines = out.strip().splitlines()
    assert lines[-1].startswith("sweep_files (dry run, nothing changed; --apply to act): ")
    assert "2 files no row names to remove, 1 younger than 1 hour left alone" in lines[-1]
    assert "1 damaged or missing report to clear" in lines[-1] and "1 damaged or missing evidence document" in lines[-1]
    assert any(old_orphan.name in line and line.startswith("Would remove") for line in lines)
    assert any(temporary.name in line and line.startswith("Would remove") for line in lines)
    assert f"NEEDS A PERSON: evidence document {damaged.pk} ('damaged.pdf'" in err
    assert old_orphan.exists() and temporary.exists() and young.exists()
    report.refresh_from_db()
    assert report.file.name  # nothing changed

    out, err = sweep("--apply")
    assert out.count("\n") == 1, out  # one summary line, for cron
    assert out.startswith("sweep_files: 2 files no row names removed, 1 younger than 1 hour left alone")
    assert "NEEDS A PERSON" in err
    assert not old_orphan.exists() and not temporary.exists() and young.exists()
    report.refresh_from_db()
    assert (report.file.name, report.size, report.sha256) == ("", 0, "")  # made again when next asked for
    assert not report_path.exists()
    # The applicant's evidence is never removed or changed by the sweep.
    assert (media / damaged.file.name).read_bytes() == damaged_bytes
    assert EvidenceDocument.objects.filter(pk=damaged.pk).exists()
    data = (media / kept.file.name).read_bytes()
    assert (len(data), sha(data)) == (kept.size, kept.sha256)


@pytest.mark.parametrize("how", ["truncated", "same size", "missing"])
def test_a_damaged_evidence_file_is_not_handed_out(client, setup, how):
    applicant, application, media = setup
    client.force_login(applicant)
    client.post(
        reverse("document_upload", kwargs={"pk": application.pk}),
        {"kind": "technology_plan", "file": SimpleUploadedFile("plan.pdf", pdf_bytes(pages=2))},
    )
    document = EvidenceDocument.objects.get()
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 200
    damage(media / document.file.name, how)
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "The stored copy of this document is missing or damaged" in response.content.decode()
