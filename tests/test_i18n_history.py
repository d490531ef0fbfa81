"""The application's history in the reader's language (assessment.audit.said / words, assessment.history).

Harbor City, a French-speaking jurisdiction, goes the panel's whole way: submitted, a reviewer's
question answered with a PDF, two reviews, a decision that is not a designation, publication. Its
staff read the history in French when their browser asks for French, in today's English words
otherwise; an event written before the history spoke French keeps its English summary.
"""

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from assessment import validators
from assessment.audit import AUDIENCES, audit, words
from assessment.models import AuditEvent
from review import audit_words
from review.clarifications import answer_clarification, ask_clarification
from review.decisions import decide, publish_decisions
from review.models import Decision
from tests.factories import close_cycle, pdf_bytes
from tests.factories.reviews import submit_both

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"  # before a colon in French


@pytest.fixture
def published(panel):
    """The panel's application, its jurisdiction French-speaking, taken through to a published decision."""
    home = panel["application"].jurisdiction
    home.language = "fr"
    home.save(update_fields=["language"])
    question = ask_clarification(panel["application"], "Is the line staffed on Saturdays?", panel["first"])
    upload = SimpleUploadedFile("saturday-rota.pdf", pdf_bytes(), content_type="application/pdf")
    answer_clarification(question, "Yes, from 9 to 5.", panel["applicant"], upload, validators.check_pdf(upload))
    submit_both(panel)
    decide(
        panel["application"],
        "not_designated",
        "",
        "Not yet ready.",
        panel["organizer"],
        override_reason="Too few channels",
    )
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])
    return panel


def history_of(user, application, language):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("application_detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    with translation.override(language):
        heading = f"<h2>{gettext('History')}</h2>"
    items = response.content.decode().split(heading, 1)[1].split("</ul>", 1)[0]
    # Spaces collapsed, not the non-breaking ones French puts before a colon.
    return [re.sub(r"[ \t\r\n]+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", items, re.S)]


def has_line(lines, text):
    return any(line.endswith(text) for line in lines)


def test_a_french_speaking_applicant_reads_the_history_in_french(published):
    lines = history_of(published["applicant"], published["application"], "fr")
    assert has_line(lines, "Candidature 2026–2028 soumise")
    assert has_line(lines, f"Question{NBSP}: Is the line staffed on Saturdays?")
    assert has_line(lines, f"Réponse{NBSP}: Yes, from 9 to 5.")
    assert has_line(lines, f"Document téléversé (Autre pièce justificative){NBSP}: saturday-rota.pdf")
    assert has_line(lines, f"Publiée{NBSP}: Non désignée")
    history = " ".join(lines)
    for english in ("Submitted the", "Asked:", "Answered:", "uploaded:", "Published:", "Not designated"):
        assert english not in history, english
    for secret in ("Ada", "Bo ", "Recorded", "Décision enregistrée", "Too few channels"):
        assert secret not in history, secret  # the panel's names and its decision stay the panel's


def test_an_english_reader_reads_todays_english(published):
    lines = history_of(published["applicant"], published["application"], "en")
    assert has_line(lines, "Submitted the 2026–2028 application")
    assert has_line(lines, "Asked: Is the line staffed on Saturdays?")
    assert has_line(lines, "Answered: Yes, from 9 to 5.")
    assert has_line(lines, "Other supporting document uploaded: saturday-rota.pdf")
    assert has_line(lines, "Published: Not designated")


def points(application):
    return f"{Decision.objects.get(application=application).total.normalize():g}"


def test_the_stored_summaries_stay_in_english_whoever_reads(published):
    summaries = set(AuditEvent.objects.filter(application=published["application"]).values_list("summary", flat=True))
    assert {
        "Submitted the 2026–2028 application",
        "Asked: Is the line staffed on Saturdays?",
        "Other supporting document uploaded: saturday-rota.pdf",
        "Published: Not designated",
        f"Recorded the decision: Not designated ({points(published['application'])} points); "
        "overrides the suggestion: Too few channels",
    } <= summaries


def test_an_organizer_reads_the_panels_lines_in_french_too(published):
    lines = history_of(published["organizer"], published["application"], "fr")
    assert has_line(
        lines,
        f"Décision enregistrée{NBSP}: Non désignée ({points(published['application']).replace('.', ',')} points); "
        f"s&#x27;écarte de la suggestion{NBSP}: Too few channels",
    )
    assert has_line(lines, f"Évaluation confiée à {published['first']}")
    assert sum(line.endswith("Évaluation soumise") for line in lines) == 2


def test_an_event_written_before_keeps_its_summary(published):
    assert AUDIENCES["application.submitted"] == AuditEvent.Audience.PUBLIC
    old = audit(published["applicant"], "application.submitted", "Submitted the old way", published["application"])
    assert "words" not in old.data
    lines = history_of(published["applicant"], published["application"], "fr")
    assert has_line(lines, "Submitted the old way")


def test_a_cycles_publication_counts_in_each_language():
    plan = SimpleNamespace(designees=1, not_designated=2, addresses=1, applicants=3)
    line = audit_words.cycle_published("2026–2028", 3, plan)
    with translation.override("en"):
        assert (
            words(line) == "Published 3 decisions of 2026–2028: 1 designee, 2 not designated; 1 e-mail to 3 applicants"
        )
    with translation.override("fr"):
        assert words(line) == (
            f"Publication de 3 décisions du cycle 2026–2028{NBSP}: 1 collectivité désignée, 2 non désignées; "
            "1 courriel à 3 collectivités candidates"
        )
