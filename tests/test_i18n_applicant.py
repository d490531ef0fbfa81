"""The applicant's pages and the public pages in French: a browser that asks for French (Accept-Language) reads
the dashboard, a wizard step, the application page, the designee list and the verification page in French, with
dates and numbers as French writes them; a browser that asks for nothing reads them in English, as before.

The French comes from the compiled catalogue (/work/i18n/build.sh writes locale/fr/LC_MESSAGES/django.mo).
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessment import domain
from review import certificates
from tests.factories import as_user, make_application, make_cycle, make_jurisdiction, make_user
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def english_outside_requests():
    """The language a request activates stays active in the thread after it (config.language): without this, what
    a test makes after a French page (or the next test module) would be written in French (modeltranslation)."""
    translation.activate("en")
    yield
    translation.deactivate()


def collapsed(response):
    """The page's text with its runs of white space made one space (not str.split(): it splits at no-break spaces)."""
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def read(client, url, language=None):
    """The page at ``url``, its whitespace collapsed, for a browser asking for ``language`` (None: no preference)."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(url, **headers)
    assert response.status_code == 200
    return collapsed(response)


@pytest.fixture
def harbor():
    """Harbor City (population 120,000), one of its staff, an open cycle it has not started and a decided one."""
    home = make_jurisdiction(name="Harbor City", population=120_000)
    staff = make_user(jurisdiction=home)
    make_cycle(name="2028–2030")
    decided = make_submitted(home, make_cycle(name="2026–2028", valid_from=date(2026, 7, 1)))
    decision = decide(decided, level="Exemplary", total=70.5)
    return {"home": home, "staff": staff, "application": decided, "decision": decision}


def test_the_dashboard_reads_in_french(harbor):
    page = read(as_user(harbor["staff"]), reverse("home"), "fr")
    assert '<html lang="fr">' in page
    assert "<title>Tableau de bord ·" in page
    assert f"population de 120{NBSP}000" in page
    assert "2026–2028 : la décision du comité d'évaluation" in page.replace(NBSP, " ")
    assert f"Total{NBSP}: 70,5 points." in page
    assert "Le cycle 2028–2030 est ouvert" in page
    assert (
        ">Partir de notre dernière candidature</button>" in page
        and ">Commencer une candidature vierge</button>" in page
    )
    assert "<h2>Nos candidatures</h2>" in page
    assert '<th scope="col">Statut</th><th scope="col">Dernier enregistrement</th>' in page
    assert "Rapport et certificat (PDF)" in page
    assert "Our applications" not in page and "Start a blank application" not in page


def test_the_dashboard_in_english_is_unchanged(harbor):
    page = read(as_user(harbor["staff"]), reverse("home"))
    assert '<html lang="en">' in page
    assert "City · population 120,000 (100,000 to 249,999)" in page
    assert "2026–2028: the panel's decision" in page
    assert "Total 70.5 points." in page
    assert "2028–2030 is open" in page
    assert "<h2>Our applications</h2>" in page
    assert '<th scope="col">Status</th><th scope="col">Last saved</th>' in page
    assert "Report and certificate (PDF)<span" in page


def test_a_wizard_step_reads_in_french(harbor):
    cycle = make_cycle(name="2030–2032")
    draft = domain.start_application(harbor["home"], cycle, harbor["staff"])
    url = reverse("application_step", kwargs={"pk": draft.pk, "step": "evidence"})
    page = read(as_user(harbor["staff"]), url, "fr")
    assert '<html lang="fr">' in page
    assert "Harbor City, VA · candidature au cycle 2030–2032 · brouillon enregistré le " in page
    assert '<span class="usa-sr-only">Étape</span>' in page
    assert "Ajouter un document</legend>" in page and ">Téléverser</button>" in page
    assert "Aucun document pour l'instant." in page
    assert ">Enregistrer et continuer</button>" in page and ">Enregistrer et quitter</button>" in page
    assert ">Revenir à l'étape précédente</button>" in page
    assert "Aller à une étape</h2>" in page and "(étape en cours)" in page
    assert "Save and continue" not in page


def test_a_wizard_step_in_english_is_unchanged(harbor):
    draft = domain.start_application(harbor["home"], make_cycle(name="2030–2032"), harbor["staff"])
    page = read(as_user(harbor["staff"]), reverse("application_step", kwargs={"pk": draft.pk, "step": "evidence"}))
    assert '<html lang="en">' in page
    assert "Harbor City, VA · 2030–2032 application · draft saved " in page
    assert "Add a document</legend>" in page and ">Upload</button>" in page
    assert ">Save and continue</button>" in page and ">Back to the previous step</button>" in page
    assert "Go to a step</h2>" in page and "(this step)" in page


def test_the_application_page_reads_in_french(harbor):
    application = harbor["application"]
    page = read(as_user(harbor["staff"]), reverse("application_detail", args=[application.pk]), "fr")
    assert '<html lang="fr">' in page
    assert f"Harbor City, VA{NBSP}: candidature au cycle 2026–2028</h1>" in page
    assert 'aria-label="La décision du comité d\'évaluation"' in page
    assert "Télécharger le rapport et le certificat (PDF)" in page
    assert "Le certificat de désignation est la dernière page du rapport." in page
    assert "Soumise par " in page and "; la candidature ne peut plus être modifiée." in page
    assert "<h2>Historique</h2>" in page
    # The publication date as French writes it: day, month, year.
    published = timezone.localtime(harbor["decision"].published_at)  # as the page reads it, in TIME_ZONE
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre"]
    months += ["novembre", "décembre"]
    assert f"Publiée le {published.day} {months[published.month - 1]} {published.year}." in page


def test_the_application_page_in_english_is_unchanged(harbor):
    application = harbor["application"]
    page = read(as_user(harbor["staff"]), reverse("application_detail", args=[application.pk]))
    assert "Harbor City, VA: 2026–2028 application</h1>" in page
    assert "Download the report and certificate (PDF)" in page
    assert "This is what was submitted; it can no longer be changed." in page
    published = timezone.localtime(harbor["decision"].published_at)
    assert f"Published {published:%B} {published.day}, {published.year}." in page


def test_the_designee_list_reads_in_french(client, harbor):
    page = read(client, reverse("public_designees"), "fr")
    assert '<html lang="fr">' in page
    assert "<title>Collectivités désignées ·" in page
    assert '<h1 class="margin-top-4">Collectivités engagées envers les citoyens</h1>' in page
    assert f"Données ouvertes{NBSP}:" in page
    assert "1 collectivité désignée, valide du 1 juillet 2026 au " in page
    assert '<th scope="col">Collectivité</th><th scope="col">Type</th><th scope="col">État</th>' in page
    assert "Sceau (SVG)" in page


def test_the_designee_list_in_english_is_unchanged(client, harbor):
    page = read(client, reverse("public_designees"))
    assert '<h1 class="margin-top-4">Citizen-Engaged Communities</h1>' in page
    assert "1 designee, valid July 1, 2026 – " in page
    assert '<th scope="col">Jurisdiction</th><th scope="col">Kind</th><th scope="col">State</th>' in page
    assert "Seal (SVG)" in page


def test_the_verification_page_reads_in_french(client, harbor):
    certificate = certificates.issue(harbor["decision"])
    page = read(client, reverse("verify_certificate", args=[certificate.display_code]), "fr")
    assert '<html lang="fr">' in page
    assert f"<title>Certificat {certificate.number} ·" in page
    assert ">Ce certificat est valide</h2>" in page
    assert "est une collectivité désignée engagée envers les citoyens, Exemplaire, du 1 juillet 2026 au " in page
    assert '<th scope="row">Numéro du certificat</th>' in page
    assert '<th scope="row">Valide à partir du</th><td>1 juillet 2026</td>' in page
    assert ">Vérifier un autre code</h2>" in page and ">Vérifier</button>" in page
    form = read(client, reverse("verify_form"), "fr")
    assert ">Vérifier un certificat de désignation</h1>" in form


def test_an_unknown_code_reads_in_french(client, harbor):
    response = client.get(reverse("verify_certificate", args=["7KQ2M-X9PDT"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    page = collapsed(response)
    assert ">Aucun certificat ne porte ce code</h2>" in page
    assert f"Aucun certificat ne porte le code «{NBSP}7KQ2M-X9PDT{NBSP}»." in page


def test_the_verification_page_in_english_is_unchanged(client, harbor):
    certificate = certificates.issue(harbor["decision"])
    page = read(client, reverse("verify_certificate", args=[certificate.display_code]))
    assert '<html lang="en">' in page
    assert ">This certificate is valid</h2>" in page
    assert "Harbor City, VA is a designated Citizen-Engaged Community, Exemplary, from July 1, 2026 to " in page
    assert '<th scope="row">Valid from</th><td>July 1, 2026</td>' in page
    assert ">Check another code</h2>" in page and ">Verify</button>" in page


def test_a_draft_reads_its_deadline_sentence_in_french(harbor):
    draft = make_application(
        jurisdiction=harbor["home"], cycle=make_cycle(name="2032–2034"), updated_by=harbor["staff"]
    )
    page = read(as_user(harbor["staff"]), reverse("application_detail", args=[draft.pk]), "fr")
    assert "Brouillon enregistré pour la dernière fois le " in page
    assert f"Date limite{NBSP}: " in page
    assert ">Poursuivre la saisie</a>" in page
