"""PDF reports: an application's designation report and a cycle's summary of designees.

Three layers, top to bottom:

1. What a report says (``application_context``, ``summary_html``): read
   from the database and the scoring engine, rendered by autoescaped Django
   templates under ``templates/reports/pdf/``.
2. The cache (``application_report``, ``cycle_summary``): a ``ReportFile`` per
   report, made again only when the hash of its inputs changes.
3. HTML → PDF (``render_pdf``): WeasyPrint in a separate process with a time
   limit and a memory limit, behind a deny-by-default URL fetcher. A hostile
   or pathological document can cost a render, never the web worker.

The render process imports this module without setting Django up (it is
started with multiprocessing's "spawn" so it inherits no threads, locks or
database connections). That is why the model imports below sit inside the
functions that need them: the top of this module must import without an app
registry.
"""

import hashlib
import json
import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from config.slots import ProcessSlots

# WeasyPrint announces every rendering step at INFO, the site's log level:
# keep its warnings and errors, not its progress.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

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

# WeasyPrint's options, the same for every report. presentational_hints stays
# off: HTML attributes never style a report (security.md).
PDF_OPTIONS = {"presentational_hints": False, "pdf_tags": True, "custom_metadata": False}

# Bounds of one render. Settings may override them (REPORT_RENDER_*).
DEFAULT_TIMEOUT = 60  # seconds
DEFAULT_MEMORY = 1024 * 1024 * 1024  # bytes of address space for the render process
DEFAULT_PROCESSES = 2  # render processes per web or worker process
MAX_HTML = 5 * 1024 * 1024  # characters
RENDERS_PER_PROCESS = 200  # then a fresh process, so no cache grows without end


# --- 3. HTML → PDF, in the render process -------------------------------------------


class Refused(ValueError):
    """A URL the report may not load. WeasyPrint logs it and leaves the resource out."""


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
            path = self._static_path(url)
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
        return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers.get("Content-Type", "")})

    def _static_path(self, url):
        if not url.startswith(STATIC_BASE):
            return None
        parts = urlsplit(url)
        relative = unquote(parts.path).removeprefix("/static/")
        if "\\" in relative or "\x00" in relative or Path(relative).suffix.lower() not in STATIC_TYPES:
            return None
        for prefix, root in self.static_roots:
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
    fetcher = SafeURLFetcher(roots)
    document = HTML(string=html, base_url=f"{REPORT_ORIGIN}/", url_fetcher=fetcher).render(**PDF_OPTIONS)
    pdf = document.write_pdf(**PDF_OPTIONS)
    return pdf, len(document.pages), fetcher.refused


def _no_network(*args, **kwargs):
    raise OSError("The report renderer has no network access.")


def _serve(conn, roots, memory_limit):
    """The render process: render each HTML document it is sent until its pipe closes."""
    import resource
    import socket

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
            conn.send(("error", "it needed more memory than a report may use", 0, []))
            return
        except Exception as error:  # anything WeasyPrint raises ends this render, not the process
            conn.send(("error", f"{type(error).__name__}: {str(error)[:300]}", 0, []))


# --- 3. HTML → PDF, from the web or task worker -------------------------------------


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
        raise RenderError("The report renderer could not start; try again later.") from error


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
        raise RenderError("The report is too large to print.")
    slots = _slots.semaphore()
    if not slots.acquire(timeout=timeout):
        raise RenderError("The report service is busy; try again in a minute.")
    started = time.perf_counter()
    try:
        renderer = _take_renderer()
        try:
            renderer.conn.send(html)
            if not renderer.conn.poll(timeout):
                renderer.stop()
                raise RenderError(f"Making the report took longer than {timeout:g} seconds, so it was stopped.")
            status, payload, pages, refused = renderer.conn.recv()
        except (EOFError, OSError) as error:
            renderer.stop()
            raise RenderError("The report renderer stopped unexpectedly (it may have run out of memory).") from error
        if status != "ok":
            renderer.stop()
            raise RenderError(f"The report could not be printed: {payload}.")
        _give_back(renderer)
        for url in refused:
            logger.warning("A report tried to load %s; refused.", url)
        return Rendered(pdf=payload, pages=pages, seconds=time.perf_counter() - started, refused=refused)
    finally:
        slots.release()


