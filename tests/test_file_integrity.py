"""Files never half-written, never orphaned; the report cache trusts a file only if it is the one recorded.

A full disk is a real one: a tmpfs of 1 MB mounted for the test (skipped, with
the reason, where mounting is not allowed). A web worker killed between the
file write and the commit is a real gunicorn killed at a point chosen by
tests/fault_hooks.py, followed by ``manage.py sweep_files``.
"""

import hashlib
import html
import io
import json
import os
import subprocess
import tarfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from assessment.models import EvidenceDocument
from reports import tasks
from reports.models import ReportBatchItem, ReportFile
from review.clarifications import ask_clarification
from tests.factories import PASSWORD, make_jurisdiction, make_organizer, make_user, pdf_bytes
from tests.factories.applications import make_submitted
from tests.stack import Browser, wait_for

DISK_FULL_DOCUMENT = (
    "The document was not stored: the server's disk is full. Nothing was changed; "
    "try again later or tell the organizers."
)
DISK_FULL_REPORT = "The report could not be saved: the server's disk is full."
SAFE = "Your saved work is safe"
BIG = pdf_bytes(pages=300)  # about 37 KB once rewritten


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


def files_under(root, *folders):
    found = {}
    for folder in folders:
        for path in (root / folder).rglob("*") if (root / folder).exists() else ():
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def assert_rows_and_files_agree(root):
    """Every document row has its whole file; no file (no temporary, no 0-byte, no partial one) without a row."""
    on_disk = files_under(root, "evidence")
    rows = {d.file.name: d for d in EvidenceDocument.objects.all()}
    assert sorted(on_disk) == sorted(rows), "a file without a row, or a row without its file"
    for name, data in on_disk.items():
        assert (len(data), sha(data)) == (rows[name].size, rows[name].sha256), f"{name} is not what was stored"


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
    assert response.status_code == 302
    [message] = texts(response)
    assert message.startswith("Your answer was not sent. " + DISK_FULL_DOCUMENT)
    assert "Attached: our plan, adopted in May." in message  # to copy and send again
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


def make_old(path, seconds=2 * 3600):
    then = time.time() - seconds
    os.utime(path, (then, then))


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


# --- A web worker killed between the file write and the commit, then the sweep --------------

SEED = """
from django.core.files.uploadedfile import SimpleUploadedFile
from assessment import domain as applying, evidence, validators
from tests.factories import make_cycle, make_jurisdiction, make_user, pdf_bytes
from tests.factories.answers import wizard_state

place = make_jurisdiction(name="Harbor City")
staff = make_user(jurisdiction=place, username="applicant")
application = applying.start_application(place, make_cycle(), staff, prefill=False)
upload = SimpleUploadedFile("kept.pdf", pdf_bytes(pages=2), content_type="application/pdf")
kept = evidence.store_document(application, "sla", upload, validators.check_pdf(upload), staff)
emit({"application": str(application.pk), "kept": kept.file.name})
"""

READ = """
emit(sorted([d.original_name, d.file.name, d.size, d.sha256] for d in EvidenceDocument.objects.all()))
"""


def post_pdf(browser, path, fields, filename, content):
    """A multipart form POST with one PDF, as the evidence step sends it; (the path it ended on, the page)."""
    token = next(cookie.value for cookie in browser.cookies if cookie.name == "csrftoken")
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in {**fields, "csrfmiddlewaretoken": token}.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        browser.base + path,
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": browser.base + path},
    )
    with browser.opener.open(request, timeout=120) as response:
        return response.geturl().removeprefix(browser.base), response.read().decode()


def on_disk(stack):
    return sorted(p.relative_to(stack.media).as_posix() for p in (stack.media / "evidence").rglob("*") if p.is_file())


