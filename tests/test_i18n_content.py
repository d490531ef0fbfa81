"""The questionnaire and the default rubric in French: every word has its French, and a French reader sees it.

The questionnaire's French is in the catalogue (``/work/i18n/content.po``, compiled into locale/); the default
rubric's is in ``scoring/default_rubric.py``, installed into the ``*_fr`` columns of every new cycle's rubric, and
given by migration ``scoring 0004`` to the rubrics installed before.
"""

import html

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from assessment import domain, questionnaire
from assessment.models import Cycle
from scoring import default_rubric
from scoring.domain import copy_previous_rubric, rubric_for
from scoring.models import Category, Criterion, Level, Rubric
from tests.factories import make_cycle, make_jurisdiction, make_user

BRANDS = {"Facebook", "X (Twitter)", "Instagram", "Nextdoor", "YouTube", "LinkedIn"}  # names, the same in French
BEFORE, AFTER = ("scoring", "0003_words_in_two_languages"), ("scoring", "0004_default_rubric_in_french")


def questionnaire_words():
    """(where, words) of every word of the questionnaire a person reads."""
    for step in questionnaire.STEPS:
        yield step.key, step.title
        if step.intro:
            yield f"{step.key} (intro)", step.intro
        for q in step.questions:
            where = f"{step.key}.{q.key}"
            yield where, q.label
            if q.help_text:
                yield f"{where} (help)", q.help_text
            if q.kind == "count":
                yield f"{where} (unit)", q.unit
            for code, message in q.messages.items():
                yield f"{where} ({code})", message
            for choice in q.choices:
                yield f"{where}={choice.value}", choice.label


def in_language(words, language):
    with translation.override(language):
        return str(words)


def test_every_word_of_the_questionnaire_has_its_french():
    lazy, untranslated, seen = [], [], 0
    for where, words in questionnaire_words():
        if isinstance(words, str) and words in BRANDS:
            continue
        seen += 1
        if not isinstance(words, Promise):  # looked up each time it is shown, in the reader's language
            lazy.append(where)
        elif in_language(words, "fr") == in_language(words, "en"):
            untranslated.append(where)
    assert seen > 150
    assert lazy == [] and untranslated == []


def test_the_questionnaire_reads_french_in_french_and_the_same_english_in_english():
    channels = questionnaire.question("channels", "channels")
    planning_year = questionnaire.question("planning", "technology_plan_year")
    with translation.override("fr"):
        assert str(questionnaire.step("channels").title) == "Canaux et libre-service"
        assert str(channels.label) == "Canaux qui reçoivent des demandes de service"
        assert str(questionnaire.choice_label("channels", "channels", "web_chat")) == "Clavardage"
        assert str(questionnaire.choice_label("performance", "publication_frequency", "never")) == "Aucune publication"
        assert str(planning_year.messages["required"]) == "Entrez l'année de la dernière mise à jour du plan."
        assert questionnaire.choice_labels()["channels.channels"]["email"] == "Courriel"
    with translation.override("en"):
        assert str(questionnaire.step("channels").title) == "Channels and self-service"
        assert str(channels.label) == "Channels that take service requests"
        assert str(questionnaire.choice_label("channels", "channels", "web_chat")) == "Web chat"
        assert str(questionnaire.choice_label("performance", "publication_frequency", "never")) == "Not published"
        assert str(planning_year.messages["required"]) == "Enter the year the plan was last updated."


@pytest.fixture
def applicant_client(client, db):
    jurisdiction = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=jurisdiction)
    application = domain.start_application(jurisdiction, make_cycle(name="2026–2028"), applicant)
    client.force_login(applicant)
    return client, application


