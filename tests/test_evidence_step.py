"""The evidence step: what is typed there survives an upload or a removal, and a chosen file is never dropped."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.evidence import store_document
from assessment.models import Application, EvidenceDocument
from tests.factories import pdf_bytes

NOTES = "The SLA covers Public Works and Parks; <the> plan's appendix B lists every integration."


def step_url(application, step="evidence"):
    return reverse("application_step", kwargs={"pk": application.pk, "step": step})


def fresh(application):
    return Application.objects.get(pk=application.pk)


def post(client, application, action=None, file=None, kind="technology_plan", **extra):
    data = {"version": fresh(application).version, "evidence-notes": NOTES, "kind": kind, **extra}
    if action:
        data["action"] = action
    if file is not None:
        data["file"] = SimpleUploadedFile(file[0], file[1], content_type="application/pdf")
    return client.post(step_url(application), data, follow=True)


@pytest.fixture
def signed_in(client, setup):
    applicant, application, _media = setup
    client.force_login(applicant)
    return client, application


def test_notes_typed_before_upload_are_kept_and_the_document_is_added(signed_in):
    client, application = signed_in
    response = post(client, application, "upload", ("SLA 2026.pdf", pdf_bytes(pages=2)))
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == step_url(application)
    assert "SLA 2026.pdf was added (2 pages)." in page
    assert fresh(application).answers["evidence"]["notes"] == NOTES
    assert "appendix B lists every integration.</textarea>" in page


def test_a_file_chosen_then_save_and_continue_is_uploaded(signed_in):
    client, application = signed_in
    response = post(client, application, "next", ("Technology plan.pdf", pdf_bytes()))
    assert response.redirect_chain[-1][0] == step_url(application, "review")
    assert EvidenceDocument.objects.get(application=application).original_name == "Technology plan.pdf"
    assert "Technology plan.pdf was added (1 page)." in response.content.decode()


def test_a_file_chosen_then_save_and_exit_is_uploaded(signed_in):
    client, application = signed_in
    response = post(client, application, "save_exit", ("Policy.pdf", pdf_bytes()), kind="social_media_policy")
    assert response.redirect_chain[-1][0] == reverse("home")
    assert EvidenceDocument.objects.get(application=application).kind == "social_media_policy"


def test_a_file_that_cannot_be_added_keeps_the_page_and_says_so(signed_in):
    client, application = signed_in
    response = post(client, application, "next", ("notes.pdf", b"<html>not a pdf</html>"))
    page = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain == []  # still the evidence step
    assert "Your answers are saved, but the document was not added. Choose notes.pdf again to upload it." in page
    assert "This file is not a PDF." in page
    assert "appendix B lists every integration.</textarea>" in page
    assert fresh(application).answers["evidence"]["notes"] == NOTES
    assert not EvidenceDocument.objects.exists()


def test_a_file_without_its_kind_is_not_dropped_silently(signed_in):
    client, application = signed_in
    page = post(client, application, "next", ("Plan.pdf", pdf_bytes()), kind="").content.decode()
    assert "Choose Plan.pdf again to upload it." in page
    assert "This field is required." in page
    assert fresh(application).answers["evidence"]["notes"] == NOTES


def test_upload_without_a_file_says_one_is_needed(signed_in):
    client, application = signed_in
    page = post(client, application, "upload").content.decode()
    assert "Choose a PDF file to upload." in page
    assert fresh(application).answers["evidence"]["notes"] == NOTES


def test_removing_a_document_keeps_what_was_typed(signed_in, setup):
    client, application = signed_in
    applicant = setup[0]
    upload = SimpleUploadedFile("Old plan.pdf", pdf_bytes(), content_type="application/pdf")
    document = store_document(application, "technology_plan", upload, None, applicant)
    response = post(client, application, remove=str(document.pk))
    assert "Old plan.pdf was removed." in response.content.decode()
    assert not EvidenceDocument.objects.exists()
    assert fresh(application).answers["evidence"]["notes"] == NOTES


def test_removing_another_applications_document_does_nothing(signed_in, setup):
    client, application = signed_in
    response = post(client, application, remove="0b8f6c1e-0000-4000-8000-000000000000")
    assert "That document is no longer attached." in response.content.decode()


def test_the_step_is_one_multipart_form_whose_upload_button_is_not_the_main_action(signed_in):
    client, application = signed_in
    page = client.get(step_url(application)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert page.count("<form ") == 2  # the step's own form, and the sign-out form of the header
    assert 'name="action" value="upload" class="usa-button usa-button--outline"' in page