def test_a_web_worker_killed_between_the_file_write_and_the_commit_leaves_what_the_sweep_removes(stack, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    stack.manage("migrate", "--noinput")
    seeded = stack.run(SEED)
    application, kept = seeded["application"], seeded["kept"]
    rows = stack.run(READ)
    upload_path = f"/applications/{application}/documents/"

    left = {}
    # document_written: the file is whole under its temporary name, the row saved, nothing committed.
    # document_placed: and renamed into place; the commit is next.
    for point in ("document_written", "document_placed"):
        gate = tmp_path / f"gate-{point}"
        gate.mkdir()
        hooks = {"FAULT_AT": point, "FAULT_ACTION": "wait", "FAULT_GATE": gate}
        with stack.fault_server(**hooks) as (url, process), ThreadPoolExecutor(1) as pool:
            browser = Browser(url)
            browser.log_in("applicant", PASSWORD)
            uploading = pool.submit(post_pdf, browser, upload_path, {"kind": "technology_plan"}, "plan.pdf", BIG)
            wait_for(gate / f"{point}.reached", process, uploading)
            stack.kill(process)
            assert isinstance(uploading.exception(timeout=60), OSError)  # the connection dropped
        assert stack.run(READ) == rows, f"killed at {point}: a row was committed"
        new = [name for name in on_disk(stack) if name != kept and name not in left.values()]
        assert len(new) == 1, f"killed at {point}: {on_disk(stack)}"
        left[point] = new[0]
    assert Path(left["document_written"]).name.endswith(".tmp")  # only a temporary file
    assert left["document_placed"].endswith(".pdf") and not Path(left["document_placed"]).name.startswith(".")

    # Just written: an upload in flight looks the same, so the sweep leaves them alone.
    result = stack.manage("sweep_files", "--apply")
    assert "0 files no row names removed, 2 younger than 1 hour left alone" in result.stdout
    assert len(on_disk(stack)) == 3
    for name in left.values():
        make_old(stack.media / name)

    result = stack.manage("sweep_files")  # the dry run lists them and changes nothing
    assert result.returncode == 0
    for name in left.values():
        assert f"Would remove, no row names it: {name}" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("sweep_files (dry run")
    assert len(on_disk(stack)) == 3

    result = stack.manage("sweep_files", "--apply")
    assert result.returncode == 0 and result.stdout.count("\n") == 1
    assert "2 files no row names removed" in result.stdout and "0 damaged or missing evidence" in result.stdout
    assert on_disk(stack) == [kept]
    assert stack.run(READ) == rows

    # The applicant uploads again; the document is stored whole, with its row.
    with stack.server() as url:
        browser = Browser(url)
        browser.log_in("applicant", PASSWORD)
        _landed, page = post_pdf(browser, upload_path, {"kind": "technology_plan"}, "plan.pdf", BIG)
        assert "plan.pdf was added" in page
    now = stack.run(READ)
    assert len(now) == 2 and sorted(name for _original, name, _size, _sha in now) == on_disk(stack)
    for _original, name, size, digest in now:
        data = (stack.media / name).read_bytes()
        assert (len(data), sha(data)) == (size, digest)


# --- The backup ------------------------------------------------------------------------------


def test_the_backup_refuses_a_damaged_file_and_leaves_out_files_no_row_names(stack, tmp_path):
    stack.manage("migrate", "--noinput")
    seeded = stack.run(SEED)
    kept = stack.media / seeded["kept"]
    good = kept.read_bytes()
    orphan = kept.with_name(f"{uuid.uuid4()}.pdf")
    orphan.write_bytes(b"%PDF-1.7 nobody's")

    kept.write_bytes(good[:-10] + b"0123456789")  # same size, other bytes
    result = stack.manage("backup", "--output", tmp_path / "refused.tar.gz", check=False)
    assert result.returncode != 0
    assert seeded["kept"] in result.stderr and "does not match the sha256" in result.stderr
    assert not (tmp_path / "refused.tar.gz").exists()

    kept.write_bytes(good)
    stack.manage("backup", "--output", tmp_path / "backup.tar.gz")
    with tarfile.open(tmp_path / "backup.tar.gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert f"media/{seeded['kept']}" in names
    assert not any(orphan.name in name for name in names)
    assert [item["path"] for item in manifest["media"]] == [seeded["kept"]]
    assert manifest["left_out"] == [orphan.relative_to(stack.media).as_posix()]
