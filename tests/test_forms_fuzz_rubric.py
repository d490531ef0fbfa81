"""Form fuzzing (tests/fuzz_forms.py) of the organizer's rubric pages: the settings with the levels, a category,
a criterion with its rule's settings, bands and anchors. Refused, the form comes back (200) and nothing
changed; saved, the rubric still scores a draft and the pages that show it still open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from hypothesis import event, given, settings
from hypothesis import strategies as st

from assessment import domain as applying
from scoring.domain import rescore_cycle
from scoring.models import Rubric
from scoring.rules import RULE_KINDS
from tests.factories import make_cycle
from tests.factories.answers import COMPLETE, wizard_state
from tests.fuzz_forms import (
    fuzz,
    post,
    rolled_back,
    spoil,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)
from tests.keep_typed_rubric import shown_form

NUMBERS = st.one_of(st.decimals(-1, 1000, places=2).map(str), st.sampled_from(["1e3", "NaN", "-0", "9" * 400, ""]))
KINDS = st.sampled_from([kind for kind, _label in RULE_KINDS])


@pytest.fixture
def next_cycle(world):
    """A cycle nobody has submitted to yet (its rubric is not frozen), with a draft to score."""
    cycle = make_cycle(name="Next cycle", closes_in=timedelta(days=400))
    draft = applying.start_application(world.draft.jurisdiction, cycle, world.drafter, prefill=False)
    applying.save_draft(draft, wizard_state(COMPLETE), world.drafter, draft.version)
    return world, cycle, draft


def still_scores(world, cycle, draft):
    """What was saved still scores applications, and the pages showing the rubric and the draft open."""
    rescore_cycle(cycle)
    assert world.client["organizer"].get(reverse("rubric_edit", args=[cycle.pk])).status_code == 200
    assert world.client["drafter"].get(reverse("application_detail", args=[draft.pk])).status_code == 200


def outcome(response, cycle, before):
    assert response.status_code in (200, 302), response.status_code
    event(f"status {response.status_code}")
    if response.status_code == 200:
        assert "Nothing was saved" in response.content.decode()
        assert Rubric.objects.get(cycle=cycle).version == before
    return response.status_code == 302


@settings(fuzz, max_examples=10)
@given(data=st.data())
def test_rubric_settings_and_levels(next_cycle, data):
    world, cycle, draft = next_cycle
    client, url = world.client["organizer"], reverse("rubric_settings", args=[cycle.pk])
    body = shown_form(client, url)
    names = ["threshold", "min_category_share", "levels-0-name", "levels-0-minimum", "levels-3-minimum"]
    names += ["levels-TOTAL_FORMS"]
    edges = {name: NUMBERS for name in names if not name.endswith("name")}
    body = spoil(data, body, names, edges=edges, most=3)
    with rolled_back():
        if outcome(post(client, url, body), cycle, 1):
            still_scores(world, cycle, draft)


@settings(fuzz, max_examples=10)
@given(data=st.data(), new=st.booleans())
def test_a_category(next_cycle, data, new):
    world, cycle, draft = next_cycle
    client = world.client["organizer"]
    rubric = Rubric.objects.get(cycle=cycle)
    if new:
        url, body = reverse("rubric_category_add", args=[cycle.pk]), {"code": "I", "name": "New", "points": "5"}
    else:
        url = reverse("rubric_category_edit", args=[rubric.categories.get(code="B").pk])
        body = shown_form(client, url)
    body = spoil(data, body, ["code", "name", "points"], edges={"points": NUMBERS}, most=2)
    with rolled_back():
        if outcome(post(client, url, body), cycle, 1):
            still_scores(world, cycle, draft)


ROW_FIELDS = ["bands-0-threshold", "bands-0-points", "bands-TOTAL_FORMS", "anchors-0-points", "anchors-1-description"]


@settings(fuzz, max_examples=20)
@given(data=st.data(), code=st.sampled_from(["A1", "A2", "B1", "B4", "D6", "D7", "H1", "P3", "G2"]))
def test_a_criterion_and_its_rule_s_settings(next_cycle, data, code):
    world, cycle, draft = next_cycle
    client = world.client["organizer"]
    url = reverse("rubric_criterion_edit", args=[Rubric.objects.get(cycle=cycle).criteria.get(code=code).pk])
    body = shown_form(client, url)
    if data.draw(st.booleans(), label="same rule"):
        body["kind"] = body["shown_kind"] = data.draw(KINDS, label="kind")  # its settings as the page shows them
    names = ["code", "points", "category", "field", "direction", "per_choice", "min", "values", "require", "only"]
    names += ["within_years", "document", "unit", "evidence", *ROW_FIELDS]
    edges = {name: NUMBERS for name in ("points", "per_choice", "min", "bands-0-threshold", "bands-0-points")}
    edges["field"] = st.sampled_from(["metrics", "channels.channels", "performance.asa_seconds", "x.y", ""])
    body = spoil(data, body, names, edges=edges, most=3)
    with rolled_back():
        if outcome(post(client, url, body), cycle, 1):
            still_scores(world, cycle, draft)
