"""The review panel in French: each e-mail in its recipient's language (a reviewer's or an organizer's own, an
applicant's jurisdiction's) with French dates, a refused review in French, the threshold rationale in French;
the English recipients and readers get the English as before.

The French comes from the compiled catalogue (/work/i18n/build.sh makes locale/fr/LC_MESSAGES/django.mo)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from review.appeals import file_appeal
from review.assignment import assign
from review.models import Decision, settings_for
from review.rationale import by_threshold
from review.reminders import send_reminders
from tests.factories import (
    as_user,
    close_cycle,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
    make_user,
)
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
NB = "\u00a0"  # French puts a non-breaking space before a colon and inside « »
DEADLINE = datetime(2027, 1, 16, 5, 59, tzinfo=UTC)  # January 15, 2027 at 23:59 in Chicago (CST)


@pytest.fixture(autouse=True)
def english_between_requests():
    """The test's own code in English: a French request leaves French active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


def chicago_cycle(**settings):
    cycle = make_cycle(name="2026–2028", time_zone="America/Chicago")
    config = settings_for(cycle)
    config.review_deadline = DEADLINE
    for name, value in settings.items():
        setattr(config, name, value)
    config.save()
    return cycle


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


def test_an_assignment_batch_reaches_a_french_reviewer_in_french_and_an_english_one_in_english(
    django_capture_on_commit_callbacks,
):
    cycle = chicago_cycle(reviewers_per_application=2, max_per_reviewer=2)
    francophone, anglophone = make_reviewer(first_name="Élise", language="fr"), make_reviewer(first_name="Ann")
    for name in ("Alder", "Birch"):
        make_submitted(make_jurisdiction(name=name), cycle)
    with django_capture_on_commit_callbacks(execute=True):
        page = as_user(make_organizer()).post(reverse("panel_auto_assign", args=[cycle.pk]), follow=True)
    assert "4 assignments made." in page.content.decode()

    french = mail_to(francophone)
    assert french.subject == "2 nouvelles évaluations (2026–2028)"
    assert french.body.startswith(f"Bonjour Élise,\n\nNous vous demandons d'évaluer 2 candidatures{NB}:\n\n- ")
    assert f"- Alder, VA (2026–2028)\n  Évaluation{NB}: http" in french.body
    assert french.body.count("La date limite des évaluations est le 15 janvier 2027 à 23 h 59 CST.") == 2
    assert french.body.count(f"Évaluation{NB}: http") == 2

    english = mail_to(anglophone)
    assert english.subject == "2 new reviews (2026–2028)"
    assert english.body.startswith("Hello Ann,\n\nYou have been asked to review 2 applications:\n\n- ")
    assert "- Alder, VA (2026–2028)\n  Review: http" in english.body
    assert english.body.count("The review deadline is January 15, 2027 at 23:59 CST.") == 2
    assert english.body.count("Review: http") == 2


def test_the_reminder_is_in_the_reviewers_language_with_the_date_in_it():
    cycle = chicago_cycle()
    organizer = make_organizer()
    francophone, anglophone = make_reviewer(language="fr"), make_reviewer()
    application = make_submitted(make_jurisdiction(name="Alder"), cycle)
    assign(application, francophone, organizer)
    assign(application, anglophone, organizer)
    mail.outbox.clear()

    assert send_reminders(now=DEADLINE - timedelta(days=1)) == 2
    french = mail_to(francophone)
    assert french.subject == f"Rappel{NB}: 1 évaluation à remettre le 15 janvier 2027 à 23 h 59 CST"
    assert french.body == f"Ces évaluations ne sont pas encore soumises{NB}:\n- Alder, VA (2026–2028)\n"
    english = mail_to(anglophone)
    assert english.subject == "Reminder: 1 review due January 15, 2027 at 23:59 CST"
    assert english.body == "These reviews are not submitted yet:\n- Alder, VA (2026–2028)\n"


