"""PDF reports: what they say, who may read them, and that hostile text can neither fetch nor embed anything.

Every PDF is opened with pypdf: its text, pages, bookmarks, tags, links and
embedded files are checked, not just its status code.
"""

import io
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessment.audit import audit
from assessment.models import Application, Cycle
from reports import application_report, cycle_summary, render
from reports.designees import RECORDED_DESIGNATION, designees
from reports.downloads import download_name
from reports.models import ReportFile
from review.models import Assignment, Decision, Review
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import JUDGED, make_review

pytestmark = pytest.mark.django_db

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "<style>@import url(http://169.254.169.254/latest/meta-data/);</style>",
    '<svg><image href="http://169.254.169.254/x.png"/></svg>',
]
HOSTILE_TEXT = " ".join(HOSTILE)
ROOT = Path(__file__).resolve().parent.parent


# --- Helpers ---------------------------------------------------------------------------


def read(data):
    """pypdf's view of a PDF: (reader, all text, text per page)."""
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    return reader, "\n".join(pages), pages


def flat(text):
    return " ".join(text.split())


def outline_titles(outline):
    for entry in outline:
        if isinstance(entry, list):
            yield from outline_titles(entry)
        else:
            yield entry.title


def embedded_files(reader):
    """Everything in the PDF that could carry a file: /EmbeddedFiles, /AF, file-attachment annotations."""
    found = list(reader.attachments)
    root = reader.trailer["/Root"]
    if "/Names" in root and "/EmbeddedFiles" in root["/Names"]:
        found.append("/EmbeddedFiles")
    if "/AF" in root:
        found.append("/AF")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") in ("/FileAttachment", "/Link") or "/A" in annotation:
                found.append(str(annotation.get("/Subtype")))
    return found


def download(client, user, application):
    client.force_login(user)
    return client.get(reverse("application_report_pdf", args=[application.pk]))


def pdf_bytes(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- What the report says ----------------------------------------------------------------


def test_a_designee_report_has_every_part_and_a_certificate(client):
    application = make_submitted()
    make_review(application, comments="Your callback option is a model for others.", notes="PRIVATE-NOTE-1")
    make_review(application, comments="Publish the dashboard weekly.", notes="PRIVATE-NOTE-2")
    make_review(application, comments="EXCLUDED-COMMENT", notes="PRIVATE-NOTE-3", excluded=True)
    make_review(application, comments="UNSUBMITTED-COMMENT", status=Review.Status.DRAFT)
    decide(
        application,
        level="Designated with Distinction",
        total="81.5",
        rationale="Strong multi-channel access.",
        snapshot={"judged": JUDGED, "adjusted": {"A2": 1}},
    )

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))
    words = flat(text)

    # Cover
    assert "Designation report" in pages[0] and "Harbor City, VA" in pages[0] and "2026–2028" in pages[0]
    assert "Designated" in pages[0] and "Designated with Distinction" in flat(pages[0]) and "81.5 of 100" in pages[0]
    assert "DRAFT" not in text
    # The panel's decision, with its rationale (the applicant sees it on the application page too)
    assert "The panel's decision" in text and "Strong multi-channel access." in words
    # Scores: chart and table, every criterion with its points and reason
    assert "Summary of scores" in text and "Points by category" in text
    assert "Every criterion, with its points and reason" in text
    assert "6 of 6 points: Live agent by phone" in words
    assert "scored by reviewers" in words  # the judged points came from the decision's snapshot
    assert "1 of 3 points: adjusted by reviewers." in words  # and so did the adjusted rule scores
    # Comments for the applicant only: submitted, not excluded, never private notes
    assert "Your callback option is a model for others." in words and "Publish the dashboard weekly." in words
    assert "Reviewer 1" in text and "Reviewer 2" in text and "Reviewer 3" not in text
    for hidden in ("PRIVATE-NOTE", "EXCLUDED-COMMENT", "UNSUBMITTED-COMMENT"):
        assert hidden not in text
    # Strengths and recommendations
    assert "Strengths" in text and "Criteria at full points" in text
    assert "Recommendations" in text and "What would earn the missing points" in text
    # The certificate is the last page, in landscape
    last = reader.pages[-1]
    assert "CERTIFICATE OF DESIGNATION" in pages[-1] and "Harbor City, VA" in pages[-1]
    assert "Citizen-Engaged Community" in pages[-1] and "Designated with Distinction" in pages[-1]
    assert float(last.mediabox.width) > float(last.mediabox.height)
    # Page numbers and the running header (margin boxes), bookmarks from the headings, tags
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Harbor City, VA · 2026–2028 designation report" in pages[1]
    titles = list(outline_titles(reader.outline))
    assert {
        "Designation report",
        "The panel's decision",
        "Summary of scores",
        "Reviewers' comments",
        "Strengths",
        "Recommendations",
    } <= set(titles)
    assert "Certificate of designation" in titles
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Designation report: Harbor City, VA")
    assert embedded_files(reader) == []


