"""A level is stored by its English name, whoever decides and in whatever language, and read in the reader's.

The engine's levels are the English names (the key scores and decisions store, counted and compared across
languages); pages, forms and reports say them in the reader's language (scoring/levels.py): the French name
the rubric gives the level, else the English.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from review.forms import DecisionForm
from scoring import levels
from scoring.domain import rubric_for
from tests.factories import make_application, make_cycle, make_jurisdiction
from tests.factories.decisions import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return make_cycle(name="2026–2028")


def test_the_engine_names_levels_in_english_in_every_language(cycle):
    with translation.override("fr"):
        names = [name for name, _minimum in rubric_for(cycle).to_engine().levels]
    assert names == ["Designated", "Designated with Distinction", "Exemplary"]


def test_a_french_reader_reads_the_rubrics_french_names(cycle):
    with translation.override("fr"):
        assert levels.label("Exemplary") == "Exemplaire"
        assert levels.label("Designated") == "Désignée"
        assert levels.label("A level nobody translated") == "A level nobody translated"
    assert levels.label("Exemplary") == "Exemplary"


def test_a_level_renamed_in_french_is_read_at_once(cycle):
    level = rubric_for(cycle).levels.get(name_en="Exemplary")
    level.name_fr = "Exemplaire entre toutes"
    level.save()
    with translation.override("fr"):
        assert levels.label("Exemplary") == "Exemplaire entre toutes"


def test_the_decision_form_offers_french_words_and_keeps_english_values(cycle):
    engine_levels = rubric_for(cycle).to_engine().levels
    with translation.override("fr"):
        form = DecisionForm(levels=engine_levels)
        choices = list(form.fields["level"].choices)
    assert ("Exemplary", "Exemplaire") in choices
    assert ("Designated with Distinction", "Désignée avec distinction") in choices


def test_pages_say_a_stored_level_in_the_readers_language(client, cycle):
    application = make_application(jurisdiction=make_jurisdiction(name="Gatineau"), cycle=cycle, status="submitted")
    decide(application, level="Designated with Distinction")
    french = client.get(reverse("public_designees"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Désignée avec distinction" in french
    english = client.get(reverse("public_designees")).content.decode()
    assert "Designated with Distinction" in english and "Désignée avec distinction" not in english