# --- 1. What an application's report says -------------------------------------------


def is_published(decision):
    return decision is not None and decision.published_at is not None


def _points_map(decision, key):
    """A {criterion code: points} map frozen in the decision's snapshot, numbers only."""
    found = (decision.snapshot or {}).get(key) if decision else None
    if not isinstance(found, dict):
        return {}
    return {
        str(code): float(value)
        for code, value in found.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }


def judged_points(decision):
    """The reviewers' combined points per judged criterion, as frozen in the decision."""
    return _points_map(decision, "judged")


def adjusted_points(decision):
    """Rule scores the reviewers adjusted (with a written reason), as frozen in the decision."""
    return _points_map(decision, "adjusted")


def explain(application, decision):
    """The engine's result as the panel decided on it: its judged and adjusted points; rule scores alone without one."""
    from scoring.domain import explain_application

    return explain_application(application, judged_points(decision), adjusted_points(decision))


def _decision_data(decision):
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "level": decision.level,
        "rationale": decision.rationale,
        "total": None if decision.total is None else str(decision.total),
        "decided_at": decision.decided_at.isoformat(),
        "judged": judged_points(decision),
        "adjusted": adjusted_points(decision),
    }


@lru_cache(maxsize=1)
def design_version():
    """A hash of the report templates and the print stylesheet: a new design makes every report again."""
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates" / "reports" / "pdf").glob("*.html")) + [
        base / "static" / "reports" / "print.css"
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def _hash(inputs):
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Source:
    """What one application's report is made from, read once; ``hash`` identifies it."""

    application: object
    decision: object
    comments: list
    hash: str
    blind: bool = False


def gather(application, blind=False):
    """Read what the report needs, and hash it: answers, documents, rubric version, decision, comments.

    ``blind``: the report for a reviewer whose own review is not in yet: the
    rule scores alone, without the panel's decision, scores or comments.
    """
    # Imported here, not at the top: the spawned render process imports this module without Django set up.
    from review.domain import applicant_comments, current_decision
    from scoring.domain import rubric_for

    decision = None if blind else current_decision(application)
    comments = [] if blind else applicant_comments(application)
    rubric = rubric_for(application.cycle)
    jurisdiction, cycle = application.jurisdiction, application.cycle
    inputs = {
        "design": design_version(),
        "application": [str(application.pk), application.status, application.submitted_at],
        "jurisdiction": [jurisdiction.name, jurisdiction.state, jurisdiction.kind, jurisdiction.population],
        "cycle": [cycle.name, cycle.valid_from, cycle.valid_until],
        "answers": application.answers,
        "documents": sorted(application.documents.values_list("kind", flat=True)),
        "rubric": [rubric.pk, rubric.version],
        "decision": _decision_data(decision),
        "comments": comments,
        "blind": blind,
    }
    return Source(application=application, decision=decision, comments=comments, hash=_hash(inputs), blind=blind)


def _num(value):
    return f"{value:.1f}"


def points(value):
    """Points as people write them: 12, 3.2, 2.75 (never 3.20); None stays None (not scored yet)."""
    if value is None:
        return None
    return f"{round(float(value), 2):g}"


def _shown(row, *keys):
    """A copy of an engine row with its numbers written as points."""
    return {**row, **{key: points(row.get(key)) for key in keys}}


CHART_ROW = 30
CHART_LABEL = 250
CHART_BAR = 280


