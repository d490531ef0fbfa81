"""Request bodies are capped before anything reads them (first in settings.MIDDLEWARE).

Django's own limits come too late: DATA_UPLOAD_MAX_MEMORY_SIZE only covers
form fields, and a file part of a multipart body is spooled to a temporary
file in full before any form or the CSRF check can refuse it. So every
request gets a cap on its body here, before the CSRF middleware or a view
looks at request.POST:

- ``UPLOAD_REQUEST_MAX_BYTES`` (the evidence limit plus a margin for the rest
  of the form) on the routes where a signed-in applicant attaches a PDF,
  when the request's session cookie names a signed-in session: the route
  decides, and the session is looked up here since it is not loaded yet; the
  view still checks who it is and refuses a file over the evidence limit
  with a form error;
- ``REQUEST_MAX_BYTES`` everywhere else.

A Content-Length over the cap is refused with 413 without reading a byte of
the body. A body without one (``Transfer-Encoding: chunked``) is read through
a reader that stops one byte past the cap: a longer body is refused with 413,
a shorter one is handed on with its real length. Either way no more than the
cap is ever read, held in memory or written to a temporary file.
"""

from importlib import import_module
from io import BytesIO

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.files.temp import NamedTemporaryFile
from django.core.handlers.wsgi import LimitedStream
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation

from config.language import language_of

# Where a signed-in applicant sends a file: the evidence upload and a clarification's answer.
UPLOAD_ROUTES = frozenset({"document_upload", "clarification_answer"})
READ_SIZE = 64 * 1024


class BodyTooLarge(Exception):
    pass


def is_upload(request):
    """Whether this request may carry an applicant's PDF: an upload route, from a signed-in session."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    # The wizard's evidence step uploads the file chosen on it with its answers.
    evidence_step = match.url_name == "application_step" and match.kwargs.get("step") == "evidence"
    if match.url_name not in UPLOAD_ROUTES and not evidence_step:
        return False
    # The session is not loaded yet (SessionMiddleware comes later): look it up, so that a made-up
    # cookie does not buy the large cap. The view still decides who may upload.
    return SESSION_KEY in import_module(settings.SESSION_ENGINE).SessionStore(key)


def declared_length(request):
    """The Content-Length, or None when the request has none (a chunked body)."""
    raw = request.META.get("CONTENT_LENGTH")
    if raw in (None, ""):
        return None
    try:
        return max(int(raw), 0)
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read


class CappedReader:
    """A file-like view of ``stream`` that raises BodyTooLarge once more than ``cap`` bytes have come."""

    def __init__(self, stream, cap):
        self.stream = stream
        self.cap = cap
        self.seen = 0

    def read(self, size):
        chunk = self.stream.read(min(size, self.cap + 1 - self.seen))
        self.seen += len(chunk)
        if self.seen > self.cap:
            raise BodyTooLarge
        return chunk


def take_chunked_body(request, cap):
    """Read a body that has no Content-Length, at most ``cap`` bytes, and hand it on with its length."""
    reader = CappedReader(request.environ["wsgi.input"], cap)
    # In memory up to Django's own threshold for uploads; beyond it in a temporary file where Django puts
    # its own (FILE_UPLOAD_TEMP_DIR), which never grows past the cap.
    buffer = BytesIO()
    try:
        while chunk := reader.read(READ_SIZE):
            if isinstance(buffer, BytesIO) and buffer.tell() + len(chunk) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
                spilled = NamedTemporaryFile(suffix=".body", dir=settings.FILE_UPLOAD_TEMP_DIR)
                spilled.write(buffer.getvalue())
                buffer = spilled
            buffer.write(chunk)
    except BodyTooLarge:
        buffer.close()
        raise
    buffer.seek(0)
    request.environ["wsgi.input"] = buffer
    request.META["CONTENT_LENGTH"] = str(reader.seen)
    # WSGIRequest made its stream from the missing Content-Length (0 bytes); it reads the buffer instead.
    request._stream = LimitedStream(buffer, reader.seen)
    return buffer


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The 413 page is answered before the rest of the middleware runs: it gets their headers here.
        self.headers = [
            CSPMiddleware(get_response),
            XFrameOptionsMiddleware(get_response),
            SecurityMiddleware(get_response),
        ]

    def __call__(self, request):
        length = declared_length(request)
        chunked = length is None and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and (length or 0) <= settings.REQUEST_MAX_BYTES:
            return self.get_response(request)  # within the small cap: nothing to look up
        upload = is_upload(request)
        cap = settings.UPLOAD_REQUEST_MAX_BYTES if upload else settings.REQUEST_MAX_BYTES
        if not chunked:
            return self.too_large(request, cap, upload) if length > cap else self.get_response(request)
        try:
            buffer = take_chunked_body(request, cap)
        except BodyTooLarge:
            return self.too_large(request, cap, upload)
        response = self.get_response(request)
        response._resource_closers.append(buffer.close)
        return response

    def too_large(self, request, cap, upload):
        # Before the language middleware (and the user): the page is in the cookie's or the browser's language.
        with translation.override(language_of(request)):
            response = render(
                request,
                "413.html",
                {
                    "limit_mb": cap / 1_048_576,
                    "upload": upload,
                    "evidence_mb": settings.EVIDENCE_MAX_BYTES / 1_048_576,
                },
                status=413,
            )
        response["Content-Length"] = str(len(response.content))
        for middleware in self.headers:
            response = middleware.process_response(request, response)
        return response
