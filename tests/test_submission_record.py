"""The record of submission (reports/submission_record.py, reports/record_views.py): a PDF of exactly what
was submitted, downloaded through the site and read back with pypdf; who may have it; hostile answers;
a render that fails."""

import copy
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse

from assessment import domain as applying
from assessment import validators
from assessment.answers import sections
from assessment.evidence import store_document
from assessment.models import Application, EvidenceDocument
from assessment.templatetags.zones import in_zone
from reports import render, submission_record
from review.clarifications import answer_clarification, ask_clarification
from review.models import Assignment
from tests.factories import (
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
    pdf_bytes,
)
from tests.factories.answers import COMPLETE, wizard_state
from tests.report_pdfs import (
    HOSTILE,
    HOSTILE_TEXT,
    embedded_files,
    flat,
    media,  # noqa: F401  (an autouse fixture: pytest finds it by name)
    read,
)

pytestmark = pytest.mark.django_db

LONG_NAME = "Council-adopted-technology-plan-" + "x" * 180 + ".pdf"


def upload(name, pages=1):
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def store(application, kind, name, by, pages=1, answering=False):
    file = upload(name, pages)
    return store_document(application, kind, file, validators.check_pdf(file), by, answering=answering)


def submitted_with_documents(values=COMPLETE, name="Harbor City", documents=True):
    """Harbor City's application, submitted as an applicant does it, with two documents uploaded before."""
    jurisdiction = make_jurisdiction(name=name, time_zone="America/Los_Angeles")
    cycle = make_cycle(name="2026–2028", time_zone="America/New_York")
    applicant = make_user(jurisdiction=jurisdiction, first_name="Pat", last_name="Rivera", title="311 Director")
    application = applying.start_application(jurisdiction, cycle, applicant, prefill=False)
    application = applying.save_draft(application, wizard_state(values), applicant, application.version)
    if documents:
        store(application, "technology_plan", LONG_NAME, applicant, pages=40)  # a few KB
        store(application, "sla", "sla.pdf", applicant)
    applying.submit_application(Application.objects.get(pk=application.pk), applicant)
    return Application.objects.select_related("jurisdiction", "cycle", "submitted_by").get(pk=application.pk)


def download(user, application):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("application_submission_record", args=[application.pk]))


def record_of(user, application):
    response = download(user, application)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="harbor-city-va-2026-2028-record-of-submission.pdf"'
    )
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    return data, *read(data)


def staff_of(application):
    return make_user(jurisdiction=application.jurisdiction)


# --- What it says --------------------------------------------------------------------------------


def test_the_record_has_every_answer_the_documents_the_attestation_and_the_submission():
    application = submitted_with_documents()

    _data, reader, text, pages = record_of(application.submitted_by, application)
    words = flat(text)

    assert "Record of submission — Harbor City, VA, 2026–2028" in flat(pages[0])
    assert reader.metadata.title == "Record of submission — Harbor City, VA, 2026–2028"
    # Submitted when (on the jurisdiction's clock, Pacific) and by whom.
    when = in_zone(application.submitted_at, "America/Los_Angeles")
    assert when.endswith(("PST", "PDT")) and f"Submitted {when}" in words
    assert "Submitted by Pat Rivera, 311 Director" in words
    # Who attested (as entered on the review step), and when.
    assert "Attested by Jordan Lee, City Manager" in words
    assert f"Attested {when}, with the submission" in words
    # Every section, every question, every answer, as the application page writes them.
    for section in sections(application):
        assert section.title in words
    for step, values in COMPLETE.items():
        if step == "metrics":
            for row in values:
                for value in row.values():
                    if value not in ("service_level", "asa", "abandonment", "fcr", "csat", "sla_compliance"):
                        assert value in words, value
            continue
        for key, value in values.items():
            if isinstance(value, str) and value not in ("yes", "no", "on", "both", "monthly", "weekly"):
                assert value in words, (step, key, value)
    assert "Name of the senior official Jordan Lee" in words
    assert "Contact e-mail pat.rivera@example.gov" in words
    assert "Average speed of answer fell from 75 s to 41 s after we added a callback option." in words
    assert "Service level" in words  # a metric's choice, in words
    # The documents: kind, name (a long one too, whole), size in bytes and in words, pages, hash in full.
    documents = list(application.documents.all())
    assert len(documents) == 2 and max(document.size for document in documents) >= 1024
    squeezed = "".join(text.split())  # a long name or hash wraps across lines
    for document in documents:
        assert document.get_kind_display() in words
        assert document.original_name in squeezed
        assert f"{document.size:,} bytes" in words
        if document.size >= 1024:
            assert f"({flat(filesizeformat(document.size))})" in words  # 4.9 KB
        assert document.sha256 in squeezed and len(document.sha256) == 64
        assert in_zone(document.uploaded_at, "America/Los_Angeles", short=True) in words
    assert "Documents added after submission" not in words
    # Pages numbered, the footer says when it was made and what it is.
    assert f"Page 1 of {len(pages)}" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    for page in pages:
        assert "from the submitted application; answers and documents cannot change after submission." in flat(page)
    assert embedded_files(reader) == []