def test_the_published_decisions_reach_each_jurisdictions_staff_in_its_language(django_capture_on_commit_callbacks):
    cycle = make_cycle(name="2026–2028")
    quebec = make_jurisdiction(name="Trois-Rivières", state="QC", language="fr")
    harbor = make_jurisdiction(name="Harbor City")
    staff_fr, staff_en = make_user(jurisdiction=quebec), make_user(jurisdiction=harbor)
    decide(make_submitted(quebec, cycle), level="Gold", published=False)
    decide(make_submitted(harbor, cycle), outcome=Decision.Outcome.NOT_DESIGNATED, published=False)
    close_cycle(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(make_organizer()).post(
            reverse("panel_publish", args=[cycle.pk]), {"confirm": "publish", "expected": "2"}
        )

    french = mail_to(staff_fr)
    assert french.subject == "Décision sur votre candidature (2026–2028)"
    assert french.body == (
        "La décision du comité d'évaluation sur la candidature de Trois-Rivières, QC est publiée"
        f"{NB}: Désignée — Gold.\n"
        "Consultez-la, avec les commentaires des évaluateurs, sur la page de votre candidature.\n"
    )
    english = mail_to(staff_en)
    assert english.subject == "Decision on your 2026–2028 application"
    assert english.body == (
        "The panel's decision on Harbor City, VA's application is published: Not designated.\n"
        "Read it, with the reviewers' comments, on your application's page.\n"
    )


def test_a_question_reaches_a_french_speaking_jurisdictions_staff_in_french(panel, django_capture_on_commit_callbacks):
    home = panel["application"].jurisdiction
    home.language = "fr"
    home.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        as_user(panel["first"]).post(
            reverse("clarification_ask", args=[panel["application"].pk]),
            {"question": "Is the 311 line staffed on Saturdays?"},
        )
    message = mail_to(panel["applicant"])
    assert message.subject == "Une question sur votre candidature (2026–2028)"
    assert message.body == (
        f"Le comité d'évaluation vous pose la question suivante{NB}:\n\nIs the 311 line staffed on Saturdays?\n\n"
        "Répondez-y sur la page de votre candidature. Votre candidature elle-même demeure telle que vous l'avez "
        "soumise.\n"
    )


def test_an_appeal_reaches_each_organizer_in_their_language_with_the_date_it_was_filed(
    django_capture_on_commit_callbacks,
):
    cycle = chicago_cycle(appeal_deadline=DEADLINE + timedelta(days=30))
    application = make_submitted(make_jurisdiction(name="Harbor City"), cycle)
    decide(application, level="Gold")
    francophone, anglophone = make_organizer(language="fr"), make_organizer()
    applicant = make_user(jurisdiction=application.jurisdiction, first_name="Dana", last_name="Ruiz")
    filed = datetime(2027, 2, 3, 14, 5, tzinfo=UTC)  # 9:05 in New York, the site's zone
    with django_capture_on_commit_callbacks(execute=True):
        file_appeal(application, "Our web chat was live all year.", applicant, now=filed)

    french = mail_to(francophone)
    assert french.subject == "Appel de Harbor City, VA (2026–2028)"
    assert french.body.startswith(
        "Dana Ruiz a fait appel, le 3 février 2027 à 9 h 05 EST, de la décision rendue sur la candidature de "
        f"Harbor City, VA pour 2026–2028. Sa déclaration{NB}:\n\nOur web chat was live all year.\n\n"
        f"Maintenez ou modifiez la décision sur la page du comité d'évaluation{NB}: http"
    )
    english = mail_to(anglophone)
    assert english.subject == "An appeal from Harbor City, VA (2026–2028)"
    assert english.body.startswith(
        "Dana Ruiz appealed the decision on Harbor City, VA's application for 2026–2028 on February 3, 2027 at "
        "09:05 EST. Their statement:\n\nOur web chat was live all year.\n\nUphold or change the decision on the "
        "panel page: http"
    )


def test_a_refused_review_says_why_in_french_and_in_english(panel):
    url = reverse("review_edit", args=[panel["r1"].pk])
    posted = {"version": "1", "action": "save", "comments_for_applicant": "", "private_notes": ""}
    posted |= {"adjust_A1": "4", "reason_A1": ""}
    client = as_user(panel["first"])

    french = client.post(url, posted, **FRENCH).content.decode()
    assert "Indiquez pourquoi vous ajustez A1, qui obtient 6 points selon la règle." in french
    assert f"Votre évaluation n&#x27;a pas été enregistrée{NB}: corrigez les champs signalés ci-dessous." in french
    assert "Points ajustés pour A1" in french and "Say why you adjust" not in french

    english = client.post(url, posted, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Say why you adjust A1 from 6 points." in english and "Indiquez" not in english
    assert "Your review was not saved: correct the fields marked below." in english


RUBRIC = SimpleNamespace(
    threshold=60,
    min_category_share=40,
    prerequisites=[SimpleNamespace(code="P1", title="A central contact number")],
    categories=[
        SimpleNamespace(code="A", name="Access", points=60),
        SimpleNamespace(code="H", name="Planning", points=40),
    ],
)


def test_the_threshold_rationale_in_french():
    designated = {"total": 79.0, "prerequisites": {"P1": True}, "categories": {"A": 50, "H": 29}}
    refused = {"total": 40.5, "prerequisites": {"P1": False}, "categories": {"A": 35, "H": 5.5}}
    with translation.override("fr"):
        assert by_threshold(designated, "designated", "Exemplary", RUBRIC) == (
            "La candidature remplit toutes les conditions préalables et obtient la part minimale des points dans "
            "chaque catégorie, et son total de 79 sur 100 points atteint le seuil de 60"
            f"{NB}: la grille d'évaluation la désigne au niveau Exemplary."
        )
        assert by_threshold(refused, "not_designated", "", RUBRIC) == (
            f"La candidature a obtenu 40,5 sur 100 points, et la grille d'évaluation ne la désigne pas{NB}: "
            f"la condition préalable «{NB}A central contact number{NB}» n'est pas remplie; son total est inférieur "
            f"au seuil de 60; la catégorie Planning n'atteint pas 40{NB}% de ses points. Les recommandations du "
            "rapport indiquent où trouver les points manquants."
        )
    assert by_threshold(refused, "not_designated", "", RUBRIC) == (
        "The application earned 40.5 of 100 points, and the rubric does not designate it: "
        "the prerequisite “A central contact number” is not met; its total is below the threshold of 60; "
        "Planning is below 40 % of its points. The report's recommendations say where the missing points are."
    )