def category_chart(categories):
    """Geometry of the bar chart of points by category, drawn as inline SVG (no script, nothing fetched)."""
    bars = []
    for index, category in enumerate(categories):
        top = index * CHART_ROW + 4
        most = category["max"] or 1
        earned = max(0.0, min(1.0, category["points"] / most))
        pending = max(0.0, min(1.0 - earned, (category["pending"] or 0) / most))
        bars.append(
            {
                "code": category["code"],
                "label": f"{category['code']}  {category['name']}",
                "y": _num(top),
                "text_y": _num(top + 15),
                "width": _num(CHART_BAR * earned),
                "pending_x": _num(CHART_LABEL + CHART_BAR * earned),
                "pending_width": _num(CHART_BAR * pending),
                "needed_x": _num(CHART_LABEL + CHART_BAR * min(1.0, category["needed"] / most)),
                "needed_bottom": _num(top + 22),
                "points": points(category["points"]),
                "max": points(category["max"]),
                "met": category["share_met"],
            }
        )
    return {
        "height": len(categories) * CHART_ROW + 8,
        "label_x": 0,
        "bar_x": CHART_LABEL,
        "bar_width": CHART_BAR,
        "value_x": CHART_LABEL + CHART_BAR + 10,
        "view_width": CHART_LABEL + CHART_BAR + 100,
        "bars": bars,
    }


def application_context(source):
    """The template context of an application's report."""
    from scoring.domain import rubric_for

    application, decision = source.application, source.decision
    result = explain(application, decision)
    criteria = [_shown(c, "points", "max") for c in result["criteria"]]
    categories = [
        {
            **_shown(c, "points", "max", "needed"),
            "pending": points(c["pending"]) if c["pending"] else None,
            "criteria": [],
        }
        for c in result["categories"]
    ]
    by_code = {category["code"]: category for category in categories}
    for criterion in criteria:
        by_code[criterion["category"]]["criteria"].append(criterion)
    designated = decision is not None and decision.outcome == "designated"
    total = decision.total if decision is not None and decision.total is not None else result["total"]
    full = [c for c, raw in zip(criteria, result["criteria"], strict=True) if _at_full_points(raw)]
    return {
        "application": application,
        "jurisdiction": application.jurisdiction,
        "cycle": application.cycle,
        "decision": decision,
        "is_draft": decision is None,
        "designated": designated,
        "level": (decision.level if decision else "") or (result["level"] if designated else ""),
        "report_date": timezone.localdate(decision.decided_at) if decision else timezone.localdate(),
        "result": result,
        "total": points(total),
        "rule_total": points(result["total"]),
        "max_total": points(result["max_total"]),
        "threshold": points(rubric_for(application.cycle).threshold),
        "categories": categories,
        "chart": category_chart(result["categories"]),
        "strengths": full,
        "recommendations": [_shown(i, "gain") for i in sorted(result["improvements"], key=lambda i: -i["gain"])],
        "waiting": [c for c in criteria if c["points"] is None],
        "unmet_prerequisites": [p for p in result["prerequisites"] if not p["met"]],
        "comments": source.comments,
        "blind": source.blind,
        "static_base": STATIC_BASE,
        "site_name": settings.SITE_NAME,
    }


def _at_full_points(criterion):
    return criterion["points"] is not None and criterion["max"] > 0 and criterion["points"] >= criterion["max"]


def application_html(source):
    return render_to_string("reports/pdf/application.html", application_context(source))


# --- 1. What a cycle's summary says -------------------------------------------------


def designees(cycle):
    """The cycle's published designees, by the one rule of reports.designees, as the summary lists them."""
    from reports.designees import designees as published_designees

    return [
        {"application": application, "level": application.level, "recorded": application.decision_pk is None}
        for application in published_designees(cycle)
    ]


def _step(answers, step):
    value = answers.get(step) if isinstance(answers, dict) else None
    return value if isinstance(value, dict) else {}


def _chosen(answers, step, name):
    value = _step(answers, step).get(name)
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _how_many(count, total):
    """'All 13', 'None', '5 of 13'."""
    if count == total:
        return "Both" if total == 2 else f"All {total}"
    if count == 0:
        return "None"
    return f"{count} of {total}"


def _percent(count, total):
    return f"{round(100 * count / total)} %"


