"""Which language a person reads, and the switch on every page (config/language.py).

The browser's language by default; the switch (a plain link) sets a cookie, is saved on the account of a
signed-in person and wins over the browser from then on, on any device; it goes back to the page it was
followed from, never to another site.
"""

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation

from assessment.models import User
from tests.factories import PASSWORD, make_jurisdiction, make_user, sign_in

pytestmark = pytest.mark.django_db

SWITCH_TO_FRENCH = 'lang="fr" hreflang="fr">Consulter ce site en français</a>'
SWITCH_TO_ENGLISH = 'lang="en" hreflang="en">Read this site in English</a>'


def test_the_browsers_language_by_default(client):
    english = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in english
    assert "Skip to main content" in english
    assert SWITCH_TO_FRENCH in english

    french = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    page = french.content.decode()
    assert '<html lang="fr">' in page
    assert "Passer au contenu principal" in page
    assert SWITCH_TO_ENGLISH in page
    assert french["Content-Language"] == "fr"
    assert "Accept-Language" in french["Vary"]


def test_a_language_nobody_translated_falls_back_to_english(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="en">' in page


def test_the_switch_goes_back_to_the_page_and_is_remembered_without_an_account(client):
    response = client.get(reverse("switch_language", args=["fr"]) + "?next=/password-reset/")
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in page  # the cookie wins over the browser


def test_the_switch_links_back_to_the_page_it_is_on(client):
    page = client.get(reverse("password_reset")).content.decode()
    assert f'href="{reverse("switch_language", args=["fr"])}?next=/password-reset/"' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switch_never_sends_anyone_to_another_site(client, target):
    response = client.get(reverse("switch_language", args=["fr"]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_is_a_404_and_changes_nothing(client):
    user = make_user()
    assert sign_in(client, user.username, PASSWORD)
    assert client.get(reverse("switch_language", args=["de"])).status_code == 404
    user.refresh_from_db()
    assert user.language == ""


def test_the_choice_is_kept_on_the_account_and_wins_over_the_browser(client):
    user = make_user(jurisdiction=make_jurisdiction())
    assert sign_in(client, user.username, PASSWORD)
    client.get(reverse("switch_language", args=["fr"]))
    user.refresh_from_db()
    assert user.language == "fr"

    elsewhere = type(client)()  # another browser, in English, no cookie
    assert sign_in(elsewhere, user.username, PASSWORD)
    page = elsewhere.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="fr">' in page
    assert "Tableau de bord" in page

    elsewhere.get(reverse("switch_language", args=["en"]))
    assert User.objects.get(pk=user.pk).language == "en"
    assert '<html lang="en">' in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_dates_hours_and_numbers_are_written_for_the_language():
    moment = datetime(2026, 12, 7, 14, 5)
    with translation.override("fr"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "7 décembre 2026, 14 h 05"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "2026-12-07"
        assert formats.number_format(Decimal("1234.5"), 1, force_grouping=True) == "1\xa0234,5"
    with translation.override("en"):
        assert formats.date_format(moment, "DATE_FORMAT") == "Dec. 7, 2026"
        assert formats.number_format(Decimal("1234.5"), 1, force_grouping=True) == "1,234.5"
