"""The criterion form (scoring/criterion_forms.py) through the organizer's pages: every setting round-trips."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessment.models import AuditEvent
from scoring.domain import rubric_for
from scoring.models import Category, Rubric
from tests.factories import as_user, make_cycle, make_organizer
from tests.keep_typed_rubric import shown_form


@pytest.fixture
def organizer(db):
    return as_user(make_organizer())


def test_every_criterion_of_the_default_rubric_saved_unchanged_keeps_its_settings(organizer):
    rubric = rubric_for(make_cycle(name="2026–2028"))
    before = {c.code: (c.title, c.kind, c.points, c.evidence, c.category_id, c.params) for c in rubric.criteria.all()}
    for criterion in rubric.criteria.all():
        url = reverse("rubric_criterion_edit", args=[criterion.pk])
        response = organizer.post(url, shown_form(organizer, url))
        assert response.status_code == 302, (criterion.code, response.content.decode()[:3000])
    after = {c.code: (c.title, c.kind, c.points, c.evidence, c.category_id, c.params) for c in rubric.criteria.all()}
    assert after == before


def told(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def rubric(db):
    return rubric_for(make_cycle(name="2026–2028"))


def edit_url(rubric, code):
    return reverse("rubric_criterion_edit", args=[rubric.criteria.get(code=code).pk])


def params(rubric, code):
    return rubric.criteria.get(code=code).params


def test_bands_are_rows_cleared_rows_removed_and_saved_in_the_order_given(organizer, rubric):
    url = edit_url(rubric, "D3")
    body = shown_form(organizer, url)
    assert body["bands-0-threshold"] == ["30"] and body["bands-1-points"] == ["1"] and body["direction"] == ["le"]
    body |= {"bands-0-threshold": "20", "bands-1-threshold": "", "bands-1-points": ""}
    body |= {"bands-2-threshold": "45", "bands-2-points": "1.5", "unit": "seconds", "direction": "le"}
    assert organizer.post(url, body).status_code == 302
    expected = {
        "field": "performance.asa_seconds",
        "direction": "le",
        "bands": [[20, 2], [45, 1.5]],
        "unit": " seconds",
    }
    assert params(rubric, "D3") == expected
    assert rubric.criteria.get(code="D3").params["bands"][1][1] == 1.5
    assert Rubric.objects.get(pk=rubric.pk).version == 2


def test_half_a_band_or_no_band_is_refused_with_what_was_typed(organizer, rubric):
    url = edit_url(rubric, "D3")
    body = shown_form(organizer, url) | {"bands-0-threshold": "25", "bands-1-points": "", "title": "Typed <ASA>"}
    response = organizer.post(url, body)
    html = response.content.decode()
    assert response.status_code == 200 and "Give both the threshold and the points, or clear the row." in html
    assert 'value="25"' in html and 'value="Typed &lt;ASA&gt;"' in html
    empty = {f"bands-{i}-{f}": "" for i in range(4) for f in ("threshold", "points")}
    assert "Give at least one band." in organizer.post(url, body | empty).content.decode()
    assert params(rubric, "D3")["bands"] == [[30, 2], [60, 1]]


def test_a_criterion_may_not_take_its_category_beyond_its_points(organizer, rubric):
    url = edit_url(rubric, "A1")
    response = organizer.post(url, shown_form(organizer, url) | {"points": "7"})
    assert response.status_code == 200
    assert (
        "Category A has 15 points: its criteria would add up to 16. Give this one at most 6, "
        "or raise the category&#x27;s points first." in response.content.decode()
    )
    assert rubric.criteria.get(code="A1").points == 6


def test_a_criterion_is_added_and_the_page_warns_while_its_category_is_short(organizer, rubric):
    category = Category.objects.create(rubric=rubric, code="I", name="Innovation", points=5)
    url = reverse("rubric_criterion_add", args=[rubric.cycle_id])
    assert "Settings of the rule: Yes / no (or answered)" in organizer.get(url).content.decode()
    body = {"shown_kind": "yes_no", "shown_field": "", "kind": "yes_no", "code": "I1", "title": "Open311"}
    body |= {"category": str(category.pk), "points": "3", "field": "technology.open311_endpoint"}
    response = organizer.post(url, body)
    assert response.status_code == 302
    assert "The criteria of category I add up to 3 of its 5 points" in " ".join(told(response))
    made = rubric.criteria.get(code="I1")
    assert (made.category, made.points, made.params) == (category, 3, {"field": "technology.open311_endpoint"})
    assert AuditEvent.objects.filter(cycle=rubric.cycle, action="rubric.changed").get().summary == (
        "Rubric of 2026–2028: criterion I1 added"
    )


def test_choosing_another_rule_brings_the_form_back_with_its_settings(organizer, rubric):
    url = edit_url(rubric, "A3")
    response = organizer.post(url, shown_form(organizer, url) | {"kind": "bands"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The rule is now “Numeric bands (≥ or ≤)”: fill in its settings below, then save." in html
    assert "Settings of the rule: Numeric bands (≥ or ≤)" in html and 'name="bands-0-threshold"' in html
    body = shown_form(organizer, url) | {"kind": "bands", "shown_kind": "bands", "direction": "ge"}
    body |= {"bands-TOTAL_FORMS": "2", "bands-INITIAL_FORMS": "0", "bands-0-threshold": "3", "bands-0-points": "2"}
    body |= {"bands-1-threshold": "", "bands-1-points": "", "unit": ""}
    assert organizer.post(url, body).status_code == 302
    assert params(rubric, "A3") == {
        "field": "channels.language_access",
        "direction": "ge",
        "bands": [[3, 2]],
        "unit": "",
    }


def test_choosing_another_question_asks_to_tick_among_its_answers(organizer, rubric):
    url = edit_url(rubric, "D6")
    body = shown_form(organizer, url)
    assert body["values"] == ["weekly", "monthly"]
    response = organizer.post(url, body | {"field": "participation.open_data_frequency"})
    html = response.content.decode()
    assert "You chose another question: tick among its answers below, then save." in html
    assert 'value="daily"' in html and 'value="weekly" checked' not in html
    again = shown_form(organizer, url) | {"field": "participation.open_data_frequency"}
    again |= {"shown_field": "participation.open_data_frequency", "values": ["daily"]}
    assert organizer.post(url, again).status_code == 302
    assert params(rubric, "D6") == {"field": "participation.open_data_frequency", "values": ["daily"]}


def test_anchors_are_rows_and_none_may_give_more_than_the_criterion(organizer, rubric):
    url = edit_url(rubric, "H3")
    body = shown_form(organizer, url)
    assert body["anchors-2-points"] == ["3"] and body["anchors-2-description"][0].startswith("Challenges named, each")
    refused = organizer.post(url, body | {"anchors-3-points": "4", "anchors-3-description": "More"})
    assert "An anchor cannot give more than the criterion&#x27;s 3 points." in refused.content.decode()
    assert organizer.post(url, body | {"anchors-1-points": "", "anchors-1-description": ""}).status_code == 302
    saved = params(rubric, "H3")
    assert set(saved.pop("anchors_fr")) == {"0", "3"}  # the French of the anchors kept, the cleared row's gone
    assert saved == {
        "field": "planning.challenges",
        "anchors": {
            "0": "No challenges or next steps named.",
            "3": "Challenges named, each with a funded or scheduled next step.",
        },
    }


ANCHOR = {
    "anchors-TOTAL_FORMS": "1",
    "anchors-INITIAL_FORMS": "0",
    "anchors-0-points": "0",
    "anchors-0-description": "No",
}


def test_the_model_s_own_rules_are_said_on_the_form(organizer, rubric):
    url = edit_url(rubric, "P2")
    response = organizer.post(url, shown_form(organizer, url) | {"points": "1"})
    assert "A prerequisite is pass or fail: leave its points at 0." in response.content.decode()
    judged = organizer.post(url, shown_form(organizer, url) | {"kind": "judged", "shown_kind": "judged"} | ANCHOR)
    assert "A prerequisite is checked by rule, not judged by reviewers." in judged.content.decode()
    assert Rubric.objects.get(pk=rubric.pk).version == 1


def test_an_evidence_rule_names_its_document(organizer, rubric):
    url = edit_url(rubric, "G2")
    body = shown_form(organizer, url) | {"kind": "evidence", "shown_kind": "evidence"}
    assert "Choose the kind of document that earns the points." in organizer.post(url, body).content.decode()
    assert organizer.post(url, body | {"document": "continuity_plan"}).status_code == 302
    assert params(rubric, "G2") == {"document": "continuity_plan"}


def test_deleting_a_criterion_asks_first(organizer, rubric):
    criterion = rubric.criteria.get(code="G6")
    url = reverse("rubric_criterion_delete", args=[criterion.pk])
    assert "G6 Agent turnover: Numeric bands (≥ or ≤), 1 points of category G." in organizer.get(url).content.decode()
    assert organizer.post(url, {}).url == url and rubric.criteria.filter(code="G6").exists()
    response = organizer.post(url, {"confirm": "delete"})
    assert not rubric.criteria.filter(code="G6").exists()
    assert "The criteria of category G add up to 7 of its 8 points" in " ".join(told(response))
    assert Rubric.objects.get(pk=rubric.pk).version == 2
