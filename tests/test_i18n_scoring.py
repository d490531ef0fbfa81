"""Scoring in French: the engine's reasons, the rubric's words as the organizer writes them in both languages, and
stored scores (kept in English) never shown as they are to a French reader. English stays as it was.

The French comes from the compiled catalogue (/work/i18n/build.sh)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.questionnaire import choice_labels
from review.rule_scores import rule_result
from scoring import default_rubric, engine, levels
from scoring.domain import rescore_application, rubric_for
from scoring.models import Category, Criterion, Level, ScoreResult
from tests.factories import as_user, make_cycle, make_organizer
from tests.factories.applications import make_submitted
from tests.keep_typed_rubric import shown_form

NBSP = "\u00a0"
ANSWERS = {
    "profile": {"contact_number_type": "both", "crm_tracks_cases": True, "live_agent_hours_per_week": 45},
    "channels": {"channels": ["live_phone", "web_form", "ivr"], "language_access": True},
    "performance": {"asa_seconds": 41, "service_level_pct": 78.5},
    "planning": {"technology_plan_year": 2025},
    "metrics": [{"kind": "asa"}] * 5,
}


def _scored():
    rubric = engine.Rubric.from_data(
        default_rubric, choice_labels=choice_labels(), evidence_labels={"technology_plan": "Technology plan"}
    )
    facts = engine.Facts(answers=ANSWERS, documents=frozenset(), as_of_year=2026, judged={"D7": 3})
    result = engine.score(rubric, facts)
    return {c["code"]: c["reason"] for c in result["criteria"]}, result


def test_the_engine_s_reasons_are_french_with_decimal_commas_and_english_is_unchanged():
    with translation.override("en"):
        english, result = _scored()
    assert english["D2"] == "2 of 3 points: 78.5 %; 80 % or more earns 3."
    assert english["D3"] == "1 of 2 points: 41 s; 30 s or less earns 2."
    assert english["D1"] == "2 of 5 points: 5 metrics; 8 or more earn 3."
    assert english["D7"] == "3 of 4 points: scored by reviewers."
    assert english["A2"] == "1 of 3 points: 45 hours; 50 hours or more earns 2."
    assert "Total 14 is below the threshold of 60." in result["blockers"]
    with translation.override("fr"):
        french, result = _scored()
    assert french["D2"] == f"2 sur 3 points{NBSP}: 78,5 %; 80 % ou plus rapporte 3."
    assert french["D3"] == f"1 sur 2 points{NBSP}: 41 s; 30 s ou moins rapporte 2."
    assert french["D1"] == f"2 sur 5 points{NBSP}: 5 indicateurs; 8 ou plus rapportent 3."
    assert french["D7"] == f"3 sur 4 points{NBSP}: noté par les évaluateurs."
    assert french["A2"] == f"1 sur 3 points{NBSP}: 45 heures; 50 heures ou plus rapporte 2."  # the unit too
    # The shape "<points>: <detail>" the reports split on is kept.
    assert french["D2"].partition(": ")[2] == "78,5 %; 80 % ou plus rapporte 3."
    assert not any(" of " in reason for reason in french.values())
    assert "Le total de 14 est inférieur au seuil de 60." in result["blockers"]


@pytest.fixture
def organizer(db):
    return as_user(make_organizer())


@pytest.fixture
def cycle(db):
    return make_cycle(name="2027–2029", closes_in=timedelta(days=400))


def test_the_editor_saves_names_in_both_languages_and_a_french_page_shows_the_french(organizer, cycle):
    rubric = rubric_for(cycle)
    add = reverse("rubric_category_add", args=[cycle.pk])
    body = {"code": "I", "name": "Innovation", "name_fr": "Innovation sociale", "points": "5"}
    assert organizer.post(add, body, HTTP_ACCEPT_LANGUAGE="fr").status_code == 302
    category = Category.objects.get(rubric=rubric, code="I")
    assert (category.name_en, category.name_fr) == ("Innovation", "Innovation sociale")

    settings_url = reverse("rubric_settings", args=[cycle.pk])
    levels = shown_form(organizer, settings_url) | {"levels-0-name_fr": "Désignée (niveau 1)"}
    assert organizer.post(settings_url, levels, HTTP_ACCEPT_LANGUAGE="fr").status_code == 302
    first = Level.objects.filter(rubric=rubric).order_by("minimum").first()
    assert (first.name_en, first.name_fr) == ("Designated", "Désignée (niveau 1)")

    judged = Criterion.objects.get(rubric=rubric, code="D7")
    edit = reverse("rubric_criterion_edit", args=[judged.pk])
    form = shown_form(organizer, edit) | {"title_fr": "Récit de l'équipe", "anchors-0-description_fr": "Rien du tout"}
    assert organizer.post(edit, form, HTTP_ACCEPT_LANGUAGE="fr").status_code == 302
    judged.refresh_from_db()
    assert (judged.title_en, judged.title_fr) == (form["title"][0], "Récit de l'équipe")
    assert judged.params["anchors_fr"][form["anchors-0-points"][0]] == "Rien du tout"
    assert set(judged.params["anchors_fr"]) <= set(judged.params["anchors"])

    page = organizer.get(reverse("rubric_edit", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Grille d'évaluation{NBSP}: 2027–2029" in page
    assert "I Innovation sociale — 5 points" in page and "Désignée (niveau 1)</th>" in page
    assert "Récit de l&#x27;équipe" in page
    english = organizer.get(reverse("rubric_edit", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "I Innovation — 5 points" in english and "Designated</th>" in english and "Rubric: 2027–2029" in english
    # The form shows both languages again, and the criterion's page its French anchors.
    again = shown_form(organizer, edit)
    assert again["title_fr"] == ["Récit de l'équipe"] and again["anchors-0-description_fr"] == ["Rien du tout"]


def test_a_french_editor_refuses_in_french_and_keeps_what_was_typed(organizer, cycle):
    add = reverse("rubric_category_add", args=[cycle.pk])
    body = {"code": "A", "name": "Encore", "name_fr": "Encore <typé>", "points": "5"}
    page = organizer.post(add, body, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"La catégorie A existe déjà{NBSP}: choisissez un autre code." in page
    assert 'value="Encore &lt;typé&gt;"' in page and "Nom (français)" in page


def test_a_french_name_without_english_is_refused(organizer, cycle):
    settings_url = reverse("rubric_settings", args=[cycle.pk])
    levels = shown_form(organizer, settings_url) | {"levels-3-name_fr": "Sans anglais"}
    page = organizer.post(settings_url, levels).content.decode()
    assert "Name this level, or clear its minimum to remove the row." in page and 'value="Sans anglais"' in page


def test_stored_scores_keep_english_levels_which_a_french_reader_reads_in_french(db):
    application = make_submitted(cycle=make_cycle(name="2026–2028"))
    rubric = rubric_for(application.cycle)
    rubric.threshold, rubric.min_category_share = 1, 0
    rubric.save()
    Level.objects.filter(rubric=rubric).exclude(name_en="Designated").delete()
    Level.objects.filter(rubric=rubric).update(minimum=1)  # every total from 1 up is "Designated"
    with translation.override("fr"):
        stored = rescore_application(application)  # scored while French is active: stored in English all the same
    assert stored["level"] == "Designated" and ScoreResult.objects.get(application=application).level == "Designated"
    application.refresh_from_db()
    with translation.override("fr"):
        built = rubric_for(application.cycle).to_engine()
        assert built.levels[0][0] == "Designated"  # the level's key, whatever the language
        assert rule_result(application, built)["level"] == "Designated"
        assert levels.label("Designated") == "Désignée"  # what the French reader reads
    with translation.override("en"):
        english = rubric_for(application.cycle).to_engine()
    assert built.criteria[0].title != english.criteria[0].title  # the words are the reader's, cached apart
