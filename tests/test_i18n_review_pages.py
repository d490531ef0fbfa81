"""The review pages in French (templates/review/): the reviewer's home, the review page and the panel's
pages read in French for a browser set to French, with dates and numbers as French writes them, and stay
in English otherwise. Needs the compiled catalogue (/work/i18n/build.sh or `make` builds it)."""

import html

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from review.decisions import decide
from tests.factories import as_user, make_reviewer
from tests.factories.reviews import submit_both

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5"}
NB = "\u00a0"  # French puts a non-breaking space before a colon


@pytest.fixture(autouse=True)
def english_outside_requests():
    """The middleware activates the reader's language in this thread and leaves it there after the response:
    objects made between requests (the fixtures' cycle names) are made in English, as in the other tests."""
    translation.activate("en")
    yield
    translation.activate("en")


def text_of(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def none_of(english, page):
    """The English phrases of ``english`` that are still on ``page`` (none, when it is in French)."""
    return [phrase for phrase in english if phrase in page]


def test_the_reviewers_home_reads_in_french(panel):
    client = as_user(panel["first"])
    page = text_of(client, reverse("home"), **FRENCH)
    assert '<html lang="fr">' in page
    assert '<h1 class="margin-top-4">Vos évaluations</h1>' in page
    assert '<caption class="usa-sr-only">Candidatures qui vous sont attribuées</caption>' in page
    assert '<th scope="col">Collectivité</th>' in page and '<th scope="col">Votre évaluation</th>' in page
    assert 'data-label="Votre évaluation">Pas commencée</td>' in page
    english = ["Your reviews", "Applications assigned to you", "Review deadline", "Your review", "Not started"]
    assert none_of(english, page) == []

    page = text_of(client, reverse("home"))
    assert '<h1 class="margin-top-4">Your reviews</h1>' in page
    assert 'data-label="Your review">Not started</td>' in page


def test_a_reviewer_without_applications_reads_why_in_french(panel):
    page = text_of(as_user(make_reviewer(first_name="Cy")), reverse("home"), **FRENCH)
    assert "Aucune candidature ne vous est encore attribuée." in page
    assert "vous recevrez alors un courriel." in page
    assert "You have no applications" not in page


def test_the_review_page_reads_in_french(panel):
    client = as_user(panel["first"])
    url = reverse("review_edit", args=[panel["r1"].pk])
    page = text_of(client, url, **FRENCH)
    for french in [
        '<h2 id="judged-criteria" class="margin-top-2">Critères jugés</h2>',
        '<h2 id="rule-scores">Notes selon les règles</h2>',
        "70 points selon les règles, d'après les réponses et les documents.",
        f'<h4 class="margin-bottom-0">Réponses de la collectivité candidate{NB}: ',
        '<p class="text-bold margin-bottom-0">Votre note</p>',
        '<nav aria-label="Sur cette page"',
        '<h2 id="submit-heading">Enregistrer ou soumettre</h2>',
        ">Enregistrer le brouillon</button>",
        ">Soumettre l'évaluation…</button>",
        "<h2>Un conflit d'intérêts?</h2>",
        ">Déclarer un conflit</button>",
        '<h2 id="the-application-heading">Documents et autres réponses</h2>',
        "(demandes de précision à la collectivité candidate).",
    ]:
        assert french in page
    english = [
        "Judged criteria",
        "Rule-based scores",
        "points by rule, from the answers",
        "What the applicant answered",
        "Your score<",
        "On this page",
        "Save or submit",
        "Save draft",
        "Submit review…",
        "A conflict of interest?",
        "Declare a conflict",
        "Documents and other answers",
        "The application page",
        "Draft",
    ]
    assert none_of(english, page) == []
    # The running total's words for static/js/review_total.js are French; the figures it reads stay plain.
    words = f"Votre total{NB}: {{total}} sur {{most}} (règles {{rule}} + critères évalués {{judged}}, ajustements"
    assert f'data-words="{words}' in page
    assert 'data-review-total data-rule="70" data-most="100"' in page

    page = text_of(client, url)
    assert '<h2 id="judged-criteria" class="margin-top-2">Judged criteria</h2>' in page
    assert "Your total: {total} of {most} (rule {rule} + judged {judged}, adjustments {adjustments})" in page


def test_the_submitted_review_reads_in_french(panel):
    submit_both(panel)
    page = text_of(as_user(panel["first"]), reverse("review_edit", args=[panel["r1"].pk]), **FRENCH)
    assert '<h2 id="judged-criteria" class="margin-top-2">Vos notes des critères jugés</h2>' in page
    assert f"<p>Votre note{NB}: <strong>" in page
    assert '<h2 id="other-reviewers">Les autres évaluateurs</h2>' in page
    assert (
        none_of(["Your scores of the judged criteria", "The other reviewers", "Private notes for the panel"], page)
        == []
    )


def test_the_panel_cycle_page_reads_in_french(panel):
    client = as_user(panel["organizer"])
    url = reverse("panel_cycle", args=[panel["cycle"].pk])
    page = text_of(client, url, **FRENCH)
    for french in [
        f'<h1 class="margin-top-4">Comité d\'évaluation{NB}: 2026–2028</h1>',
        ">Attribuer les candidatures aux évaluateurs automatiquement</button>",
        ">Publier les décisions…</a>",
        "<h2>Candidatures</h2>",
        "1 candidature soumise, dont 0 avec une évaluation prise en compte.",
        '<th scope="col">Note combinée</th>',
        "<td>0 sur 2 requises</td>",
        "<h2>Totaux combinés par tranche de population</h2>",
        "<h2>Les évaluateurs côte à côte</h2>",
        f"Concordance{NB}: pas encore assez de candidatures évaluées en commun.",
        "<h2>Paramètres du comité d'évaluation</h2>",
        ">Enregistrer les paramètres</button>",
    ]:
        assert french in page
    english = [
        "Review panel",
        "Assign reviewers automatically",
        "Publish decisions",
        "submitted application",
        "Combined totals",
        "Reviewers side by side",
        "Agreement:",
        "Panel settings",
        "Save settings",
        "of 2 required",
    ]
    assert none_of(english, page) == []

    page = text_of(client, url)
    assert '<h1 class="margin-top-4">Review panel: 2026–2028</h1>' in page
    assert "1 submitted application, 0 with a counted review." in page


def test_the_panel_application_page_writes_dates_and_numbers_in_french(panel):
    submit_both(panel)
    organizer = panel["organizer"]
    decision = decide(
        panel["application"], "designated", "Designated with Distinction", "Strong.", organizer, override_reason="Seen."
    )
    client = as_user(organizer)
    url = reverse("panel_application", args=[panel["application"].pk])
    page = text_of(client, url, **FRENCH)
    with translation.override("fr"):
        day = dateformat.format(timezone.localtime(panel["r1"].assignment.assigned_at), "j F Y")
        moment = dateformat.format(timezone.localtime(decision.decided_at), "j F Y, G \\h i T")
    assert f"<td>{day}</td>" in page  # "7 décembre 2026", not "Dec 7, 2026"
    assert f'aria-label="Décision du {moment}"' in page
    assert f"par {organizer} le {moment}" in page
    assert "<h2>Notes</h2>" in page and f"Note combinée{NB}: <strong>" in page
    assert none_of(["Reviewers' notes", "Record the decision", "Take off", "Assign a reviewer", "History"], page) == []

    page = text_of(client, url)
    assert f"<td>{dateformat.format(timezone.localtime(panel['r1'].assignment.assigned_at), 'M j, Y')}</td>" in page
    assert "Combined: <strong>" in page and "<h2>History</h2>" in page
