"""Backups and restores (manage.py backup / restore) on real installations in their own processes.

The main test backs up an installation while a writer keeps adding
applications and uploading (and removing) evidence, restores the archive into
a second installation, and finds there every row the backup counted, every
uploaded file with its content, and a site that works. The others feed restore
bad archives and check that it refuses them before changing anything.
"""

import hashlib
import io
import json
import re
import tarfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.stack import PRELUDE, PYTHON, Stack

PASSWORD = "backup-test-password-2026"

SEED = """
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import domain as applying, evidence, validators
from reports import application_report
from review.assignment import assign
from review.reviewing import save_review
from tests.factories import make_cycle, make_jurisdiction, pdf_bytes
from tests.factories.answers import wizard_state

hashed = make_password(PASSWORD)
cycle = make_cycle(name="Backup 2026-2028")
organizer = User.objects.create(username="organizer", role=User.Role.ORGANIZER, password=hashed)
reviewer = User.objects.create(username="reviewer", role=User.Role.REVIEWER, password=hashed)
for n, name in enumerate(NAMES):
    place = make_jurisdiction(name=name)
    staff = User.objects.create(
        username=f"staff-{name.lower()}", role=User.Role.APPLICANT, jurisdiction=place, password=hashed
    )
    application = applying.start_application(place, cycle, staff, prefill=False)
    applying.save_draft(application, wizard_state(), staff, application.version)
    for kind in ("technology_plan", "sla"):
        upload = SimpleUploadedFile(f"{name} {kind}.pdf", pdf_bytes(pages=n + 1), content_type="application/pdf")
        evidence.store_document(application, kind, upload, validators.check_pdf(upload), staff)
    if REVIEWED:
        application = applying.submit_application(application, staff)
        review = assign(application, reviewer, organizer).review
        save_review(review, reviewer, review.version, {"D7": 3, "F6": 2, "H3": 3}, {}, "Clear plan.", "", True)
        application_report.report_file(application)
emit({"cycle": cycle.pk})
"""

# Runs until the stop file appears (bounded: 5,000 rounds, 5 minutes): a new jurisdiction with an
# applicant, a saved draft, an uploaded PDF, and every fourth round a removed one.
WRITER = """
import sys
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import domain as applying, evidence, validators
from tests.factories import make_jurisdiction, pdf_bytes
from tests.factories.answers import wizard_state

progress, stop, cycle = Path(sys.argv[1]), Path(sys.argv[2]), Cycle.objects.get(pk=int(sys.argv[3]))
deadline = time.monotonic() + 300
for n in range(5000):
    if stop.exists() or time.monotonic() > deadline:
        break
    place = make_jurisdiction(name=f"Loadville {n}")
    staff = User.objects.create(username=f"load{n}", role=User.Role.APPLICANT, jurisdiction=place)
    application = applying.start_application(place, cycle, staff, prefill=False)
    applying.save_draft(application, wizard_state(), staff, application.version)
    upload = SimpleUploadedFile(f"plan {n}.pdf", pdf_bytes(pages=1 + n % 3), content_type="application/pdf")
    document = evidence.store_document(application, "technology_plan", upload, validators.check_pdf(upload), staff)
    if n % 4 == 3:
        evidence.remove_document(document, staff)
    progress.with_suffix(".tmp").write_text(str(n + 1))
    progress.with_suffix(".tmp").replace(progress)  # whole, never half-written, for the test reading it
"""

# What the restored installation holds: row counts, and every FileField row's file checked.
INVENTORY = """
import hashlib
from pathlib import Path
from django.conf import settings

counts = {}
with connection.cursor() as cursor:
    for table in TABLES:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]

def digest(name):
    path = Path(settings.MEDIA_ROOT) / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None

documents = [(str(d.pk), d.sha256, digest(d.file.name)) for d in EvidenceDocument.objects.all()]
reports = [(r.file.name, r.size, digest(r.file.name)) for r in ReportFile.objects.exclude(file="")]
integrity = None
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
emit({"counts": counts, "documents": documents, "reports": reports, "integrity": integrity})
"""


def seed(stack, names=("Alder", "Birch", "Cedar"), reviewed=True):
    code = f"PASSWORD = {PASSWORD!r}\nNAMES = {list(names)!r}\nREVIEWED = {reviewed}\n" + SEED
    return stack.run(code)


