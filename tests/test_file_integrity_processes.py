"""Files never half-written, never orphaned, across processes: a real web worker killed between the file
write and the commit, then the sweep; the backup refuses a damaged file and leaves out files no row names.
"""

import json
import tarfile
import urllib.request
import uuid
from pathlib import Path

from tests.factories import PASSWORD
from tests.file_faults import (
    BIG,
    make_old,
    sha,
)
from tests.stack import Browser, wait_for

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