def step_page(client, application, step, **headers):
    response = client.get(reverse("application_step", kwargs={"pk": application.pk, "step": step}), **headers)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_wizard_asks_in_french_a_reader_whose_browser_prefers_french(applicant_client):
    client, application = applicant_client
    page = step_page(client, application, "channels", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Canaux et libre-service" in page  # the step's title
    assert "Tous les moyens par lesquels un résident peut demander un service ou un renseignement." in page
    assert "Canaux qui reçoivent des demandes de service" in page  # a question
    assert "Clavardage" in page and "Réponse vocale interactive (RVI)" in page  # its choices
    assert "Le service est-il offert dans des langues autres que l'anglais" in page  # a yes/no question
    assert "Web chat" not in page and "Channels that take service requests" not in page
    assert 'value="web_chat"' in page  # what is stored does not change with the language
    profile = step_page(client, application, "profile", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Nombre d'heures par semaine où une personne répond aux appels" in profile  # a help text
    assert "Un numéro à 7 chiffres (ou à 10 chiffres) seulement" in profile


def test_the_wizard_asks_in_english_by_default(applicant_client):
    client, application = applicant_client
    page = step_page(client, application, "channels")
    assert "Channels that take service requests" in page and "Web chat" in page
    assert "Clavardage" not in page


# --- The default rubric -----------------------------------------------------------------------------------------


def default_words():
    """{code: (English, French)} of the default rubric's categories, criteria and prerequisites."""
    words = {p["code"]: (p["title"], p["title_fr"]) for p in default_rubric.PREREQUISITES}
    for category in default_rubric.CATEGORIES:
        words[category["code"]] = (category["name"], category["name_fr"])
        words |= {k["code"]: (k["title"], k["title_fr"]) for k in category["criteria"]}
    return words


def default_anchors():
    """{code: (English anchors, French anchors)} of the default rubric's judged criteria."""
    return {
        k["code"]: (k["params"]["anchors"], k["params"]["anchors_fr"])
        for category in default_rubric.CATEGORIES
        for k in category["criteria"]
        if k["kind"] == "judged"
    }


def test_the_default_rubric_has_french_beside_every_english_word():
    words = default_words()
    assert len(words) == 8 + 38 + 5
    assert all(french and french != english for english, french in words.values())
    assert set(default_rubric.LEVELS_FR) == {name for name, _minimum in default_rubric.LEVELS}
    anchors = default_anchors()
    assert set(anchors) == {"D7", "F6", "H3"}
    assert all(english.keys() == french.keys() for english, french in anchors.values())


def assert_the_default_in_both_languages(rubric):
    words, anchors = default_words(), default_anchors()
    assert {lv.name_en: lv.name_fr for lv in rubric.levels.all()} == default_rubric.LEVELS_FR
    parts = [*rubric.categories.all(), *rubric.criteria.all()]
    assert len(parts) == len(words)
    for part in parts:
        english, french = (part.name_en, part.name_fr) if isinstance(part, Category) else (part.title_en, part.title_fr)
        assert (english, french) == words[part.code], part.code
    for criterion in rubric.criteria.filter(kind="judged"):
        assert (criterion.params["anchors"], criterion.params["anchors_fr"]) == anchors[criterion.code]


def test_a_new_cycle_gets_the_default_rubric_in_english_and_french(db):
    rubric = rubric_for(make_cycle(name="2026–2028"))
    assert_the_default_in_both_languages(rubric)
    with translation.override("fr"):
        assert Criterion.objects.get(rubric=rubric, code="B3").title == "Suivi de l'état des demandes en ligne"
        assert Category.objects.get(rubric=rubric, code="A").name == "Accès multicanal"
        assert [lv.name for lv in rubric.levels.all()] == ["Désignée", "Désignée avec distinction", "Exemplaire"]
    with translation.override("en"):
        assert Criterion.objects.get(rubric=rubric, code="B3").title == "Online status tracking"
        assert [lv.name for lv in rubric.levels.all()] == ["Designated", "Designated with Distinction", "Exemplary"]


def test_a_rubric_installed_by_a_french_reader_keeps_its_english(db):
    with translation.override("fr"):
        rubric = rubric_for(make_cycle(name="2026–2028"))
    assert_the_default_in_both_languages(rubric)


def test_copying_the_previous_cycles_rubric_copies_both_languages(db):
    earlier = rubric_for(make_cycle(name="2024–2026"))
    Cycle.objects.filter(pk=earlier.cycle_id).update(opens_at=earlier.cycle.opens_at.replace(year=2020))
    Criterion.objects.filter(rubric=earlier, code="A3").update(title_en="Languages", title_fr="Langues")
    later = rubric_for(make_cycle(name="2026–2028"))
    with translation.override("fr"):
        copy_previous_rubric(later)
    a3 = Criterion.objects.get(rubric=later, code="A3")
    assert (a3.title_en, a3.title_fr) == ("Languages", "Langues")
    assert Level.objects.filter(rubric=later, name_en="Exemplary", name_fr="Exemplaire").exists()
    assert Criterion.objects.get(rubric=later, code="H3").params["anchors_fr"] == default_anchors()["H3"][1]


# --- The migration ----------------------------------------------------------------------------------------------


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes() if target is None else [target])


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_french_to_the_default_words_of_rubrics_installed_before():
    rubric = rubric_for(make_cycle(name="2024–2026"))
    migrate(BEFORE)
    try:
        # Back: the French the migration gives is taken away again.
        assert set(rubric.levels.values_list("name_fr", flat=True)) == {None}
        assert not any("anchors_fr" in c.params for c in rubric.criteria.filter(kind="judged"))
        # As a rubric installed before the default had French, three parts since changed by its organizers.
        Level.objects.filter(rubric=rubric).update(name_fr=None, bump=False)
        Category.objects.filter(rubric=rubric).update(name_fr="", bump=False)
        Criterion.objects.filter(rubric=rubric).update(title_fr=None, bump=False)
        Criterion.objects.filter(rubric=rubric, code="A3").update(title_en="Languages spoken", bump=False)
        Criterion.objects.filter(rubric=rubric, code="A4").update(title_fr="ATS", bump=False)
        h3 = Criterion.objects.get(rubric=rubric, code="H3")
        reworded = {**h3.params, "anchors": {"0": "Nothing.", "3": "A plan."}}
        Criterion.objects.filter(pk=h3.pk).update(params=reworded, bump=False)
        version = Rubric.objects.get(pk=rubric.pk).version
        migrate(AFTER)
    finally:
        migrate(None)
    assert {lv.name_en: lv.name_fr for lv in rubric.levels.all()} == default_rubric.LEVELS_FR
    words = default_words()
    assert all(c.name_fr == words[c.code][1] for c in rubric.categories.all())
    titles = {c.code: c.title_fr for c in rubric.criteria.all()}
    assert titles.pop("A3") is None  # reworded in English: its French is the organizers' to write
    assert titles.pop("A4") == "ATS"  # French already written is kept
    assert titles == {code: words[code][1] for code in titles}
    anchors = {c.code: c.params.get("anchors_fr") for c in rubric.criteria.filter(kind="judged")}
    assert anchors == {"D7": default_anchors()["D7"][1], "F6": default_anchors()["F6"][1], "H3": None}
    assert Rubric.objects.get(pk=rubric.pk).version == version  # words only: the rules did not change
