"""The application process in French (issue 15): its pages for a browser that asks for French, and the e-mails
to a jurisdiction's staff in the jurisdiction's language (``Jurisdiction.language``), whoever's browser sent them.

English is unchanged (the other tests of these modules read it); the catalogue is built by /work/i18n/build.sh
(``make`` builds it in the repository).
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from assessment import domain, validators
from assessment.draft_reminders import send_draft_reminders
from assessment.models import Jurisdiction
from assessment.templatetags.zones import deadline_text, in_zone
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer, make_user
from tests.factories.answers import COMPLETE, post_data, wizard_state

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9"}
NBSP = "\u00a0"
JANUARY_15 = datetime(2027, 1, 16, 4, 59, tzinfo=UTC)  # January 15, 2027 at 23:59 in New York


@pytest.fixture
def organizer(client):
    client.force_login(make_organizer(first_name="Olive", last_name="Organizer"))
    return client


def page(response):
    return response.content.decode()


# Pages ----------------------------------------------------------------------------------------------------


def test_the_sign_in_page_and_a_missing_page_read_in_french(client):
    sign_in = page(client.get(reverse("login"), **FRENCH))
    assert "<title>Se connecter · " in sign_in
    assert '<button type="submit" class="usa-button">Se connecter</button>' in sign_in
    assert "Mot de passe oublié?" in sign_in
    assert '<span class="usa-hint usa-hint--required">(obligatoire)</span>' in sign_in

    missing = client.get("/no-such-page/", **FRENCH)
    assert missing.status_code == 404
    assert "Page introuvable" in page(missing)
    assert "Retour au tableau de bord" in page(missing)


def test_the_jurisdictions_read_in_french_with_their_kinds_bands_and_numbers(organizer):
    make_jurisdiction(name="Cedar County", kind=Jurisdiction.Kind.COUNTY, population=1_234_567)
    listing = page(organizer.get(reverse("jurisdiction_list"), **FRENCH))
    assert '<h1 class="margin-top-4">Collectivités</h1>' in listing
    assert "Ajouter une collectivité" in listing
    assert '<th scope="col">Tranche</th>' in listing
    assert f"<td>Comté</td><td>1{NBSP}234{NBSP}567</td><td>750{NBSP}000 et plus</td>" in listing

    english = page(organizer.get(reverse("jurisdiction_list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "<td>County</td><td>1,234,567</td><td>750,000 and over</td>" in english


def test_the_add_a_jurisdiction_form_reads_in_french_and_explains_a_refusal(organizer):
    form = page(organizer.get(reverse("jurisdiction_create"), **FRENCH))
    for label in ("Nom", "Type", "État ou province", "Fuseau horaire", "Langue de préférence"):
        assert f">{label}" in form
    assert '<optgroup label="Amérique du Nord">' in form
    assert "Est (Toronto) — America/Toronto" in form
    refused = page(organizer.post(reverse("jurisdiction_create"), {"name": "X", "population": "-5"}, **FRENCH))
    assert "Ce champ est obligatoire." in refused  # Django's own messages come in French too


def test_a_body_too_large_is_refused_in_the_browsers_language(client, settings):
    settings.REQUEST_MAX_BYTES = 1000  # read per request by the middleware that answers before the others
    body = b"u=" + b"x" * 2000
    response = client.post(reverse("login"), body, content_type="application/x-www-form-urlencoded", **FRENCH)
    assert response.status_code == 413
    assert '<html lang="fr">' in page(response)
    assert "Trop volumineux pour être accepté" in page(response)


# The jurisdiction's language, set by organizers -------------------------------------------------------------


def jurisdiction_fields(**changes):
    return {
        "name": "Rivière-du-Nord",
        "kind": "city",
        "state": "QC",
        "country": "Canada",
        "population": "88000",
        "time_zone": "America/Toronto",
        "language": "fr",
        **changes,
    }


def test_an_organizer_sets_a_jurisdictions_language_and_reads_it_on_its_page(organizer):
    response = organizer.post(reverse("jurisdiction_create"), jurisdiction_fields())
    riviere = Jurisdiction.objects.get(name="Rivière-du-Nord")
    assert riviere.language == "fr"
    assert response.url == reverse("jurisdiction_detail", args=[riviere.pk])
    english = page(organizer.get(response.url))
    assert "Preferred language: Français (its staff's e-mails, its designation report and certificate)" in english
    french = page(organizer.get(response.url, **FRENCH))
    assert f"Langue de préférence{NBSP}: Français (courriels à son personnel, rapport et certificat" in french
    assert f"Ville · population de 88{NBSP}000 (Moins de 100{NBSP}000)" in french


def test_a_refused_jurisdiction_keeps_the_language_chosen(organizer):
    response = organizer.post(reverse("jurisdiction_create"), jurisdiction_fields(population="-5"))
    assert response.status_code == 200
    form = page(response)
    assert "Ensure this value is greater than or equal to 0." in form
    assert '<option value="fr" selected>Français</option>' in form
    assert not Jurisdiction.objects.filter(name="Rivière-du-Nord").exists()


def test_a_jurisdiction_posted_without_a_language_is_english(organizer):
    fields = jurisdiction_fields()
    del fields["language"]
    organizer.post(reverse("jurisdiction_create"), fields)
    assert Jurisdiction.objects.get(name="Rivière-du-Nord").language == "en"


# E-mails in the jurisdiction's language ---------------------------------------------------------------------


def invite(client, jurisdiction, capture, **headers):
    fields = {"email": "lea@example.ca", "first_name": "Léa", "last_name": "Tremblay", "role": "applicant"}
    with capture(execute=True):
        client.post(reverse("invite"), {**fields, "jurisdiction": jurisdiction.pk}, **headers)
    (message,) = mail.outbox
    return message


def test_an_invitation_to_a_french_jurisdictions_staff_is_in_french(organizer, django_capture_on_commit_callbacks):
    city = make_jurisdiction(name="Rivière-du-Nord", state="QC", language="fr")
    message = invite(organizer, city, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    assert message.subject == "Vous êtes invité à Désignation de collectivité engagée envers les citoyens"
    assert message.body.startswith("Bonjour Léa,\n\nOlive Organizer vous invite à ")
    assert "à titre de Candidat (personnel d'une collectivité) pour Rivière-du-Nord, QC." in message.body
    assert "expire dans 7 jours)" in message.body
    assert "Votre nom d'utilisateur est lea@example.ca." in message.body


def test_an_invitation_to_an_english_jurisdiction_stays_english_from_a_french_page(
    organizer, django_capture_on_commit_callbacks
):
    city = make_jurisdiction(name="Harbor City", state="CA")
    message = invite(organizer, city, django_capture_on_commit_callbacks, **FRENCH)
    assert message.subject == "You are invited to Citizen-Engaged Community Designation"
    assert "invited you to Citizen-Engaged Community Designation as Applicant (jurisdiction staff) for Harbor" in (
        message.body
    )


def test_a_password_reset_for_a_french_jurisdictions_staff_is_in_french(client):
    city = make_jurisdiction(name="Rivière-du-Nord", state="QC", language="fr")
    make_user(username="lea", email="lea@example.ca", jurisdiction=city)
    client.post(reverse("password_reset"), {"email": "lea@example.ca"}, REMOTE_ADDR="198.51.100.77")
    (message,) = mail.outbox
    assert message.subject == "Réinitialisation du mot de passe sur testserver"
    assert message.body.startswith("Vous avez demandé la réinitialisation de votre mot de passe pour testserver.")
    assert f"(le lien ne fonctionne qu'une fois, dans un délai de 2 heures){NBSP}:" in message.body
    assert "Votre nom d'utilisateur est lea." in message.body


def test_a_password_reset_asked_from_a_french_browser_for_english_staff_is_in_english(client):
    make_user(username="pat", email="pat@example.gov", jurisdiction=make_jurisdiction(name="Harbor City"))
    client.post(reverse("password_reset"), {"email": "pat@example.gov"}, REMOTE_ADDR="198.51.100.78", **FRENCH)
    (message,) = mail.outbox
    assert message.subject == "Password reset on testserver"
    assert message.body.startswith("You asked to reset your password for testserver.\n\nChoose a new password here")


def test_a_draft_reminder_to_a_french_jurisdiction_is_in_french(settings):
    settings.SITE_URL = "https://designation.example.org"
    city = make_jurisdiction(name="Rivière-du-Nord", state="QC", time_zone="America/Toronto", language="fr")
    make_user(jurisdiction=city, email="lea@example.ca")
    make_organizer(first_name="Dana", last_name="Okafor", email="dana@example.org")
    cycle = make_cycle(name="2026–2028", time_zone="America/New_York")
    cycle.opens_at, cycle.closes_at = JANUARY_15 - timedelta(days=120), JANUARY_15
    cycle.save()
    answers = {step: values for step, values in COMPLETE.items() if step != "review"}
    make_application(jurisdiction=city, cycle=cycle, wizard_state=wizard_state(answers, "review"))

    (reminder,) = send_draft_reminders(now=datetime(2027, 1, 8, 15, 0, tzinfo=UTC), days=(14, 7, 2))
    assert reminder.outcome == "sent"
    (message,) = mail.outbox
    due = f"15 janvier 2027 à 23{NBSP}h{NBSP}59 EST"
    assert message.subject == f"Rappel{NBSP}: la candidature 2026–2028 de Rivière-du-Nord, QC est à remettre le {due}"
    assert message.body.startswith("Bonjour,\n\nLa candidature de Rivière-du-Nord, QC à la désignation")
    assert f"Elle doit être soumise au plus tard le {due}.\n\n" in message.body
    assert re.search(
        r"\d+ réponses? manquen?t? ou doi(?:t|vent) être corrigées?, dans ces étapes\xa0:\n- ", message.body
    )
    assert f"Écrire à{NBSP}: Dana Okafor <dana@example.org>" in message.body
    assert message.body.endswith("Vous recevez ce courriel à titre de membre du personnel de Rivière-du-Nord, QC.\n")


def test_a_wizard_step_in_french_explains_a_wrong_number_and_saves(client):
    city = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=city)
    application = make_application(jurisdiction=city, cycle=make_cycle(), wizard_state=wizard_state({}, "profile"))
    client.force_login(applicant)
    url = reverse("application_step", args=[application.pk, "profile"])
    body = post_data("profile", {**COMPLETE["profile"], "yearly_contacts": "999999999"}, version=1)
    refused = page(client.post(url, body, **FRENCH))
    assert f"Cette valeur semble trop élevée{NBSP}; le maximum accepté est de 100{NBSP}000{NBSP}000." in refused
    saved = client.post(url, {**body, "version": "2", "action": "save"}, follow=True, **FRENCH)
    assert '<p class="usa-alert__text">Enregistré.</p>' in page(saved)


def test_the_receipt_of_a_french_jurisdictions_application_is_in_french(settings):
    settings.SITE_URL = "https://designation.example.org"
    city = make_jurisdiction(name="Rivière-du-Nord", state="QC", time_zone="America/Toronto", language="fr")
    lea = make_user(jurisdiction=city, first_name="Léa", last_name="Tremblay", email="lea@example.ca")
    application = make_application(
        jurisdiction=city, cycle=make_cycle(name="2026–2028"), submitted_by=lea, submitted_at=JANUARY_15
    )
    domain.send_receipt(application)
    (message,) = mail.outbox
    assert message.subject == f"Accusé de réception{NBSP}: candidature de Rivière-du-Nord, QC pour le cycle 2026–2028"
    assert message.body.startswith(
        "Léa Tremblay a soumis la candidature de Rivière-du-Nord, QC à la désignation de collectivité engagée "
        f"envers les citoyens 2026–2028 le 15 janvier 2027 à 23{NBSP}h{NBSP}59 EST.\n\n"
    )
    assert "Le comité d'évaluation communiquera avec vous s'il a des questions.\n" in message.body


# Words the domain writes ------------------------------------------------------------------------------------


def test_moments_are_written_the_french_way_and_the_english_way_is_unchanged():
    city = make_jurisdiction(name="Harbor City", time_zone="America/Los_Angeles")
    assert deadline_text(JANUARY_15, "America/New_York", city) == (
        "January 15, 2027 at 23:59 EST (20:59 PST in Harbor City)"
    )
    assert in_zone(JANUARY_15, "America/New_York", short=True) == "Jan 15, 2027 23:59 EST"
    with translation.override("fr"):
        assert deadline_text(JANUARY_15, "America/New_York", city) == (
            f"15 janvier 2027 à 23{NBSP}h{NBSP}59 EST (20{NBSP}h{NBSP}59 PST à Harbor City)"
        )
        assert in_zone(JANUARY_15, "America/New_York", short=True) == f"15 jan. 2027 23{NBSP}h{NBSP}59 EST"


def test_the_pdf_checks_words_in_french():
    checked = validators.CheckedPdf(b"%PDF-", 1, removed=("scripts", "links", "media"))
    assert checked.note == "For safety, links, scripts and media were removed from this copy."
    with translation.override("fr"):
        assert checked.note == (
            "Par mesure de sécurité, nous avons retiré les liens, les scripts et les éléments multimédias "
            "de cette copie."
        )
        refusal = validators._refusal("too_many_pages", limit=5000)
        assert refusal.messages == [
            f"Ce PDF compte plus de 5{NBSP}000 pages. Divisez-le en documents plus petits et téléversez ceux-ci."
        ]
    assert validators._refusal("too_many_pages", limit=5000).messages == [
        "This PDF has more than 5,000 pages. Split it into smaller documents and upload those."
    ]
