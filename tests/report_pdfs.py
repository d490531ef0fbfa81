"""What the PDF report tests (tests/test_reports_pdf*.py) share: hostile text, reading PDFs with pypdf,
downloads, and uploads in a temporary folder."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

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


def structure(reader):
    """Every structure element of a tagged PDF: (role, its /Alt or None), in document order."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") is not None:
            found.append((str(node["/S"]), node.get("/Alt")))
        if node.get("/K") is not None:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found