def test_an_empty_answer_says_not_answered():
    values = copy.deepcopy(COMPLETE)
    values["evidence"] = {"notes": ""}  # optional: the application is complete without it
    application = submitted_with_documents(values)

    _data, _reader, text, _pages = record_of(application.submitted_by, application)

    assert "Notes for reviewers about your documents Not answered" in flat(text)


def test_a_document_added_after_submission_is_listed_apart_and_said_to_be_later():
    application = submitted_with_documents()
    question = ask_clarification(application, "Which version of the plan did the council adopt?", make_organizer())
    file = upload("adopted-version.pdf")
    answer_clarification(question, "The 2025 one, attached.", staff_of(application), file, validators.check_pdf(file))
    later = EvidenceDocument.objects.get(original_name="adopted-version.pdf")
    assert later.uploaded_at > application.submitted_at

    _data, _reader, text, _pages = record_of(application.submitted_by, application)
    words = flat(text)

    submitted_part, later_part = words.split("Documents added after submission", 1)
    assert "sla.pdf" in submitted_part and "adopted-version.pdf" not in submitted_part
    assert "adopted-version.pdf" in later_part and "not part of the submission" in later_part
    assert later.sha256 in "".join(later_part.split())


def test_hostile_answers_are_printed_as_text_and_nothing_is_fetched(settings):
    values = copy.deepcopy(COMPLETE)
    values["planning"]["challenges"] = HOSTILE_TEXT + " <script>alert(1)</script>"
    values["technology"]["crm_product"] = HOSTILE[0]
    values["review"]["official_name"] = "<script>alert(1)</script>"
    application = submitted_with_documents(values, name='Evil <img src="file:///etc/passwd"> Town')

    html = submission_record.html(application)
    for fragment in [*HOSTILE, "<script>"]:
        assert fragment not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The project's two stylesheets are the only things it links to.
    assert html.count("<link ") == 2 and html.count(render.STATIC_BASE) == 2

    rendered = render.render_pdf(html)
    assert rendered.refused == []  # nothing even tried to load
    data = rendered.pdf
    reader, text, _pages = read(data)
    words = flat(text)
    assert "<script>alert(1)</script>" in words and '<img src="file:///etc/passwd">' in words
    assert "@import url(http://169.254.169.254/latest/meta-data/);" in words
    assert "root:x:0:0" not in text and b"root:x:0:0" not in data
    assert settings.SECRET_KEY not in text and settings.SECRET_KEY.encode() not in data
    assert embedded_files(reader) == []
    for active in (b"/EmbeddedFiles", b"/Launch", b"/URI", b"/JavaScript"):
        assert active not in data


# --- Who may have it ------------------------------------------------------------------------------


def test_the_jurisdictions_staff_and_organizers_may_download_it():
    application = submitted_with_documents(documents=False)
    for user in (staff_of(application), make_organizer()):
        _data, _reader, text, _pages = record_of(user, application)
        assert "Record of submission" in text


def test_reviewers_other_jurisdictions_and_strangers_are_refused_as_for_the_report():
    application = submitted_with_documents(documents=False)
    assigned = make_reviewer()
    Assignment.objects.create(application=application, reviewer=assigned)
    url = reverse("application_submission_record", args=[application.pk])

    assert download(assigned, application).status_code == 403  # reads the application, not this record
    assert download(make_reviewer(), application).status_code == 404
    assert download(make_user(jurisdiction=make_jurisdiction(name="Elsewhere")), application).status_code == 404
    anonymous = download(None, application)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert url in anonymous["Location"]  # back here after signing in
    former = staff_of(application)
    former.is_active = False
    former.save()
    assert download(former, application).status_code == 302  # a deactivated account is signed out


def test_a_draft_has_no_record_yet_and_the_page_says_so():
    jurisdiction = make_jurisdiction(name="Harbor City")
    staff = make_user(jurisdiction=jurisdiction)
    draft = applying.start_application(jurisdiction, make_cycle(), staff, prefill=False)

    for user in (staff, make_organizer()):
        response = download(user, draft)
        assert response.status_code == 404
        assert "There is no record of submission yet: this application has not been submitted." in (
            response.content.decode()
        )


# --- When it cannot be made -----------------------------------------------------------------------


def test_when_the_record_cannot_be_made_the_page_says_so_without_a_server_error(monkeypatch):
    application = submitted_with_documents(documents=False)

    def too_slow(html, timeout=None):
        raise render.RenderError("Making the report took longer than 60 seconds, so it was stopped.")

    monkeypatch.setattr(render, "render_pdf", too_slow)
    response = download(application.submitted_by, application)

    assert response.status_code == 503
    body = response.content.decode()
    assert "could not be made" in body and "took longer than 60 seconds" in body
    assert reverse("application_detail", args=[application.pk]) in body


def test_a_document_uploaded_in_the_same_instant_as_the_submission_was_submitted():
    application = submitted_with_documents()
    EvidenceDocument.objects.filter(application=application).update(uploaded_at=application.submitted_at)
    EvidenceDocument.objects.filter(application=application, kind="sla").update(
        uploaded_at=application.submitted_at + timedelta(microseconds=1)
    )

    submitted, later = submission_record.documents(application)

    assert [row.name for row in submitted] == [LONG_NAME] and [row.name for row in later] == ["sla.pdf"]
