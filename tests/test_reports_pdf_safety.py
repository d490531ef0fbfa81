"""PDF reports: hostile text can neither fetch nor embed anything, and rendering is bounded in time and
memory (the reports themselves: tests/test_reports_pdf.py)."""

import os
import re
import socket
import subprocess
import sys
import time

import pytest

from reports import application_report, render
from reports.models import ReportFile
from review.models import Decision
from tests.factories import make_jurisdiction, make_organizer
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import make_review
from tests.report_pdfs import (
    HOSTILE,
    HOSTILE_TEXT,
    ROOT,
    download,
    embedded_files,
    flat,
    media,  # noqa: F401  (an autouse fixture: pytest finds it by name)
    read,
)

pytestmark = pytest.mark.django_db


# --- Hostile text ------------------------------------------------------------------------


def hostile_application():
    answers = complete_answers()
    answers["planning"]["challenges"] = HOSTILE_TEXT
    answers["technology"]["crm_product"] = HOSTILE_TEXT
    answers["performance"]["publication_frequency"] = HOSTILE[0]  # echoed by the rule's reason
    answers["metrics"][0]["name"] = HOSTILE[1]
    jurisdiction = make_jurisdiction(name='Evil <img src="file:///etc/passwd"> Town')
    application = make_submitted(jurisdiction=jurisdiction, answers=answers)
    make_review(application, comments=HOSTILE_TEXT, notes="PRIVATE")
    decision = decide(application, level=HOSTILE[1])
    Decision.objects.filter(pk=decision.pk).update(rationale=HOSTILE_TEXT)
    return application


def test_hostile_text_is_printed_as_text_and_nothing_is_fetched_or_embedded(client, settings):
    application = hostile_application()

    report = application_report.report_file(application)
    data = report.file.read()
    reader, text, _pages = read(data)
    words = flat(text)

    # Autoescaped: the markup is there as words, not as elements.
    assert 'Evil <img src="file:///etc/passwd"> Town' in words
    assert "@import url(http://169.254.169.254/latest/meta-data/);" in words
    assert "root:x:0:0" not in text and "/bin/bash" not in text
    assert settings.SECRET_KEY not in text and settings.SECRET_KEY.encode() not in data
    assert embedded_files(reader) == []
    assert b"/EmbeddedFiles" not in data and b"/Launch" not in data and b"/URI" not in data


def test_the_html_given_to_weasyprint_never_carries_applicant_markup():
    application = hostile_application()
    html = application_report.html(application_report.gather(application))

    for fragment in HOSTILE:
        assert fragment not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    # The stylesheets are the project's own, under the report origin (the print one, and the peer table's).
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]*)">', html)
    assert len(hrefs) == html.count("<link ") and f"{render.STATIC_BASE}reports/print.css" in hrefs
    assert all(re.fullmatch(rf"{re.escape(render.STATIC_BASE)}reports/[a-z]+\.css", href) for href in hrefs)


@pytest.fixture
def no_sockets(monkeypatch):
    """Fail the test if anything in this process opens a network connection."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise AssertionError(f"a connection was attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_the_fetcher_refuses_everything_but_data_and_static_files_even_in_raw_html(no_sockets):
    """Raw hostile HTML (as if escaping had failed) straight into WeasyPrint, in this process."""
    raw = f"""<html><head>
      <link rel="stylesheet" href="http://169.254.169.254/style.css">
      <link rel="stylesheet" href="{render.STATIC_BASE}reports/print.css">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url(http://169.254.169.254/); @import url(file:///etc/passwd);</style>
      </head><body>
      <h1>Raw</h1>
      <img src="file:///etc/passwd"><img src="https://example.org/pixel.png">
      <img src="{render.STATIC_BASE}../../../../etc/passwd.png">
      <img src="{render.STATIC_BASE}reports/%2e%2e/%2e%2e/config/settings.css">
      <img src="{render.REPORT_ORIGIN}/etc/passwd.png">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E">
      <a rel="attachment" href="file:///etc/passwd">attached?</a>
      <iframe src="file:///etc/passwd"></iframe><object data="file:///etc/passwd"></object>
      <svg><image href="file:///etc/passwd"/></svg>
      </body></html>"""

    data, pages, refused = render.html_to_pdf(raw, render.static_roots())

    assert no_sockets == []
    for url in (
        "http://169.254.169.254/style.css",
        "http://169.254.169.254/",
        "file:///etc/passwd",
        "https://example.org/pixel.png",
        f"{render.REPORT_ORIGIN}/etc/passwd.png",
    ):
        assert url in refused, refused
    assert any("settings.css" in url for url in refused)
    assert not any(url.startswith("data:") or url.endswith("print.css") for url in refused)
    reader, text, _pages = read(data)
    assert "root:x:0:0" not in text and b"root:x:0:0" not in data
    assert embedded_files(reader) == []
    assert pages == len(reader.pages)


def test_the_fetcher_reads_only_files_inside_the_static_directories(tmp_path):
    fetcher = render.safe_url_fetcher(render.static_roots())
    response = fetcher.fetch(f"{render.STATIC_BASE}reports/print.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        f"{render.STATIC_BASE}reports/../../config/settings.py",
        f"{render.STATIC_BASE}reports/nope.css",
        "file:///work/main/static/reports/print.css",
        "ftp://example.org/x.css",
        "HTTP://169.254.169.254/",
    ):
        with pytest.raises(render.Refused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_the_web_process_does_not_import_weasyprint():
    """Only a render process (or a test calling html_to_pdf) loads WeasyPrint: the URLconf, views and tasks do not."""
    code = (
        "import django; django.setup(); import config.urls; import reports.tasks; import sys; "
        "assert 'weasyprint' not in sys.modules, sorted(m for m in sys.modules if m.startswith('weasyprint'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


# --- Bounded rendering ---------------------------------------------------------------------


def pathological_html(rows=4000):
    cells = "".join(f"<tr><td colspan='65534'>{i}</td><td>{'x ' * 40}</td></tr>" for i in range(rows))
    return f"<html><body><table>{cells}</table></body></html>"


def test_a_render_that_takes_too_long_is_stopped_and_the_next_one_works(settings):
    settings.REPORT_RENDER_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(render.RenderError, match="took longer than 0.5 seconds"):
        render.render_pdf(pathological_html())
    assert time.monotonic() - started < 10

    settings.REPORT_RENDER_TIMEOUT = 60
    rendered = render.render_pdf("<html><body><h1>Fine</h1></body></html>")
    assert rendered.pages == 1 and "Fine" in read(rendered.pdf)[1]


def test_a_render_that_needs_too_much_memory_is_stopped(settings):
    render.shutdown_renderers()  # the limit applies to render processes started from now on
    settings.REPORT_RENDER_MEMORY = 280 * 1024 * 1024
    try:
        with pytest.raises(render.RenderError, match="memory|stopped unexpectedly"):
            render.render_pdf(pathological_html(rows=30000), timeout=120)
    finally:
        render.shutdown_renderers()


def test_when_a_report_cannot_be_made_the_page_says_so_without_a_server_error(client, monkeypatch):
    application = make_submitted()

    def too_slow(html, timeout=None):
        raise render.RenderError("Making the report took longer than 60 seconds, so it was stopped.")

    monkeypatch.setattr(render, "render_pdf", too_slow)
    response = download(client, make_organizer(), application)

    assert response.status_code == 503
    body = response.content.decode()
    assert "The report could not be made" in body and "took longer than 60 seconds" in body
    report = ReportFile.objects.get(application=application)
    assert "took longer" in report.error and not report.file
