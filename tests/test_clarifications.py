"""Clarification round: the panel asks, the applicant answers without reopening the application."""

import pytest
from django.core import mail
from django.urls import reverse

from assessment.models import Application, AuditEvent
from review.assignment import assign
from review.clarifications import ask_clarification
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    jurisdiction = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=jurisdiction, first_name="Pat", last_name="Rivera")
    application = make_application(jurisdiction=jurisdiction, cycle=make_cycle(), status=Application.Status.SUBMITTED)
    organizer = make_organizer()
    reviewer = make_reviewer(first_name="Rae", last_name="Viewer")
    assign(application, reviewer, organizer)
    return {"application": application, "applicant": applicant, "reviewer": reviewer, "organizer": organizer}


def test_reviewer_asks_and_applicant_answers(client, case, django_capture_on_commit_callbacks):
    application = case["application"]
    detail = reverse("application_detail", args=[application.pk])
    client.force_login(case["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clarification_ask", args=[application.pk]), {"question": "Is the 311 line staffed on Saturdays?"}
        )
    assert response.url == detail
    assert mail.outbox[-1].to == [case["applicant"].email]
    assert "Is the 311 line staffed on Saturdays?" in mail.outbox[-1].body

    client.force_login(case["applicant"])
    page = client.get(detail).content.decode()
    assert "Is the 311 line staffed on Saturdays?" in page
    clarification = application.clarifications.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clarification_answer", args=[clarification.pk]), {"answer": "Yes, 9 to 1."})
    assert mail.outbox[-1].to == [case["reviewer"].email]
    clarification.refresh_from_db()
    assert clarification.answer == "Yes, 9 to 1." and clarification.answered_by == case["applicant"]
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED  # not reopened
    actions = AuditEvent.objects.filter(application=application).values_list("action", flat=True)
    assert {"clarification.asked", "clarification.answered"} <= set(actions)
    # Answered once.
    client.post(reverse("clarification_answer", args=[clarification.pk]), {"answer": "Changed my mind"})
    clarification.refresh_from_db()
    assert clarification.answer == "Yes, 9 to 1."


def test_only_the_panel_asks_and_only_the_jurisdiction_answers(client, case):
    application = case["application"]
    clarification = ask_clarification(application, "Which CRM?", case["organizer"])
    client.force_login(case["applicant"])
    assert client.post(reverse("clarification_ask", args=[application.pk]), {"question": "Me?"}).status_code == 403
    client.force_login(make_reviewer())  # not assigned: cannot even see it
    assert client.post(reverse("clarification_ask", args=[application.pk]), {"question": "Hi"}).status_code == 404
    assert client.post(reverse("clarification_answer", args=[clarification.pk]), {"answer": "x"}).status_code == 404
    client.force_login(case["reviewer"])
    assert client.post(reverse("clarification_answer", args=[clarification.pk]), {"answer": "x"}).status_code == 403
    client.force_login(make_user(jurisdiction=make_jurisdiction(name="Elsewhere")))
    assert client.post(reverse("clarification_answer", args=[clarification.pk]), {"answer": "x"}).status_code == 404
    assert application.clarifications.count() == 1
    clarification.refresh_from_db()
    assert clarification.answer == ""


def test_an_empty_question_is_refused_with_a_message(client, case):
    client.force_login(case["organizer"])
    response = client.post(reverse("clarification_ask", args=[case["application"].pk]), {"question": "  "}, follow=True)
    assert "The question was not sent: This field is required." in response.content.decode()


def test_an_answer_can_bring_a_pdf_and_a_fake_one_is_refused(client, case, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.models import EvidenceDocument
    from tests.factories import pdf_bytes

    settings.MEDIA_ROOT = tmp_path
    clarification = ask_clarification(case["application"], "Send your SLA, please.", case["reviewer"])
    client.force_login(case["applicant"])
    url = reverse("clarification_answer", args=[clarification.pk])
    fake = SimpleUploadedFile("sla.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {"answer": "Attached.", "document": fake}, follow=True)
    assert "This file is not a PDF" in response.content.decode()
    clarification.refresh_from_db()
    assert clarification.answered_at is None and EvidenceDocument.objects.count() == 0

    real = SimpleUploadedFile("SLA 2026.pdf", pdf_bytes(pages=2), content_type="application/pdf")
    response = client.post(url, {"answer": "Attached.", "document": real}, follow=True)
    clarification.refresh_from_db()
    document = clarification.document
    assert (document.original_name, document.pages, document.application) == ("SLA 2026.pdf", 2, case["application"])
    assert "SLA 2026.pdf" in response.content.decode()
    client.force_login(case["reviewer"])
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 200
    case["application"].refresh_from_db()
    assert case["application"].status == Application.Status.SUBMITTED
