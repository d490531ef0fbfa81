"""The reports in French: the designation report in the jurisdiction's language (``?lang=`` for the other one),
the stored copy (the certificate's fingerprint) always the jurisdiction's, the exports and the summary's
sentences in the language of the organizer who asks. Every PDF and workbook is read back."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.models import Jurisdiction
from reports.models import ReportFile
from reports.summary_highlights import highlights, trends
from tests.export_world import (
    cycle_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    download,
    organizer_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
    workbook,
    world_fixture,  # noqa: F401  (a fixture: pytest finds it by name)
)
from tests.factories import make_organizer
from tests.factories.answers import COMPLETE, complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.report_pdfs import flat, pdf_bytes, read

pytestmark = pytest.mark.django_db


def _report(client, application, lang=None):
    client.force_login(make_organizer())
    url = reverse("application_report_pdf", args=[application.pk])
    return client.get(url, {"lang": lang} if lang else {})


def _french_designee():
    application = make_submitted()
    Jurisdiction.objects.filter(pk=application.jurisdiction_id).update(language="fr")
    application.refresh_from_db()
    decide(application, level="Designated", total="81.5")
    return application


def test_a_french_jurisdiction_gets_its_report_in_french_and_that_copy_is_the_stored_one(client):
    application = _french_designee()

    response = _report(client, application)
    reader, text, pages = read(pdf_bytes(response))
    words = flat(text)

    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert response["Content-Disposition"] == (
        'attachment; filename="harbor-city-va-2026-2028-rapport-de-designation.pdf"'
    )
    assert "Rapport de désignation" in pages[0] and "Harbor City, VA" in pages[0]
    assert "Le comité d’évaluation a désigné Harbor City, VA Collectivité engagée envers les citoyens" in flat(pages[0])
    assert "81,5 sur 100 points" in words  # French decimals
    assert "En un coup d’œil" in words and "Points forts" in words and "Recommandations" in words
    assert "CERTIFICAT DE DÉSIGNATION" in pages[-1] and "Le présent certificat atteste que" in flat(pages[-1])
    assert "At a glance" not in words and "Designation report" not in words
    # The stored copy, whose SHA-256 the verification page gives, is this French one.
    stored = ReportFile.objects.get(kind=ReportFile.Kind.APPLICATION, application=application)
    with stored.file.open("rb") as handle:
        assert read(handle.read())[0].trailer["/Root"]["/Lang"] == "fr"


def test_lang_en_gives_the_english_report_without_touching_the_stored_french_one(client):
    application = _french_designee()
    pdf_bytes(_report(client, application))  # the French copy, stored
    stored = ReportFile.objects.get(kind=ReportFile.Kind.APPLICATION, application=application)

    response = _report(client, application, lang="en")
    reader, text, pages = read(pdf_bytes(response))

    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert response["Content-Disposition"] == 'attachment; filename="harbor-city-va-2026-2028-designation-report.pdf"'
    assert "The review panel designated Harbor City, VA a Citizen-Engaged Community" in flat(pages[0])
    assert "81.5 of 100 points" in flat(text) and "At a glance" in text and "Rapport de désignation" not in text
    again = ReportFile.objects.get(pk=stored.pk)
    assert (again.sha256, again.file.name) == (stored.sha256, stored.file.name)
    assert ReportFile.objects.filter(application=application).count() == 1


def test_an_unknown_lang_gives_the_jurisdictions_language(client):
    application = _french_designee()

    reader, text, _pages = read(pdf_bytes(_report(client, application, lang="de")))

    assert reader.trailer["/Root"]["/Lang"] == "fr" and "Rapport de désignation" in text


def test_an_english_jurisdiction_still_gets_english_even_from_a_french_reader(client):
    application = make_submitted()
    decide(application, level="Designated", total="81.5")
    client.force_login(make_organizer())

    response = client.get(reverse("application_report_pdf", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    reader, text, pages = read(pdf_bytes(response))

    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Designation report" in pages[0] and "81.5 of 100 points" in flat(text)
    assert "CERTIFICATE OF DESIGNATION" in pages[-1]


def test_the_designee_workbook_speaks_the_organizers_language(client, organizer, cycle, world):
    client.force_login(organizer)

    response = client.get(reverse("export_designees_xlsx", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    book = workbook(b"".join(response.streaming_content))

    assert response["Content-Disposition"] == 'attachment; filename="collectivites-designees-2026-2028.xlsx"'
    assert book.sheetnames == ["Collectivités désignées", "Dictionnaire de données"]
    headers = [cell.value for cell in next(book["Collectivités désignées"].iter_rows(max_row=1))]
    assert headers[:7] == ["Collectivité", "Type", "État", "Population", "Tranche de population", "Niveau", "Total"]
    assert "Courriel de la personne-ressource" in headers and "Publiée le" in headers
    dictionary = book["Dictionnaire de données"]
    first = [cell.value for cell in next(dictionary.iter_rows(max_row=1))]
    assert first == ["Feuille", "Colonne", "En-tête", "Type", "Signification", "Règle", "Points maximums"]
    rows = [[cell.value for cell in row] for row in dictionary.iter_rows(min_row=2)]
    assert ["Collectivités désignées", "D", "Population", "nombre"] == rows[3][:4]

    _response, english = download(client, "export_designees_xlsx", cycle)
    assert workbook(english).sheetnames == ["Designees", "Data dictionary"]


def test_the_analysis_csv_headers_in_french(client, organizer, cycle, world):
    client.force_login(organizer)

    response = client.get(reverse("export_analysis_csv", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]

    assert header.startswith("Collectivité,Type,État,Population,Tranche de population,Statut,Soumise le,")
    assert "Admissible selon les règles" in header and "Autres indicateurs" in header


def test_the_summary_sentences_in_french():
    channels = COMPLETE["channels"]["channels"]
    designees = [
        complete_answers(
            channels={**complete_answers()["channels"], "channels": channels + (["web_chat"] if i == 0 else [])}
        )
        for i in range(6)
    ]

    with translation.override("fr"):
        sentences = highlights(designees)
        lines = trends("2013–2015", designees[:1], designees)

    assert any(s.startswith("Seulement 1 sur 6 offre ") for s in sentences), sentences
    assert any(s.startswith("Les 6 reçoivent des demandes de service par ") for s in sentences), sentences
    assert "Les 6 ont des préposés aux appels qui travaillent à distance." in sentences
    assert any(line.endswith("l’unique collectivité désignée en 2013–2015, 1 sur 6 maintenant") for line in lines), (
        lines
    )
    with translation.override("en"):
        assert "Only 1 of 6 offers" in " ".join(highlights(designees))


def test_the_reports_page_of_a_cycle_in_french(client, organizer, cycle):
    client.force_login(organizer)

    page = client.get(reverse("report_batches", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Rapports du cycle 2026–2028" in page and "Produire tous les rapports" in page
    assert "Télécharger le sommaire (PDF)" in page and "Aucune pour l’instant." in page