def manifest_of(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def repack(source, target, change=None, extra=()):
    """Copy an archive member by member; ``change(name, data)`` may alter a file's bytes; ``extra`` TarInfos are added."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None
            if data is not None and change:
                data = change(member.name, data)
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
        for info, data in extra:
            new.addfile(info, io.BytesIO(data) if data is not None else None)
    return target


def restore(stack, archive, *args):
    return stack.manage("restore", archive, *args, check=False)


def is_empty(stack):
    """No jurisdiction, user or uploaded file: nothing of the backup arrived."""
    rows = stack.run(
        "migrated = 'assessment_user' in connection.introspection.table_names()\n"
        "emit(Jurisdiction.objects.count() + User.objects.count() if migrated else 0)"
    )
    return rows == 0 and not any(path.is_file() for path in stack.media.rglob("*"))


class Visitor:
    """A signed-in person's browser against a stack's server (cookies kept, redirects followed)."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path):
        with self.opener.open(self.url + path, timeout=60) as response:
            return response.status, response.read()

    def sign_in(self, username):
        _status, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        with self.opener.open(self.url + "/login/", data=form.encode(), timeout=60) as response:
            assert "/login/" not in response.url, "the sign-in was refused"


def wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def small_backup(tmp_path_factory):
    """An archive of a small installation (two applications with evidence), shared by the refusal tests."""
    source = Stack(tmp_path_factory.mktemp("source"))
    try:
        source.manage("migrate")
        seed(source, names=("Alder", "Birch"), reviewed=False)
        archive = source.folder / "small.tar.gz"
        source.manage("backup", "--output", archive)
        yield archive
    finally:
        source.close()


def test_a_backup_taken_under_write_load_restores_every_row_and_file(stack, tmp_path):
    stack.manage("migrate")
    cycle = seed(stack)["cycle"]
    progress, stop = tmp_path / "progress", tmp_path / "stop"
    writer = stack.spawn(
        [PYTHON, "-c", PRELUDE + WRITER, progress, stop, str(cycle)], env={"DJANGO_SETTINGS_MODULE": "config.settings"}
    )

    def rounds():
        assert writer.poll() is None, f"the writer stopped:\n{stack.log(writer)}"
        return int(progress.read_text()) if progress.exists() else 0

    wait_for(lambda: rounds() >= 4, "the writer's first rounds")
    archive = tmp_path / "under-load.tar.gz"
    backup = stack.manage("backup", "--output", archive)
    after_backup = rounds()
    wait_for(lambda: rounds() > after_backup + 1, "writes after the backup")
    stop.touch()
    writer.wait(timeout=120)
    assert writer.returncode == 0, stack.log(writer)
    assert "Warning" not in backup.stderr, backup.stderr

    manifest = manifest_of(archive)
    counts = manifest["row_counts"]
    source_now = stack.run("emit(Jurisdiction.objects.count())")
    # The writer wrote before the backup and went on after it: the backup holds a moment in between.
    assert 3 < counts["assessment_jurisdiction"] < source_now
    assert manifest["missing_files"] == []
    assert manifest["engine"] == stack.kind
    assert counts["assessment_evidencedocument"] > 6 and counts["reports_reportfile"] == 3

    other = Stack(tmp_path / "other")
    try:
        other.manage("migrate")
        restored = restore(other, archive)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "Restore drill passed" in restored.stdout

        found = other.run(f"TABLES = {sorted(counts)!r}\n" + INVENTORY)
        assert found["counts"] == counts  # every row the backup counted, table by table
        assert found["integrity"] in ("ok", None)
        assert len(found["documents"]) == counts["assessment_evidencedocument"]
        for pk, recorded, on_disk in found["documents"]:
            assert on_disk == recorded, f"evidence {pk}: file missing or changed"
        files = {item["path"]: item["sha256"] for item in manifest["media"]}
        assert len(found["reports"]) == 3
        for name, size, on_disk in found["reports"]:
            assert on_disk == files[name] and size == (other.media / name).stat().st_size

        # The restored site works: an applicant signs in, sees the application and downloads the evidence.
        application, document, content_hash = other.run(
            "d = EvidenceDocument.objects.get(application__jurisdiction__name='Birch', kind='sla')\n"
            "emit([str(d.application_id), str(d.pk), d.sha256])"
        )
        with other.server(workers=1, threads=2) as url:
            assert urllib.request.urlopen(url + "/health/", timeout=30).status == 200
            visitor = Visitor(url)
            visitor.sign_in("staff-birch")
            status, page = visitor.get(f"/applications/{application}/")
            assert status == 200 and b"Birch" in page and b"Birch sla.pdf" in page
            status, pdf = visitor.get(f"/documents/{document}/")
            assert status == 200 and hashlib.sha256(pdf).hexdigest() == content_hash
    finally:
        other.close()


def test_an_empty_installation_round_trips(stack, tmp_path):
    stack.manage("migrate")
    archive = tmp_path / "empty.tar.gz"
    stack.manage("backup", "--output", archive)
    manifest = manifest_of(archive)
    assert manifest["media"] == [] and manifest["row_counts"]["assessment_application"] == 0

    other = Stack(tmp_path / "other")  # never migrated: the restore brings the schema
    try:
        restored = restore(other, archive)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "Restore drill passed" in restored.stdout
        other.manage("migrate", "--check")  # the schema is complete: no migration left to apply
        assert other.run("emit(Cycle.objects.count() + User.objects.count())") == 0
    finally:
        other.close()


def test_restore_refuses_an_installation_with_data_unless_forced(stack, small_backup):
    stack.manage("migrate")
    stack.run("Jurisdiction.objects.create(name='Keepsake', kind='city', state='OR', population=5000)")

    refused = restore(stack, small_backup)
    assert refused.returncode != 0
    assert "already has data" in refused.stderr and "--force" in refused.stderr
    assert stack.run("emit(list(Jurisdiction.objects.values_list('name', flat=True)))") == ["Keepsake"]

    forced = restore(stack, small_backup, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    names = stack.run("emit(sorted(Jurisdiction.objects.values_list('name', flat=True)))")
    assert names == ["Alder", "Birch"]
    assert stack.run("emit(EvidenceDocument.objects.count())") == 4


def test_a_tampered_file_is_refused_before_anything_is_restored(stack, small_backup, tmp_path):
    def swap_evidence(name, data):
        return data.replace(b"%%EOF", b"%%EOF\n% changed") if name.startswith("media/evidence/") else data

    tampered = repack(small_backup, tmp_path / "tampered.tar.gz", swap_evidence)
    refused = restore(stack, tampered)
    assert refused.returncode != 0
    assert "does not match the manifest's sha256" in refused.stderr
    assert is_empty(stack)


def _member(name, kind=tarfile.REGTYPE, data=b"x", link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


@pytest.mark.parametrize(
    "member",
    [
        _member("../../escaped.txt"),
        _member("media/../../../escaped.txt"),
        _member("/tmp/escaped-absolute.txt"),
        _member("media/evidence/link.pdf", tarfile.SYMTYPE, link="/etc/passwd"),
        _member("media/evidence/hard.pdf", tarfile.LNKTYPE, link="/etc/passwd"),
    ],
    ids=["dot-dot", "dot-dot-inside-media", "absolute", "symlink", "hardlink"],
)
def test_members_outside_the_archive_or_links_are_refused(stack, small_backup, tmp_path, member):
    hostile = repack(small_backup, tmp_path / "hostile.tar.gz", extra=[member])
    refused = restore(stack, hostile)
    assert refused.returncode != 0
    assert f"member {member[0].name!r}" in refused.stderr and "refused" in refused.stderr
    assert not any(Path(name).exists() for name in ("/escaped.txt", "/tmp/escaped.txt", "/tmp/escaped-absolute.txt"))
    assert is_empty(stack)


@pytest.mark.parametrize("kind", ["not-a-tar", "no-manifest"])
def test_something_that_is_no_backup_is_refused(stack, small_backup, tmp_path, kind):
    if kind == "not-a-tar":
        archive = tmp_path / "notes.tar.gz"
        archive.write_bytes(b"%PDF-1.7 this is a PDF, not a backup")
        expected = "is not a readable backup archive"
    else:
        archive = tmp_path / "plain.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(small_backup, "media/evidence/x.pdf")
        expected = "has no manifest.json"
    refused = restore(stack, archive)
    assert refused.returncode != 0 and expected in refused.stderr
    assert is_empty(stack)


def test_a_backup_of_the_other_engine_is_refused(stack, small_backup, tmp_path):
    other = "postgresql" if stack.kind == "sqlite" else "sqlite"

    def relabel(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["engine"] = other
        return json.dumps(manifest).encode()

    archive = repack(small_backup, tmp_path / "other-engine.tar.gz", relabel)
    refused = restore(stack, archive)
    assert refused.returncode != 0
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert f"a backup of a {names[other]} database; the configured database is {names[stack.kind]}" in refused.stderr
    assert is_empty(stack)


@pytest.mark.parametrize("client", ["missing", "too-old"])
def test_a_backup_says_which_postgresql_client_it_needs(stack, tmp_path, client):
    if not stack.postgres:
        pytest.skip("a SQLite backup needs no client program")
    stack.manage("migrate")
    tools = tmp_path / "bin"
    tools.mkdir()
    if client == "too-old":
        (tools / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        (tools / "pg_dump").chmod(0o755)
    archive = tmp_path / "never.tar.gz"
    result = stack.manage("backup", "--output", archive, check=False, env={"PATH": str(tools)})
    expected = "pg_dump is not installed" if client == "missing" else "pg_dump 9 is too old to dump a PostgreSQL"
    assert result.returncode != 0 and expected in result.stderr
    assert "postgresql-client-" in result.stderr
    assert not archive.exists() and not list(tmp_path.glob(".*never*"))