def test_without_a_decision_the_report_is_a_draft_without_certificate(client):
    application = make_submitted()
    make_review(application, comments="Looks promising.")
    reviewer = make_reviewer()
    Assignment.objects.create(application=application, reviewer=reviewer)

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Draft designation report" in pages[0] and "Not decided yet" in flat(pages[0])
    assert all("DRAFT" in page for page in pages)  # watermark and footer on every page
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()
    assert "Looks promising." in text

    # Independence: the reviewer who has not submitted reads the rule scores alone.
    client.logout()
    _reader, text, _pages = read(pdf_bytes(download(client, reviewer, application)))
    assert "Draft designation report" in text and "pending" in text  # judged criteria wait for the reviewers
    assert "Looks promising." not in text
    assert "other reviewers' scores and comments appear once your own review is submitted" in flat(text)


def test_a_report_of_a_jurisdiction_not_designated_has_no_certificate(client):
    application = make_submitted(answers=complete_answers(planning={}, workforce={}))
    decide(application, outcome=Decision.Outcome.NOT_DESIGNATED)

    reader, text, pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Not designated" in pages[0]
    assert "CERTIFICATE OF DESIGNATION" not in text.upper()
    assert "What stands between this application and a designation" in text
    assert "Planning and improvement" in text


def test_a_superseded_decision_gives_way_to_the_current_one(client):
    application = make_submitted()
    first = decide(application, outcome=Decision.Outcome.NOT_DESIGNATED)
    first.superseded_at = timezone.now()
    first.save()
    decide(application, level="Exemplary")

    _reader, text, _pages = read(pdf_bytes(download(client, make_organizer(), application)))

    assert "Exemplary" in text and "Not designated" not in text


# --- Who may read it ---------------------------------------------------------------------


def test_the_applicant_gets_the_report_only_once_the_current_decision_is_published(client):
    application = make_submitted()
    applicant = make_user(jurisdiction=application.jurisdiction)
    assert download(client, applicant, application).status_code == 403

    decision = decide(application, published=False)
    response = download(client, applicant, application)
    assert response.status_code == 403
    assert "once the panel" in response.content.decode()

    decision.published_at = timezone.now()
    decision.save()
    _reader, text, _pages = read(pdf_bytes(download(client, applicant, application)))
    assert "CERTIFICATE OF DESIGNATION" in text

    # An appeal's new decision, not yet published, closes the door again.
    decision.superseded_at = timezone.now()
    decision.save()
    decide(application, published=False)
    assert download(client, applicant, application).status_code == 403


def test_outsiders_get_404_and_an_ended_assignment_closes_the_report(client):
    application = make_submitted()
    decide(application)
    other_staff = make_user(jurisdiction=make_jurisdiction(name="Elsewhere"))
    assert download(client, other_staff, application).status_code == 404
    assert download(client, make_reviewer(), application).status_code == 404

    reviewer = make_reviewer()
    assignment = Assignment.objects.create(application=application, reviewer=reviewer)
    assert download(client, reviewer, application).status_code == 200
    assignment.active = False
    assignment.save()
    assert download(client, reviewer, application).status_code == 404


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
    # The one stylesheet is the project's own, under the report origin.
    assert html.count("<link ") == 1 and f'href="{render.STATIC_BASE}reports/print.css"' in html


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


# --- The cache -------------------------------------------------------------------------------


def test_a_report_is_made_again_only_when_what_it_shows_changes(monkeypatch):
    application = make_submitted()
    calls = []
    real = render.render_pdf
    monkeypatch.setattr(render, "render_pdf", lambda html, timeout=None: calls.append(1) or real(html, timeout))

    first = application_report.report_file(application)
    assert not first.reused and len(calls) == 1 and first.pages >= 5 and first.size > 1000
    assert application_report.report_file(application).reused and len(calls) == 1

    changes = [
        lambda: make_review(application, comments="A new comment."),
        lambda: decide(application),
        lambda: Application.objects.filter(pk=application.pk).update(
            answers=complete_answers(workforce={"remote_call_takers": False})
        ),
    ]
    for number, change in enumerate(changes, start=2):
        change()
        application.refresh_from_db()
        report = application_report.report_file(application)
        assert not report.reused and len(calls) == number
        assert application_report.report_file(application).reused and len(calls) == number
    # A private note changes nothing the report shows.
    Review.objects.update(private_notes="Changed my private mind.")
    assert application_report.report_file(application).reused and len(calls) == len(changes) + 1
    # One file on disk per report: the old ones were removed.
    folder = first.file.storage.path(f"reports/application/{application.pk}")
    assert len(list(__import__("pathlib").Path(folder).iterdir())) == 1


