"""Hostile requests: a body over its cap is refused (413) before it is read; the 404 page keeps exceptions to itself.

The body tests run against a real gunicorn (tests/stack.py) whose TMPDIR, where Django spools uploaded
files, is a folder a thread watches while the request goes out slowly over a raw socket: the server must
answer 413 before the body has been sent, and no file in that folder may ever grow past the cap.
A normal upload under the cap still works, and the watcher sees its temporary file (so it does watch).
"""

import os
import re
import select
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import path, reverse

from assessment import domain
from config.urls import urlpatterns as site_urlpatterns
from tests.factories import PASSWORD, make_cycle, make_jurisdiction, make_user
from tests.stack import Browser, Stack

MB = 1024 * 1024
SMALL_CAP = settings.REQUEST_MAX_BYTES  # the server reads the same environment
UPLOAD_CAP = settings.UPLOAD_REQUEST_MAX_BYTES
# Far more than the kernel's socket buffers hold while nobody reads (tcp_rmem starts at 128 KB): a server
# that does not read the body cannot have taken all of it.
BEYOND = 32 * MB
BOUNDARY = "limit-test-boundary"

SEED = """
from assessment import domain
from tests.factories import make_cycle, make_jurisdiction, make_user
jurisdiction = make_jurisdiction(name="Harbor City")
user = make_user(jurisdiction=jurisdiction, username="applicant")
application = domain.start_application(jurisdiction, make_cycle(), user)
emit(str(application.pk))
"""


# A site in its own processes ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """gunicorn on a fresh install, Harbor City's draft, and the folder the server spools uploads to."""
    installation = Stack(tmp_path_factory.mktemp("stack"))
    spool = installation.folder / "tmp"
    spool.mkdir()
    installation.env["TMPDIR"] = str(spool)
    try:
        installation.manage("migrate", "--noinput")
        application = installation.run(SEED)
        with installation.server(workers=1, threads=4) as url:
            yield {"stack": installation, "url": url, "spool": spool, "application": application}
    finally:
        installation.close()


