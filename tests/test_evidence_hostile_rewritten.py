"""Hostile evidence PDFs (issue 10), stored: active content removed from the stored copy, safe names and
headers of downloads (the files are built in tests/hostile_pdfs.py)."""

import io
import time

import pikepdf
import pytest
from django.urls import reverse

from assessment import evidence, validators
from assessment.models import AuditEvent, EvidenceDocument
from tests.hostile_pdfs import (
    HTML,
    MARKER,
    active_content,
    document_script,
    embedded_files,
    everything_at_once,
    launch_and_uri_links,
    made,
    open_action_script,
    stored,
    texts,
    upload,
)

# --- Rewritten: stored without the active content, the applicant told --------------------------------


SCRIPTS = "For safety, scripts were removed from this copy."
OUTSIDE = "For safety, content outside the PDF was removed from this copy."


@pytest.mark.parametrize(
    "content,name,pages,note",
    [
        (made(open_action_script), "opens-a-script.pdf", 1, SCRIPTS),
        (made(document_script), "document-script.pdf", 1, SCRIPTS),
        (made(launch_and_uri_links), "links.pdf", 1, "For safety, links were removed from this copy."),
        (made(embedded_files), "attachments.pdf", 1, "For safety, embedded files were removed from this copy."),
        (made(pages=2) + HTML, "html-after.pdf", 2, OUTSIDE),
        (HTML + made(pages=2), "poly-before.html", 2, OUTSIDE),
        (
            made(everything_at_once, pages=2),
            "everything.pdf",
            2,
            "For safety, links, scripts, automatic actions, form submissions, embedded files and media "
            "were removed from this copy.",
        ),
    ],
    ids=[
        "open-action-script",
        "names-javascript",
        "launch-and-uri",
        "embedded-files",
        "html-after-eof",
        "html-before-header",
        "everything",
    ],
)
def test_active_content_is_removed_from_the_stored_copy(client, setup, content, name, pages, note):
    applicant, application, media = setup
    client.force_login(applicant)
    assert active_content(content) or HTML in content  # the file as uploaded is hostile
    response = upload(client, application, content, name=name)
    document = EvidenceDocument.objects.get()
    assert texts(response) == [f"{name} was added ({pages} page{'s' if pages > 1 else ''}). {note}"]
    data = stored(media, document)
    assert active_content(data) == []
    assert MARKER.encode() not in data and b"<html" not in data and b"<script" not in data
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == document.pages == pages
    assert (document.size, document.sha256) == (len(data), validators.CheckedPdf(data, pages).sha256)
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.data["sha256"] == document.sha256 and event.data["removed"]


def test_links_within_the_document_stay(client, setup):
    applicant, application, media = setup
    client.force_login(applicant)
    upload(client, application, made(everything_at_once, pages=2), name="everything.pdf")
    with pikepdf.open(io.BytesIO(stored(media, EvidenceDocument.objects.get()))) as pdf:
        annotations = pdf.pages[0].obj.Annots
        kept = [a.A for a in annotations if "/A" in a]
        assert [str(action.S) for action in kept] == ["/GoTo"]
        assert kept[0].D[0].objgen == pdf.pages[1].obj.objgen
        assert [str(action.S) for action in kept[0].Next] == ["/Named"]
        assert len(annotations) == 5  # the links stay as areas, without their actions; the rich media is gone
        assert "/AcroForm" in pdf.Root and "/XFA" not in pdf.Root.AcroForm and len(pdf.Root.AcroForm.Fields) == 1
        # The bookmarks stay, chained as they were, without their actions.
        first = pdf.Root.Outlines.First
        assert [str(first.Title), str(first.Next.Title)] == ["Visit", "Run"]
        assert first.Next.objgen == pdf.Root.Outlines.Last.objgen and first.Next.Prev.objgen == first.objgen
        assert "/A" not in first and "/A" not in first.Next


def test_an_ordinary_pdf_is_stored_rewritten_with_no_note(client, setup):
    applicant, application, media = setup
    client.force_login(applicant)
    content = made(pages=10)
    started = time.perf_counter()
    response = upload(client, application, content, name="Ten pages.pdf")
    assert time.perf_counter() - started < 5
    document = EvidenceDocument.objects.get()
    assert texts(response) == ["Ten pages.pdf was added (10 pages)."]
    assert document.pages == 10 and active_content(stored(media, document)) == []


# --- Names and headers of downloads ---------------------------------------------------------------------


def test_a_download_is_named_pdf_never_cached_never_sniffed(client, setup):
    applicant, application, media = setup
    client.force_login(applicant)
    upload(client, application, HTML + made(), name="poly-before.html")
    document = EvidenceDocument.objects.get()
    assert document.original_name == "poly-before.html"  # shown as the applicant named it, as escaped text
    response = client.get(reverse("document_download", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="poly-before.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == stored(media, document)
    page = client.get(reverse("application_step", kwargs={"pk": application.pk, "step": "evidence"}))
    assert "poly-before.html" in page.content.decode()


@pytest.mark.parametrize(
    "name,offered",
    [
        ("poly-before.html", "poly-before.pdf"),
        ("Plan.PDF", "Plan.PDF"),
        ("scan", "scan.pdf"),
        ("archive.tar.gz", "archive.tar.pdf"),
        (".html", "document.pdf"),
        ("report.pdf.exe", "report.pdf.pdf"),
        ("<img src=x onerror=alert(1)>.svg", "<img src=x onerror=alert(1)>.pdf"),
        ("x" * 300 + ".html", "x" * 251 + ".pdf"),
        ("", "document.pdf"),
    ],
)
def test_download_names_always_end_in_pdf(name, offered):
    assert evidence.document_download_name(name) == offered


def test_download_names_in_other_scripts_end_in_pdf(client, setup):
    applicant, application, _ = setup
    client.force_login(applicant)
    upload(client, application, made(), name="Plan d’urbanisme.docx")
    document = EvidenceDocument.objects.get()
    disposition = client.get(reverse("document_download", kwargs={"pk": document.pk}))["Content-Disposition"]
    assert disposition.startswith("attachment") and disposition.endswith(".pdf")
