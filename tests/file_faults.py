"""What the file integrity tests (tests/test_file_integrity*.py) share: the messages of a full disk, a big
PDF, and reading what is on disk against the rows that name it."""

import hashlib
import os
import time

from django.contrib.messages import get_messages

from assessment.models import EvidenceDocument
from tests.factories import pdf_bytes

DISK_FULL_DOCUMENT = (
    "The document was not stored: the server's disk is full. Nothing was changed; "
    "try again later or tell the organizers."
)
DISK_FULL_REPORT = "The report could not be saved: the server's disk is full."
SAFE = "Your saved work is safe"
BIG = pdf_bytes(pages=300)  # about 37 KB once rewritten


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


def make_old(path, seconds=2 * 3600):
    then = time.time() - seconds
    os.utime(path, (then, then))
