"""HTML → PDF: WeasyPrint in separate render processes, bounded, behind a deny-by-default URL fetcher.

A hostile or pathological document can cost a render, never the web worker:
each render runs in a child process with a time limit and a memory limit, no
network, and a URL fetcher that reads ``data:`` URLs and the project's own
static files and refuses everything else.

This is the only module the render process imports (it is started with
multiprocessing's "spawn", so it inherits no threads, locks or database
connections, and it never sets Django up): it imports neither the documents
nor the views nor any model. WeasyPrint itself is imported only where a PDF is
rendered (in the render process, or by a test calling ``html_to_pdf``), never
by the web process that merely asks for one.
"""

import logging
import multiprocessing
import resource
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.utils.translation import gettext as _

from config.slots import ProcessSlots

# WeasyPrint announces every rendering step at INFO, the site's log level:
# keep its warnings and errors, not its progress.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

logger = logging.getLogger(__name__)

# The documents' base URL. It is never resolved on a network: the fetcher maps
# the /static/ path under it to the project's own static files on disk and
# refuses everything else.
REPORT_ORIGIN = "https://report.invalid"
STATIC_BASE = f"{REPORT_ORIGIN}/static/"
STATIC_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
MAX_DATA_URL = 2 * 1024 * 1024
# What the render process says when it runs out of memory (it has no Django, so no translations: the web
# process puts it into words).
OUT_OF_MEMORY = "it needed more memory than a report may use"

# WeasyPrint's options, the same for every report. presentational_hints stays
# off: HTML attributes never style a report (security.md). Every report is
# PDF/UA-1: designees post them on their own sites, where accessibility law
# applies; the variant tags the structure and declares the document's language.
PDF_OPTIONS = {"presentational_hints": False, "pdf_tags": True, "custom_metadata": False, "pdf_variant": "pdf/ua-1"}

# Bounds of one render. Settings may override them (REPORT_RENDER_*).
DEFAULT_TIMEOUT = 60  # seconds
DEFAULT_MEMORY = 1024 * 1024 * 1024  # bytes of address space for the render process
DEFAULT_PROCESSES = 2  # render processes per web or worker process
MAX_HTML = 5 * 1024 * 1024  # characters
RENDERS_PER_PROCESS = 200  # then a fresh process, so no cache grows without end


# --- In the render process ------------------------------------------------------------


class Refused(ValueError):
    """A URL the report may not load. WeasyPrint logs it and leaves the resource out."""


@cache
def _fetcher_class():
    """SafeURLFetcher, a subclass of WeasyPrint's URLFetcher (what WeasyPrint accepts), made on first use."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # heavy: WeasyPrint loads only where PDFs are made

    class SafeURLFetcher(URLFetcher):
        """Deny by default: ``data:`` URLs and the project's own static files read from disk, nothing else.

        No network (no http, no https, no redirects), no ``file:`` URLs (a static
        file is read by its path only after the path is checked to lie inside a
        static directory). Every refusal is kept in ``refused`` for the caller.
        """

        def __init__(self, static_roots):
            super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
            self.static_roots = [(prefix, Path(root).resolve()) for prefix, root in static_roots]
            self.refused = []

        def fetch(self, url, headers=None):
            try:
                if url[:5].lower() == "data:":
                    return self._data(url)
                path = static_path(self.static_roots, url)
                if path is None:
                    raise Refused(f"not one of the report's own files: {url[:200]}")
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": STATIC_TYPES[path.suffix.lower()]})
            except Refused:
                self.refused.append(url[:500])
                raise

        def _data(self, url):
            if len(url) > MAX_DATA_URL:
                raise Refused("data: URL too large")
            response = DataHandler().data_open(Request(url))
            content_type = response.headers.get("Content-Type", "")
            return URLFetcherResponse(url, response.read(), {"Content-Type": content_type})

    return SafeURLFetcher


def safe_url_fetcher(static_roots):
    """The URL fetcher of one render: reads only ``data:`` URLs and files inside ``static_roots``."""
    return _fetcher_class()(static_roots)


def static_path(roots, url):
    """The file a ``STATIC_BASE`` URL names inside one of ``roots`` ([(prefix, resolved Path)]), or None."""
    if not url.startswith(STATIC_BASE):
        return None
    parts = urlsplit(url)
    relative = unquote(parts.path).removeprefix("/static/")
    if "\\" in relative or "\x00" in relative or Path(relative).suffix.lower() not in STATIC_TYPES:
        return None
    for prefix, root in roots:
        name = relative
        if prefix:
            if not relative.startswith(prefix + "/"):
                continue
            name = relative[len(prefix) + 1 :]
        candidate = (root / name).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def static_roots():
    """The directories a report may read static files from: the project's STATICFILES_DIRS and STATIC_ROOT."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        prefix, root = entry if isinstance(entry, (tuple, list)) else ("", entry)
        roots.append((prefix, str(root)))
    if settings.STATIC_ROOT:
        roots.append(("", str(settings.STATIC_ROOT)))
    return roots