# --- The cycle summary ---------------------------------------------------------------------------


def test_the_cycle_summary_lists_published_designees_with_highlights(client):
    cycle = make_cycle(name="2026–2028")
    designated = make_submitted(jurisdiction=make_jurisdiction(name="Harbor City"), cycle=cycle)
    decide(designated, level="Exemplary")
    second = make_submitted(
        jurisdiction=make_jurisdiction(name="Lakeside", population=60_000),
        cycle=cycle,
        answers=complete_answers(planning={"technology_plan": False}),
    )
    decide(second, level="Designated")
    unpublished = make_submitted(jurisdiction=make_jurisdiction(name="Quiet Town"), cycle=cycle)
    decide(unpublished, published=False)
    refused = make_submitted(jurisdiction=make_jurisdiction(name="Refused City"), cycle=cycle)
    decide(refused, outcome=Decision.Outcome.NOT_DESIGNATED)
    # A designation recorded from an announcement (in a published cycle) counts only where no decision exists.
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    audit(None, RECORDED_DESIGNATION, "Recorded", refused)
    recorded = make_submitted(jurisdiction=make_jurisdiction(name="Old Town"), cycle=cycle)
    audit(None, RECORDED_DESIGNATION, "Recorded", recorded)

    client.force_login(make_organizer())
    response = client.get(reverse("cycle_summary_pdf", args=[cycle.pk]))
    _reader, text, _pages = read(pdf_bytes(response))
    words = flat(text)

    assert "Designated Citizen-Engaged Communities 2026–2028" in words
    assert "3 designated communities" in words
    for name in ("Harbor City, VA", "Lakeside, VA", "Old Town, VA"):
        assert name in words
    for name in ("Quiet Town", "Refused City"):
        assert name not in words
    assert "Exemplary" in words
    assert "All 3 take service requests by live agent by phone, interactive voice response (IVR)" in words
    assert "67 % have a written technology plan" in words
    assert "They track 6 performance metrics" in words


def test_the_summary_of_the_2013_2015_designees_matches_the_announcement(client, settings):
    settings.DEMO = True
    call_command("load_demo", stdout=io.StringIO())
    cycle = Cycle.objects.get(name="2013–2015")

    rows = list(designees(cycle))
    assert len(rows) == 13 and all(cycle_summary.is_recorded(row) for row in rows)
    sentences = cycle_summary.highlights([row.answers for row in rows])
    text = " ".join(sentences)
    assert "All 13 take service requests by live agent by phone, interactive voice response (IVR), web form" in text
    assert "mobile app" in text
    assert "They track 5 to 14 performance metrics" in text
    assert "Every one offers at least 5 self-service choices" in text
    assert "85 % have a written technology plan and 85 % written service-level agreements" in text
    assert "voice recognition: none; web chat: 1 of 13" in text

    client.force_login(make_organizer())
    _reader, pdf_text, _pages = read(pdf_bytes(client.get(reverse("cycle_summary_pdf", args=[cycle.pk]))))
    words = flat(pdf_text)
    for name in ("City of Chesapeake, VA", "Washington, DC", "Pinellas County, FL", "Montgomery County, MD"):
        assert name in words
    assert "13 designated communities" in words


def test_the_cycle_summary_is_for_organizers_only(client):
    cycle = make_cycle()
    for user in (make_user(jurisdiction=make_jurisdiction()), make_reviewer()):
        client.force_login(user)
        assert client.get(reverse("cycle_summary_pdf", args=[cycle.pk])).status_code == 403
    client.force_login(make_organizer())
    assert client.get(reverse("cycle_summary_pdf", args=[cycle.pk + 1000])).status_code == 404


def test_download_names_are_plain():
    assert download_name("Harbor City, VA", "2026–2028", "designation report") == (
        "harbor-city-va-2026-2028-designation-report.pdf"
    )


def test_points_are_written_as_people_write_them():
    assert [application_report.points(v) for v in (12.0, 3.2, 2.75, Decimal("81.50"), None, 0)] == [
        "12",
        "3.2",
        "2.75",
        "81.5",
        None,
        "0",
    ]