def _lower_first(label):
    """'Web form' → 'web form', 'E-mail' → 'e-mail', but 'GIS' and 'IVR' stay as they are."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _and(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def highlights(answers_list):
    """Sentences about what the designees have in common, computed from their answers (seed 004's kind)."""
    from scoring.engine import CHOICE_LABELS

    n = len(answers_list)
    if not n:
        return []
    sentences = []

    def common(step, name, key):
        sets = [_chosen(a, step, name) for a in answers_list]
        labels = CHOICE_LABELS.get(key, {})
        shared = set.intersection(*sets)
        return [label for value, label in labels.items() if value in shared], sets, labels

    def count_true(step, name):
        return sum(1 for a in answers_list if _step(a, step).get(name) is True)

    channels, channel_sets, channel_labels = common("channels", "channels", "channels.channels")
    if channels:
        sentences.append(f"{_how_many(n, n)} take service requests by {_and(_lower_first(c) for c in channels)}.")
    rare = []
    for value in ("voice_recognition", "web_chat"):
        if value in channel_labels:
            users = sum(1 for s in channel_sets if value in s)
            if users <= n * 0.15:
                rare.append(f"{_lower_first(channel_labels[value])}: {'none' if not users else f'{users} of {n}'}")
    if rare:
        sentences.append(f"Almost none have voice recognition or web chat ({'; '.join(rare)}).")
    integrations, _sets, _labels = common("technology", "crm_integrations", "technology.crm_integrations")
    if integrations:
        sentences.append(f"{_how_many(n, n)} integrate their CRM with {_and(_lower_first(i) for i in integrations)}.")
    mobile = count_true("channels", "mobile_app_photo_location")
    sentences.append(
        f"{_how_many(mobile, n)} offer a mobile reporting app that sends a photo and location into their systems."
    )
    metrics = [len(a.get("metrics") or []) if isinstance(a.get("metrics"), list) else 0 for a in answers_list]
    low, high = min(metrics), max(metrics)
    span = f"{low}" if low == high else f"{low} to {high}"
    sentences.append(f"They track {span} performance metrics ({sum(metrics) / n:.0f} on average).")
    self_service = min(len(_chosen(a, "channels", "self_service")) for a in answers_list)
    if self_service:
        sentences.append(f"Every one offers at least {self_service} self-service choices.")
    plans, slas = count_true("planning", "technology_plan"), count_true("accountability", "written_slas")
    sentences.append(
        f"{_percent(plans, n)} have a written technology plan and {_percent(slas, n)} written service-level "
        "agreements with the departments that deliver services."
    )
    social = count_true("participation", "social_takes_requests")
    sentences.append(f"{_how_many(social, n)} take service requests through social media.")
    remote = count_true("workforce", "remote_call_takers")
    sentences.append(f"{_how_many(remote, n)} have remote call takers.")
    numbers = [_step(a, "profile").get("contact_number_type") for a in answers_list]
    seven, both, only_311 = numbers.count("7digit"), numbers.count("both"), numbers.count("311")
    sentences.append(
        f"{only_311} use 3-1-1 only, {seven} a 7-digit number only and {both} both"
        f"{' (' + str(n - seven - both - only_311) + ' did not say)' if n - seven - both - only_311 else ''}."
    )
    return sentences


def gather_summary(cycle):
    """The designees and a hash of everything the summary is made from."""
    rows = designees(cycle)
    inputs = {
        "design": design_version(),
        "cycle": [cycle.pk, cycle.name, cycle.valid_from, cycle.valid_until],
        "designees": [
            [
                str(row["application"].pk),
                str(row["application"].jurisdiction),
                row["application"].jurisdiction.population,
                row["level"],
                row["application"].answers,
            ]
            for row in rows
        ],
    }
    return rows, _hash(inputs)


def summary_html(cycle, rows):
    from assessment.models import POPULATION_BANDS, population_band

    bands = []
    for _lower, band in reversed(POPULATION_BANDS):
        members = [row for row in rows if population_band(row["application"].jurisdiction.population) == band]
        if members:
            bands.append({"name": band, "designees": members})
    context = {
        "cycle": cycle,
        "designees": rows,
        "bands": bands,
        "highlights": highlights([row["application"].answers or {} for row in rows]),
        "recorded": any(row["recorded"] for row in rows),
        "report_date": timezone.localdate(),
        "static_base": STATIC_BASE,
        "site_name": settings.SITE_NAME,
    }
    return render_to_string("reports/pdf/cycle_summary.html", context)


# --- 2. The cache -------------------------------------------------------------------


def _file_ok(report):
    """Is the cached file the one the row recorded: there, of the recorded size, with the recorded sha256?

    Always the hash, not just the size (reading back a few hundred KB costs
    about a millisecond), so a damaged file of the same size is not trusted
    either. A row made before sha256 was recorded is not trusted: it is made
    again once, and then records it.
    """
    from assessment.evidence import file_matches

    if not report.file or not report.sha256 or not report.size:
        return False
    return file_matches(report.file.path, report.size, report.sha256)


REPORT_NOT_STORED = "The report could not be saved: {why}. Nothing was changed; try again later or tell the organizers."


class StorageFailed(RenderError):
    """The report was made but could not be written to the disk (full, failing); nothing of it was left."""


def _store(report, digest, html):
    """Render ``html`` into ``report``'s file; on failure record the error on the row and raise RenderError.

    The PDF is written whole to a temporary name and checked (assessment.evidence.PendingFile),
    then put in place as the last step of the transaction that saves the row with its
    size and sha256. A disk that cannot take it raises StorageFailed (a RenderError)
    and leaves the row and the files as they were.
    """
    from django.db import transaction

    from assessment.evidence import PendingFile, StorageError
    from reports.models import report_upload_to

    report.inputs_hash = digest
    report.generated_at = timezone.now()
    try:
        rendered = render_pdf(html)
    except RenderError as error:
        report.error = str(error)
        report.save()
        raise
    old_name = report.file.name if report.file else ""
    name = report_upload_to(report, "report.pdf")
    try:
        # Over a file of the same name (a damaged one, or one left by an attempt killed before its row was
        # saved) the rename replaces it whole: a reader never sees half of either.
        pending = PendingFile(report.file.storage, name, rendered.pdf, message=REPORT_NOT_STORED)
    except StorageError as error:
        raise StorageFailed(str(error)) from error
    report.file.name = name
    report.size, report.sha256, report.pages, report.render_seconds, report.error = (
        pending.size,
        pending.sha256,
        rendered.pages,
        rendered.seconds,
        "",
    )
    try:
        with transaction.atomic():
            report.save()
            pending.place()
    except StorageError as error:
        pending.discard(remove_placed=name != old_name)
        raise StorageFailed(str(error)) from error
    except BaseException:
        # The row did not commit: a new name is nobody's file; the same name now holds this render,
        # which the row's old sha256 does not match, so it is made again next time.
        pending.discard(remove_placed=name != old_name)
        raise
    if old_name and old_name != name:
        try:
            report.file.storage.delete(old_name)
        except OSError:  # no row names it now: manage.py sweep_files removes it
            logger.warning("Could not remove the old report file %s", old_name, exc_info=True)
    report.reused = False
    return report


def application_report(application, blind=False):
    """The application's report as a ReportFile: the cached one while its inputs are unchanged.

    ``blind`` makes the version for a reviewer who has not submitted their own
    review (see ``gather``), cached apart from the panel's. Raises RenderError
    when it has to be made and cannot be. ``reused`` on the result tells
    whether the cache served it.
    """
    from reports.models import ReportFile

    source = gather(application, blind=blind)
    kind = ReportFile.Kind.BLIND if blind else ReportFile.Kind.APPLICATION
    report, _created = ReportFile.objects.get_or_create(
        kind=kind, application=application, defaults={"cycle_id": application.cycle_id}
    )
    if report.is_current(source.hash) and _file_ok(report):
        report.reused = True
        return report
    return _store(report, source.hash, application_html(source))


def cycle_summary(cycle):
    """The cycle's summary of designees as a ReportFile, cached like the application reports."""
    from reports.models import ReportFile

    rows, digest = gather_summary(cycle)
    report, _created = ReportFile.objects.get_or_create(
        kind=ReportFile.Kind.CYCLE_SUMMARY, cycle=cycle, application=None
    )
    if report.is_current(digest) and _file_ok(report):
        report.reused = True
        return report
    return _store(report, digest, summary_html(cycle, rows))


def download_name(*parts):
    """A file name from words: 'Harbor City, VA', '2026–2028', 'designation report' → harbor-city-va-2026-2028-…pdf."""
    from django.utils.text import slugify

    return slugify(" ".join(str(p).replace("–", "-") for p in parts)) + ".pdf"