class DiskWatch:
    """The largest size each new file in ``folder`` reached while watched (polled every millisecond or so)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.before = set(os.listdir(self.folder))
        self.sizes = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while not self._stop.is_set():
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name in self.before:
                        continue
                    try:
                        size = entry.stat().st_size
                    except FileNotFoundError:
                        continue
                    self.sizes[entry.name] = max(size, self.sizes.get(entry.name, 0))
            time.sleep(0.001)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        time.sleep(0.05)
        self._stop.set()
        self._thread.join()

    @property
    def largest(self):
        return max(self.sizes.values(), default=0)


class Answer:
    def __init__(self, raw, sent):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        self.page = self.body.decode(errors="replace")
        self.sent = sent  # bytes of the body sent before the answer came


def complete(raw):
    head, found, body = raw.partition(b"\r\n\r\n")
    if not found:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return length is not None and len(body) >= int(length[1])


def send_slowly(url, method, target, headers, body, chunked=False, pause=0.0005):
    """Send the head, then the body a piece at a time while reading what the server answers; stop at its answer."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    headers = {"Host": parts.netloc, **headers}
    headers["Transfer-Encoding" if chunked else "Content-Length"] = "chunked" if chunked else str(body.length)
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    sock.setblocking(False)
    pieces = iter(body.pieces(chunked))
    pending, sent, raw = b"", 0, b""
    deadline = time.monotonic() + 120
    try:
        while not complete(raw):
            assert time.monotonic() < deadline, f"No answer; {sent} bytes sent"
            if not pending and pieces is not None:
                pending = next(pieces, b"")
                if not pending:
                    pieces = None  # all sent
            readable, writable, _ = select.select([sock], [sock] if pending else [], [], 0.5)
            if readable:
                try:
                    data = sock.recv(256 * 1024)
                except ConnectionResetError:
                    break
                if not data:
                    break
                raw += data
            elif writable:
                try:
                    count = sock.send(pending[: 64 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    pending, pieces = b"", None
                    continue
                sent += count
                pending = pending[count:]
                time.sleep(pause)
    finally:
        sock.close()
    assert raw, f"The server closed the connection without an answer after {sent} bytes"
    return Answer(raw, sent)


class Multipart:
    """A multipart/form-data body of form fields and one file of ``size`` bytes (or ``content``), made as it is sent."""

    def __init__(self, fields, size=None, content=None, name="plan.pdf"):
        self.content = content
        self.size = len(content) if content is not None else size
        self.head = (
            "".join(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
                for key, value in fields.items()
            ).encode()
            + (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
        )
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + self.size + len(self.tail)

    def _data(self):
        yield self.head
        if self.content is not None:
            for start in range(0, self.size, 64 * 1024):
                yield self.content[start : start + 64 * 1024]
        else:
            block = b"%PDF-1.7\n" + b"0" * (64 * 1024 - 9)
            left = self.size
            while left:
                yield block[: min(left, len(block))]
                left -= min(left, len(block))
                block = b"0" * len(block)
        yield self.tail

    def pieces(self, chunked):
        for data in self._data():
            yield (f"{len(data):x}\r\n".encode() + data + b"\r\n") if chunked else data
        if chunked:
            yield b"0\r\n\r\n"


CONTENT_TYPE = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def signed_in(site):
    browser = Browser(site["url"])
    browser.log_in("applicant", PASSWORD)
    cookies = {cookie.name: cookie.value for cookie in browser.cookies}
    return browser, {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **CONTENT_TYPE}, cookies["csrftoken"]


def documents(site):
    return site["stack"].run(f"emit(EvidenceDocument.objects.filter(application_id={site['application']!r}).count())")


def a_pdf_of(size):
    """A real PDF of about ``size`` bytes (its metadata carries the bulk), bigger than Django keeps in memory."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Subject": "x" * size})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Anonymous ---------------------------------------------------------------------------------------------


@pytest.mark.process
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_anonymous_post_over_the_small_cap_is_refused_before_it_is_read(site, chunked):
    body = Multipart({"username": "x", "password": "y"}, size=SMALL_CAP + BEYOND)
    with DiskWatch(site["spool"]) as disk:
        answer = send_slowly(site["url"], "POST", "/login/", CONTENT_TYPE, body, chunked=chunked)
    assert answer.status == 413
    assert "Too large to accept" in answer.page
    assert "What you sent is larger than this site accepts (1 MB at most), so none of it was read or kept." in (
        answer.page
    )
    assert answer.sent < body.length - BEYOND // 2  # answered long before the body was all sent
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    if chunked:
        assert disk.largest <= SMALL_CAP  # read up to the cap (in memory), no further
    else:
        assert disk.sizes == {}  # not one byte of the body was read


@pytest.mark.process
def test_a_made_up_session_cookie_does_not_get_the_upload_cap(site):
    body = Multipart({"kind": "technology_plan"}, size=SMALL_CAP + BEYOND)
    headers = {"Cookie": "sessionid=made-up-session-key", **CONTENT_TYPE}
    with DiskWatch(site["spool"]) as disk:
        answer = send_slowly(site["url"], "POST", f"/applications/{site['application']}/documents/", headers, body)
    assert answer.status == 413
    assert "(1 MB at most)" in answer.page
    assert disk.sizes == {}


# Signed in -------------------------------------------------------------------------------------------


@pytest.mark.process
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_signed_in_upload_over_the_evidence_cap_is_refused_before_it_is_read(site, chunked):
    _browser, headers, token = signed_in(site)
    body = Multipart({"csrfmiddlewaretoken": token, "kind": "technology_plan"}, size=UPLOAD_CAP + BEYOND)
    with DiskWatch(site["spool"]) as disk:
        answer = send_slowly(
            site["url"], "POST", f"/applications/{site['application']}/documents/", headers, body, chunked=chunked
        )
    assert answer.status == 413
    assert "(11 MB at most)" in answer.page
    assert (
        "An evidence document can be up to 10 MB. Go back, choose a smaller PDF (or split the document into parts) "
        "and upload it again." in answer.page
    )
    assert answer.sent < body.length - BEYOND // 2
    if chunked:
        assert 0 < disk.largest <= UPLOAD_CAP  # read into a temporary file up to the cap, no further
    else:
        assert disk.sizes == {}
    assert documents(site) == 0


@pytest.mark.process
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_upload_under_the_cap_still_works(site, chunked):
    browser, headers, token = signed_in(site)
    before = documents(site)
    name = f"Technology plan ({'chunked' if chunked else 'plain'}).pdf"
    content = a_pdf_of(3 * MB)
    body = Multipart({"csrfmiddlewaretoken": token, "kind": "technology_plan"}, content=content, name=name)
    with DiskWatch(site["spool"]) as disk:
        answer = send_slowly(
            site["url"], "POST", f"/applications/{site['application']}/documents/", headers, body, chunked=chunked
        )
    assert answer.status == 302, answer.page[:3000]
    assert answer.headers["location"] == f"/applications/{site['application']}/steps/evidence/"
    assert answer.sent >= body.length  # all of it this time
    # Django spooled the 3 MB file to the watched folder: the watcher sees what reaches the disk.
    assert 3 * MB <= disk.largest <= UPLOAD_CAP
    assert documents(site) == before + 1
    _url, page = browser.get(f"/applications/{site['application']}/steps/evidence/")
    assert name in page


# In-process: the 413 page and the caps per route -------------------------------------------------------------


def multipart_upload(size):
    return {"kind": "technology_plan", "file": SimpleUploadedFile("big.pdf", b"<html>" + b"0" * size)}


@pytest.fixture
def draft(db):
    home = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=home)
    return applicant, domain.start_application(home, make_cycle(), applicant)


def test_the_413_page_says_what_the_limit_is_with_the_site_headers(client, db):
    response = client.post(reverse("login"), b"u=" + b"x" * SMALL_CAP, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.content.decode()
    assert "<title>Too large · Citizen-Engaged Community Designation</title>" in page
    assert "(1 MB at most), so none of it was read or kept." in page and "Go back and send less at a time." in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_body_at_the_small_cap_is_read_as_usual(client, db):
    prefix = b"username=nobody&password="
    body = prefix + b"x" * (SMALL_CAP - len(prefix))
    response = client.post(reverse("login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_the_upload_routes_take_the_large_cap_only_when_signed_in(client, draft):
    applicant, application = draft
    url = reverse("document_upload", kwargs={"pk": application.pk})
    assert client.post(url, multipart_upload(2 * MB)).status_code == 413  # signed out: the small cap
    client.force_login(applicant)
    # Signed in: a 2 MB file reaches the form, which says what is wrong with it.
    response = client.post(url, multipart_upload(2 * MB), follow=True)
    assert response.status_code == 200
    assert "The document was not added: This file is not a PDF." in response.content.decode()
    # Over the evidence limit plus the margin: refused before the form.
    response = client.post(url, multipart_upload(UPLOAD_CAP))
    assert response.status_code == 413
    assert "An evidence document can be up to 10 MB." in response.content.decode()
    # The wizard's evidence step uploads the file chosen on it with its answers (the large cap); other steps not.
    evidence = reverse("application_step", kwargs={"pk": application.pk, "step": "evidence"})
    typed = {**multipart_upload(2 * MB), "version": application.version}
    assert "the document was not added" in client.post(evidence, typed, follow=True).content.decode()
    step = reverse("application_step", kwargs={"pk": application.pk, "step": "planning"})
    assert client.post(step, multipart_upload(2 * MB)).status_code == 413


# The 404 page -----------------------------------------------------------------------------------------------

SECRET = "Application 4c1d belongs to Cedar County; reviewer sam.rivera@example.gov declared a conflict"


@login_not_required
def leaky(request):
    raise Http404(SECRET)


urlpatterns = [path("leaky/", leaky), *site_urlpatterns]


@pytest.mark.urls(__name__)
def test_the_404_page_does_not_print_the_exception_text(client, db, settings):
    settings.DEBUG = False
    response = client.get("/leaky/")
    assert response.status_code == 404
    page = response.content.decode()
    assert SECRET not in page and "Cedar County" not in page and "sam.rivera" not in page
    assert "There is no page at this address, or you do not have access to it." in page


def test_a_project_404_shows_the_plain_sentence(client, draft, settings):
    settings.DEBUG = False
    applicant, application = draft
    client.force_login(applicant)
    response = client.get(f"/applications/{application.pk}/steps/nosuchstep/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No such step." not in page
    assert "There is no page at this address, or you do not have access to it." in page