def html_to_pdf(html, roots):
    """WeasyPrint on one document, in this process: (pdf bytes, page count, refused URLs).

    Called by the render process; tests call it directly to watch sockets.
    """
    from weasyprint import HTML  # heavy: WeasyPrint loads only where PDFs are made

    fetcher = safe_url_fetcher(roots)
    document = HTML(string=html, base_url=f"{REPORT_ORIGIN}/", url_fetcher=fetcher).render(**PDF_OPTIONS)
    pdf = document.write_pdf(**PDF_OPTIONS)
    return pdf, len(document.pages), fetcher.refused


def _no_network(*args, **kwargs):
    raise OSError("The report renderer has no network access.")


def _serve(conn, roots, memory_limit):
    """The render process: render each HTML document it is sent until its pipe closes."""
    import weasyprint  # noqa: F401  heavy: loaded once, before the memory limit and the first document

    _fetcher_class()
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # Belt and braces behind the fetcher: this process cannot open a connection.
    socket.socket.connect = socket.socket.connect_ex = _no_network
    socket.create_connection = socket.getaddrinfo = _no_network
    while True:
        try:
            html = conn.recv()
        except (EOFError, OSError):
            return
        try:
            pdf, pages, refused = html_to_pdf(html, roots)
            conn.send(("ok", pdf, pages, refused))
        except MemoryError:
            conn.send(("error", OUT_OF_MEMORY, 0, []))
            return
        except Exception as error:  # anything WeasyPrint raises ends this render, not the process
            conn.send(("error", f"{type(error).__name__}: {str(error)[:300]}", 0, []))


# --- From the web or task worker --------------------------------------------------------


class RenderError(Exception):
    """A report could not be made; the message says why in words for the person who asked."""


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    seconds: float
    refused: list = field(default_factory=list)


class _Renderer:
    """One render process and the pipe to it."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        memory = getattr(settings, "REPORT_RENDER_MEMORY", DEFAULT_MEMORY)
        self.process = context.Process(
            target=_serve, args=(child_end, static_roots(), memory), name="report-renderer", daemon=True
        )
        self.process.start()
        child_end.close()
        self.uses = 0

    def stop(self):
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


_idle = []
_idle_lock = threading.Lock()
_slots = ProcessSlots("REPORT_RENDER_PROCESSES", DEFAULT_PROCESSES)


def _take_renderer():
    with _idle_lock:
        while _idle:
            renderer = _idle.pop()
            if renderer.process.is_alive():
                return renderer
            renderer.stop()
    try:
        return _Renderer()
    except Exception as error:  # no process could be started: say so, as for any other failure
        logger.exception("The report renderer could not start")
        raise RenderError(_("The report renderer could not start; try again later.")) from error


def _give_back(renderer):
    renderer.uses += 1
    if renderer.uses >= RENDERS_PER_PROCESS:
        renderer.stop()
        return
    with _idle_lock:
        _idle.append(renderer)


def shutdown_renderers():
    """Stop the idle render processes (tests, and the benchmark between its runs)."""
    with _idle_lock:
        while _idle:
            _idle.pop().stop()


def render_pdf(html, timeout=None):
    """HTML → PDF in a render process, within ``timeout`` seconds; raises RenderError otherwise."""
    timeout = timeout or getattr(settings, "REPORT_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    if len(html) > MAX_HTML:
        raise RenderError(_("The report is too large to print."))
    slots = _slots.semaphore()
    if not slots.acquire(timeout=timeout):
        raise RenderError(_("The report service is busy; try again in a minute."))
    started = time.perf_counter()
    try:
        renderer = _take_renderer()
        try:
            renderer.conn.send(html)
            if not renderer.conn.poll(timeout):
                renderer.stop()
                raise RenderError(
                    _("Making the report took longer than %(seconds)s seconds, so it was stopped.")
                    % {"seconds": f"{timeout:g}"}
                )
            status, payload, pages, refused = renderer.conn.recv()
        except (EOFError, OSError) as error:
            renderer.stop()
            raise RenderError(_("The report renderer stopped unexpectedly (it may have run out of memory).")) from error
        if status != "ok":
            renderer.stop()
            why = _("it needed more memory than a report may use") if payload == OUT_OF_MEMORY else payload
            raise RenderError(_("The report could not be printed: %(why)s.") % {"why": why})
        _give_back(renderer)
        for url in refused:
            logger.warning("A report tried to load %s; refused.", url)
        return Rendered(pdf=payload, pages=pages, seconds=time.perf_counter() - started, refused=refused)
    finally:
        slots.release()
