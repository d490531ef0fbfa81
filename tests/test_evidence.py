"""Evidence uploads: only real PDFs, stored under server names, served as attachments."""

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import AuditEvent, EvidenceDocument
from tests.factories import make_jurisdiction, make_organizer, make_reviewer, make_user, pdf_bytes


def upload(client, application, content, name="plan.pdf", kind="technology_plan", content_type="application/pdf"):
    return client.post(
        reverse("document_upload", kwargs={"pk": application.pk}),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_real_pdf_is_stored_under_a_server_name_with_its_page_count(client, setup):
    applicant, application, media = setup
    client.force_login(applicant)
    content = pdf_bytes(pages=3)
    response = upload(client, application, content, name="Technology plan 2025.pdf")
    assert response.status_code == 302
    assert response.url == reverse("application_step", kwargs={"pk": application.pk, "step": "evidence"})
    document = EvidenceDocument.objects.get()
    assert document.pages == 3
    assert document.original_name == "Technology plan 2025.pdf"
    assert document.file.name == f"evidence/{application.pk}/{document.pk}.pdf"
    # What is stored is qpdf's rewritten copy (tests/test_evidence_hostile_rewritten.py), described by its own sha256 and size.
    stored = (media / document.file.name).read_bytes()
    assert stored.startswith(b"%PDF-") and stored != content
    assert (hashlib.sha256(stored).hexdigest(), len(stored)) == (document.sha256, document.size)
    assert AuditEvent.objects.filter(action="document.uploaded", actor=applicant).exists()
    assert "Technology plan 2025.pdf was added (3 pages)." in texts(response)

    page = client.get(response.url)
    assert "Technology plan 2025.pdf" in page.content.decode()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"<html><script>alert(1)</script></html>", "not a PDF"),
        (b"%PDF-1.7\n this is not really a pdf at all", "damaged"),
        (pdf_bytes(password="secret"), "password-protected"),
        (b"", "empty"),
    ],
    ids=["html-renamed", "truncated", "encrypted", "empty"],
)
def test_files_that_are_not_usable_pdfs_are_refused_with_a_message(client, setup, content, message):
    applicant, application, media = setup
    client.force_login(applicant)
    response = upload(client, application, content, name="evil.pdf")
    assert response.status_code == 302
    assert any(message in text for text in texts(response)), texts(response)
    assert EvidenceDocument.objects.count() == 0
    assert not (media / "evidence").exists() or not any((media / "evidence").rglob("*"))


def test_an_oversized_file_is_refused_and_nothing_is_written(client, setup, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    applicant, application, media = setup
    client.force_login(applicant)
    response = upload(client, application, pdf_bytes(pages=20))
    assert any("the limit is" in text for text in texts(response))
    assert EvidenceDocument.objects.count() == 0


def test_a_missing_kind_or_file_is_a_message_not_an_error(client, setup):
    applicant, application, _ = setup
    client.force_login(applicant)
    response = client.post(reverse("document_upload", kwargs={"pk": application.pk}), {"kind": ""})
    assert response.status_code == 302
    messages = " ".join(texts(response))
    assert "Choose a PDF file" in messages
    assert "This field is required" in messages


@pytest.mark.parametrize(
    "hostile,shown",
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
        ("x" * 300 + ".pdf", None),
    ],
    ids=["traversal", "windows-traversal", "html", "very-long"],
)
def test_hostile_names_never_reach_the_disk_and_are_escaped_on_the_page(client, setup, hostile, shown):
    applicant, application, media = setup
    client.force_login(applicant)
    upload(client, application, pdf_bytes(), name=hostile)
    document = EvidenceDocument.objects.get()
    assert document.file.name == f"evidence/{application.pk}/{document.pk}.pdf"
    assert len(document.original_name) <= 255
    if shown:
        assert document.original_name == shown
    files = [p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()]
    assert files == [document.file.name]
    page = client.get(reverse("application_step", kwargs={"pk": application.pk, "step": "evidence"})).content.decode()
    assert "<img src=x" not in page
    if "<img" in hostile:
        assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page


def test_download_is_an_attachment_that_is_never_sniffed(client, setup):
    applicant, application, _ = setup
    client.force_login(applicant)
    content = pdf_bytes()
    upload(client, application, content, name="sla.pdf", kind="sla")
    document = EvidenceDocument.objects.get()
    response = client.get(reverse("document_download", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="sla.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    with document.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_media_is_not_served_at_any_public_url(client, setup, settings):
    applicant, application, _ = setup
    client.force_login(applicant)
    upload(client, application, pdf_bytes())
    document = EvidenceDocument.objects.get()
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get("/media/" + document.file.name).status_code == 404


def test_other_jurisdictions_reviewers_and_organizers_cannot_upload_or_remove(client, setup):
    applicant, application, _ = setup
    client.force_login(applicant)
    upload(client, application, pdf_bytes())
    document = EvidenceDocument.objects.get()
    outsider = make_user(jurisdiction=make_jurisdiction(name="Elsewhere"))
    for person, expected in [(outsider, 404), (make_reviewer(), 404), (make_organizer(), 403)]:
        client.force_login(person)
        assert upload(client, application, pdf_bytes()).status_code == expected
        assert client.post(reverse("document_delete", kwargs={"pk": document.pk})).status_code == expected
    assert EvidenceDocument.objects.count() == 1


def test_removing_a_document_deletes_row_and_file_and_is_audited(client, setup, django_capture_on_commit_callbacks):
    applicant, application, media = setup
    client.force_login(applicant)
    upload(client, application, pdf_bytes())
    document = EvidenceDocument.objects.get()
    path = media / document.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("document_delete", kwargs={"pk": document.pk}))
    assert response.status_code == 302
    assert EvidenceDocument.objects.count() == 0
    assert not path.exists()
    assert AuditEvent.objects.filter(action="document.removed", actor=applicant).exists()


def test_documents_of_a_submitted_application_cannot_change(client, setup):
    applicant, application, _ = setup
    client.force_login(applicant)
    upload(client, application, pdf_bytes())
    document = EvidenceDocument.objects.get()
    application.status = application.Status.SUBMITTED
    application.save(update_fields=["status"])
    response = upload(client, application, pdf_bytes())
    assert any("submitted" in text for text in texts(response))
    response = client.post(reverse("document_delete", kwargs={"pk": document.pk}))
    assert any("submitted" in text for text in texts(response))
    assert list(EvidenceDocument.objects.all()) == [document]
