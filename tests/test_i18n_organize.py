"""The organizers' pages in French (a browser asking for it) and in English as before: the dashboard's "what
needs attention" sentences with their French plurals, a cycle's page, its phase page and list of applications,
and the cycle form, where a cycle gets a French name that French readers see (English when it has none).

The French comes from the compiled catalogue (/work/i18n/build.sh makes locale/fr/LC_MESSAGES/django.mo)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.models import AuditEvent, Cycle
from tests.factories import as_user, make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.applications import make_submitted

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
NB = "\u00a0"  # French puts a non-breaking space before a colon
ITEM = re.compile(r"<li>(.*?)<a href=\"([^\"]*)\">(.*?)</a></li>", re.S)


def page_of(client, url, **headers):
    return client.get(url, **headers).content.decode()


def attention(page, heading):
    """The words of the page's "what needs attention" list (the section under ``heading``), sorted."""
    section = page[page.index(f"<h2>{heading}</h2>") :]
    section = section[: section.index("<h2", 5)]
    return sorted(
        re.sub(r"[ \n]+", " ", unescape(before + text)).strip() for before, _href, text in ITEM.findall(section)
    )


@pytest.fixture(autouse=True)
def english_between_requests():
    """The test's own code in English: a French request leaves French active in the thread (the middleware does
    not switch back), and ``Cycle(name=…)`` writes the active language's column."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def organizer():
    return as_user(make_organizer())


@pytest.fixture
def cycles():
    """Autumn 2026 (French name Automne 2026): 1 draft due within the week; 2027–2029 (no French name): 2 drafts
    due; Closed: 1 and Late: 2 submitted applications without reviewers."""
    autumn = make_cycle(name="Autumn 2026", name_fr="Automne 2026", closes_in=timedelta(days=3))
    make_application(cycle=autumn)
    plain = make_cycle(name="2027–2029", closes_in=timedelta(days=4))
    make_application(cycle=plain)
    make_application(cycle=plain)
    closed = make_cycle(name="Closed", closes_in=timedelta(days=-1))
    make_submitted(cycle=closed, jurisdiction=make_jurisdiction())
    late = make_cycle(name="Late", closes_in=timedelta(days=-2))
    make_submitted(cycle=late, jurisdiction=make_jurisdiction())
    make_submitted(cycle=late, jurisdiction=make_jurisdiction())
    return {"autumn": autumn, "plain": plain}


def test_the_dashboard_in_french_says_what_waits_with_french_plurals(organizer, cycles):
    page = page_of(organizer, reverse("home"), **FRENCH)

    assert '<h1 class="margin-top-4">Tableau de bord des responsables du programme</h1>' in page
    assert attention(page, "Ce qui demande votre attention") == [
        f"2027–2029{NB}: 2 brouillons sont à remettre d'ici 7 jours",
        f"Automne 2026{NB}: 1 brouillon est à remettre d'ici 7 jours",
        f"Closed{NB}: 1 candidature soumise a besoin d'évaluateurs",
        f"Late{NB}: 2 candidatures soumises ont besoin d'évaluateurs",
    ]
    # The cycles' table: the French name where there is one, the English one otherwise.
    for cycle, shown in ((cycles["autumn"], "Automne 2026"), (cycles["plain"], "2027–2029")):
        assert f'<a href="{reverse("cycle_detail", args=[cycle.pk])}">{shown}</a>' in page
    assert "Aucun appel n'est en attente." in page and "Autumn 2026" not in page


def test_the_dashboard_in_english_is_unchanged(organizer, cycles):
    page = page_of(organizer, reverse("home"))

    assert '<h1 class="margin-top-4">Organizer dashboard</h1>' in page
    assert attention(page, "What needs attention") == [
        "2027–2029: 2 drafts are due within 7 days",
        "Autumn 2026: 1 draft is due within 7 days",
        "Closed: 1 submitted application needs reviewers",
        "Late: 2 submitted applications need reviewers",
    ]
    assert "No appeal is pending." in page and "Automne 2026" not in page


def test_a_cycle_page_in_french(organizer, cycles):
    autumn = cycles["autumn"]
    page = unescape(page_of(organizer, reverse("cycle_detail", args=[autumn.pk]), **FRENCH))

    assert '<h1 class="margin-top-4">Cycle Automne 2026</h1>' in page
    assert '<span class="usa-step-indicator__heading-text">Ouvert</span>' in page
    assert f"{NB}: 0 soumise et 1 brouillon jusqu'ici." in page
    assert '<th scope="row">Brouillons</th><td>1</td>' in page and "0 évaluation</td>" in page
    assert attention(page, "Ce qui demande votre attention") == ["1 brouillon est à remettre d'ici 7 jours"]
    assert 'aria-label="Ce qui demande votre attention dans ce cycle"' in page
    # No French name: the English one.
    plain = unescape(page_of(organizer, reverse("cycle_detail", args=[cycles["plain"].pk]), **FRENCH))
    assert '<h1 class="margin-top-4">Cycle 2027–2029</h1>' in plain
    assert f"{NB}: 0 soumise et 2 brouillons jusqu'ici." in plain
    english = page_of(organizer, reverse("cycle_detail", args=[autumn.pk]))
    assert (
        '<h1 class="margin-top-4">Cycle Autumn 2026</h1>' in english and ": 0 submitted and 1 draft so far." in english
    )


def test_closing_for_review_in_french_counts_the_drafts_that_stay(organizer, cycles):
    page = unescape(page_of(organizer, reverse("cycle_phase", args=[cycles["plain"].pk, "review"]), **FRENCH))

    assert f'<h1 class="margin-top-4">Fermer le cycle pour l\'évaluation{NB}: 2027–2029</h1>' in page
    assert (
        f"2 brouillons restent des brouillons{NB}: ils ne peuvent plus être soumis, et leur personnel ne reçoit "
        "plus de rappels." in page
    )
    one = page_of(organizer, reverse("cycle_phase", args=[cycles["autumn"].pk, "review"]), **FRENCH)
    assert f"1 brouillon reste un brouillon{NB}: il ne peut plus être soumis" in one
    assert '<button class="usa-button" type="submit" name="confirm" value="review">Fermer pour l&#x27;évaluation' in one


def test_the_list_of_applications_in_french(organizer, cycles):
    url = reverse("cycle_applications", args=[cycles["plain"].pk])
    page = page_of(organizer, url, **FRENCH)
    assert '<p role="status">2 candidatures.</p>' in page
    assert '<option value="-jurisdiction">Collectivité, de Z à A</option>' in page
    filtered = page_of(organizer, f"{url}?status=draft", **FRENCH)
    assert '<p role="status">2 candidatures correspondent.</p>' in filtered
    assert '<p role="status">2 applications match.</p>' in page_of(organizer, f"{url}?status=draft")


def form(**changes):
    body = {
        "name": "2029–2031",
        "name_fr": "",
        "time_zone": "America/Toronto",
        "opens_at": "2029-01-08T09:00",
        "closes_at": "2029-03-30T17:00",
        "valid_from": "2029-07-01",
        "valid_until": "",
        "reviewers_per_application": "2",
        "max_per_reviewer": "6",
        "review_deadline": "",
        "disagreement_margin": "7.5",
        "appeal_deadline": "",
        "rubric_source": "",
    }
    return body | changes


def test_a_cycle_is_named_in_english_and_french(organizer):
    page = page_of(organizer, reverse("cycle_create"), **FRENCH)
    assert '<label class="usa-label" for="id_name_fr">Nom en français</label>' in page

    response = organizer.post(reverse("cycle_create"), form(name_fr=" Cycle 2029–2031 "), follow=True, **FRENCH)

    cycle = Cycle.objects.get(name_en="2029–2031")
    assert cycle.name_fr == "Cycle 2029–2031"
    assert [str(m) for m in response.context["messages"]] == [
        "Le cycle Cycle 2029–2031 est créé. Ouvrez-le lorsque ses paramètres et sa grille d'évaluation sont prêts."
    ]
    # The audit trail is kept in English, whoever acts.
    assert AuditEvent.objects.get(action="cycle.created").summary == (
        "Created 2029–2031 (America/Toronto), with the product's default rubric"
    )
    edit = page_of(organizer, reverse("cycle_edit", args=[cycle.pk]))
    assert 'value="2029–2031"' in edit and 'value="Cycle 2029–2031"' in edit
    assert '<h1 class="margin-top-4">Settings of 2029–2031</h1>' in edit


def test_a_french_name_left_empty_falls_back_to_english_and_a_taken_one_is_refused(organizer):
    make_cycle(name="2026–2028", name_fr="Cycle 2026–2028")
    organizer.post(reverse("cycle_create"), form())
    cycle = Cycle.objects.get(name_en="2029–2031")
    assert cycle.name_fr is None  # none rather than "": the column is unique
    assert '<h1 class="margin-top-4">Cycle 2029–2031</h1>' in page_of(
        organizer, reverse("cycle_detail", args=[cycle.pk]), **FRENCH
    )

    response = organizer.post(reverse("cycle_edit", args=[cycle.pk]), form(name_fr="cycle 2026–2028"), **FRENCH)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Un cycle nommé cycle 2026–2028 en français existe déjà{NB}: choisissez un autre nom." in page
    assert 'value="cycle 2026–2028"' in page
    cycle.refresh_from_db()
    assert cycle.name_fr is None

    saved = organizer.post(reverse("cycle_edit", args=[cycle.pk]), form(name_fr="Cycle 2029"), follow=True)
    assert [str(m) for m in saved.context["messages"]] == ["Saved: name in French."]
    cycle.refresh_from_db()
    assert (cycle.name_en, cycle.name_fr) == ("2029–2031", "Cycle 2029")
