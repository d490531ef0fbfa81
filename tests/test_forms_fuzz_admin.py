"""Form fuzzing (tests/fuzz_forms.py), the admin and the query strings: rubrics, cycles, list, export and
public pages, inputs that once gave server errors, and the check that every form class has a test."""

import importlib
import pkgutil
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from assessment import domain as applying
from assessment.forms import STEPS, BaseMetricFormSet, MetricForm, StepForm, UswdsForm
from scoring.models import Rubric
from scoring.rules import RULE_KINDS
from tests.factories import (
    make_cycle,
)
from tests.factories.answers import COMPLETE, wizard_state
from tests.fuzz_forms import (
    COVERED,
    fuzz,
    hostile_text,
    hostile_value,
    missing_tests,
    post,
    rolled_back,
    spoil,
    told,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)

# --- The rubric in the admin -----------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would post from a page's form: inputs, checked boxes, chosen options, text areas."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, text):
        if self._textarea:
            self.fields[self._textarea] += text


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return {name: unescape(value) for name, value in parser.fields.items()}


PARAMS_EDGES = [
    "NaN",
    "[]",
    '"text"',
    "null",
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[NaN, 2]]}',
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[1e309, 2]]}',
    '{"field": "performance.asa_seconds", "direction": "le", "bands": [[60, -1e308]]}',
    '{"field": "channels.channels", "per_choice": -1e308}',
    '{"field": "metrics", "bands": [[99999999999999999999, 5]]}',
    '{"anchors": {"0": "None", "99999999999999999999": "All"}}',
    '{"anchors": {"0": "\\u0000"}}',
    '{"field": "channels.channels", "per_choice": "x"}',
    '{"field": "channels.channels", "require": 5, "only": [[1]], "min": "five"}',
    '{"field": "performance.publication_frequency", "values": [null, 1, {}]}',
]


@pytest.fixture
def next_cycle(world):
    """A cycle nobody has submitted to yet (its rubric is not frozen), with a draft to score."""
    cycle = make_cycle(name="Next cycle", closes_in=timedelta(days=400))
    draft = applying.start_application(world.draft.jurisdiction, cycle, world.drafter, prefill=False)
    applying.save_draft(draft, wizard_state(COMPLETE), world.drafter, draft.version)
    return world, cycle, draft


@settings(fuzz, max_examples=12)
@given(data=st.data())
def test_editing_a_rubric_in_the_admin(next_cycle, data, admin_client):
    world, cycle, draft = next_cycle
    url = reverse("admin:scoring_rubric_change", args=[Rubric.objects.get(cycle=cycle).pk])
    body = form_fields(admin_client.get(url).content.decode())
    codes = {
        body[name]: name.removesuffix("-code")
        for name in body
        if name.startswith("criteria-") and name.endswith("-code")
    }
    fuzzed = ["threshold", "min_category_share", "levels-0-name", "levels-0-minimum", "categories-0-points"]
    fuzzed += [f"{codes[code]}-{field}" for code in ("A1", "D3", "D7", "P1") for field in ("points", "params", "kind")]
    # Numbers and kinds that are often valid, so that changed rubrics get saved and scored too.
    numbers = st.decimals(-1, 1000, places=2).map(str)
    kinds = st.sampled_from([kind for kind, _label in RULE_KINDS])
    edges = {name: numbers for name in fuzzed if name.split("-")[-1] in ("threshold", "share", "minimum", "points")}
    edges |= {name: kinds for name in fuzzed if name.endswith("-kind")}
    edges |= {name: st.sampled_from(PARAMS_EDGES) for name in fuzzed if name.endswith("-params")}
    body = spoil(data, {**body, "_save": "Save"}, fuzzed, edges=edges, most=2)
    with rolled_back():
        response = post(admin_client, url, body)
        assert response.status_code in (200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 302:  # what was saved still scores applications and renders
            rubrics = reverse("admin:scoring_rubric_changelist")
            recompute = {"action": "recompute_scores", "_selected_action": [cycle.rubric.pk]}
            assert post(admin_client, rubrics, recompute).status_code == 302
            assert world.client["drafter"].get(reverse("application_detail", args=[draft.pk])).status_code == 200
        else:
            assert "errornote" in response.content.decode()
            assert Rubric.objects.get(cycle=cycle).version == 1


CYCLE_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2099-12-31", "2100-01-01", "1999-12-31", ""]
CYCLE_TIMES = ["23:59", "00:00", "02:30", "24:00", "12:00:00.999999", ""]
cycle_changes = st.dictionaries(
    st.sampled_from(["opens_at_0", "opens_at_1", "closes_at_0", "closes_at_1", "valid_from", "valid_until", "name"]),
    st.one_of(st.sampled_from(CYCLE_DATES), st.sampled_from(CYCLE_TIMES), hostile_value),
    max_size=3,
)


@settings(fuzz, max_examples=20)
@example(changes={"closes_at_0": "9999-12-31", "closes_at_1": "23:59"})  # year 10000 in UTC
@example(changes={"valid_from": "9999-12-31", "valid_until": ""})  # valid until two years later
@given(changes=cycle_changes)
def test_editing_a_cycle_in_the_admin(world, admin_client, changes):
    url = reverse("admin:assessment_cycle_change", args=[world.cycle.pk])
    body = {**form_fields(admin_client.get(url).content.decode()), **changes, "_save": "Save"}
    with rolled_back():
        response = post(admin_client, url, body)
        assert response.status_code in (200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 302:  # the saved cycle still shows on the pages that list it
            assert world.client["organizer"].get(reverse("home")).status_code == 200
            assert world.client["drafter"].get(reverse("application_detail", args=[world.draft.pk])).status_code == 200
        else:
            assert "errornote" in response.content.decode()


# --- Query strings ------------------------------------------------------------------------------------------

QUERY_EDGES = ["²", "٣", "0", "-1", "1.5", " 3 ", "9" * 18, "9" * 19, "9" * 5000, "\x00", "3\x00", "csv", "json"]
# (route, who asks, the route's argument naming the cycle)
PAGES = [
    ("public_designees", None, None),
    ("public_designees_csv", None, None),
    ("public_designees_json", None, None),
    ("login", None, None),
    ("home", "organizer", None),
    ("jurisdiction_list", "organizer", None),
    ("panel_cycle", "organizer", "pk"),
    ("cycle_exports", "organizer", "cycle_id"),
    ("export_designees_csv", "organizer", "cycle_id"),
    ("export_analysis_csv", "organizer", "cycle_id"),
    ("report_batches", "organizer", "cycle_id"),
    ("home", "reviewer", None),
    ("home", "drafter", None),
]


CYCLE = "<the cycle's number>"
query_keys = st.one_of(st.just("cycle"), st.sampled_from(["band", "format", "page", "next", "q", "sort"]), hostile_text)
query_values = st.one_of(st.just(CYCLE), st.sampled_from(QUERY_EDGES), hostile_value)


@settings(fuzz, max_examples=40)
@example(page=PAGES[0], query={"cycle": "²"})  # a digit to str.isdigit(), not to int()
@example(page=PAGES[2], query={"cycle": ["3", "9" * 5000]})
@given(page=st.sampled_from(PAGES), query=st.dictionaries(query_keys, query_values, max_size=4))
def test_query_strings_of_lists_exports_and_public_pages(world, page, query):
    name, role, cycle_argument = page
    url = reverse(name, kwargs={cycle_argument: world.cycle.pk} if cycle_argument else {})
    query = {key: str(world.cycle.pk) if value == CYCLE else value for key, value in query.items()}
    client = world.client[role] if role else Client()
    with rolled_back():
        response = client.get(url, query)
        assert response.status_code in (200, 400, 404), response.status_code
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 400:
            assert "cycle" in content.decode()  # says what is wrong with the query


# --- Inputs that once gave server errors, each tried every time ----------------------------------------------

LONG_EMAIL = "x" * 150 + "@example.gov"  # a valid address longer than a username may be


def target(route, world):
    args = {
        "panel_assign": [world.application.pk],
        "grant_extension": [world.draft.pk],
        "panel_cycle": [world.cycle.pk],
        "review_conflict": [world.review.pk],
        "panel_unassign": [world.review.assignment_id],
    }
    return reverse(route, args=args.get(route, []))


PANEL_SETTINGS = {"reviewers_per_application": "2", "max_per_reviewer": "8", "disagreement_margin": "10"}


ONCE_SERVER_ERRORS = [
    ("panel_assign", "organizer", {"reviewer": ":"}),
    ("panel_assign", "organizer", {"reviewer": "9" * 5000}),
    ("grant_extension", "organizer", {"until": "9999-12-31 23:59"}),  # year 10000 in UTC
    ("panel_cycle", "organizer", {**PANEL_SETTINGS, "divergence_margin": "2", "appeal_deadline": "9999-12-31T23:59"}),
    ("review_conflict", "reviewer", {"reason": "x" * 301}),  # longer than its column (PostgreSQL)
    ("review_conflict", "reviewer", {"reason": "a\x00b"}),  # NUL (PostgreSQL)
    ("panel_unassign", "organizer", {"reason": "x" * 301}),
    ("panel_unassign", "organizer", {"reason": "On leave\x00"}),
    ("invite", "organizer", {"email": LONG_EMAIL, "first_name": "Dana", "last_name": "Lee", "role": "reviewer"}),
    ("login", None, {"username": "x" * 256, "password": "wrong"}),  # django-axes records it (255, PostgreSQL)
    ("login", None, {"username": "ﷺ" * 20, "password": "wrong"}),  # 360 characters once normalised (NFKC)
    ("admin:login", None, {"username": "x" * 256, "password": "wrong"}),
]


def test_inputs_that_once_gave_server_errors(world):
    for route, role, body in ONCE_SERVER_ERRORS:
        with rolled_back():
            response = post(world.client[role] if role else Client(), target(route, world), body)
            assert response.status_code in (200, 302), (route, body)
            assert told(response) or response.context["form"].errors, (route, body)


UNSCORABLE_SETTINGS = [
    ("A1", "9" * 5000),  # over Python's 4,300 digits
    ("A1", "NaN"),  # not JSON; SQLite's JSON check and PostgreSQL's jsonb refuse it
    ("A1", "[1e309]"),  # infinity
    ("D7", '{"anchors": {"0": "\\u0000"}}'),  # jsonb refuses NUL
    ("D3", '{"field": "performance.asa_seconds", "direction": "le", "bands": [[60, -1e308]]}'),
    ("A1", '{"field": "channels.channels", "per_choice": "x"}'),
    ("A1", '{"field": "channels.channels", "per_choice": 1, "require": 5}'),
    ("B4", '{"field": "channels.self_service", "only": [["knowledge_base"]]}'),
    ("P4", '{"field": "metrics", "min": "five"}'),
]


def test_rubric_settings_that_cannot_be_scored_are_refused(next_cycle, admin_client):
    world, cycle, draft = next_cycle
    url = reverse("admin:scoring_rubric_change", args=[Rubric.objects.get(cycle=cycle).pk])
    form = form_fields(admin_client.get(url).content.decode())
    rows = {value: name.removesuffix("-code") for name, value in form.items() if name.endswith("-code")}
    for code, params in UNSCORABLE_SETTINGS:
        response = post(admin_client, url, {**form, f"{rows[code]}-params": params, "_save": "Save"})
        assert response.status_code == 200 and "errornote" in response.content.decode(), (code, params)
        assert Rubric.objects.get(cycle=cycle).version == 1
    assert world.client["drafter"].get(reverse("application_detail", args=[draft.pk])).status_code == 200


# --- Every form has a test ---------------------------------------------------------------------------------

APPS = ["assessment", "review", "reports", "scoring", "pages", "config"]


def form_classes():
    """Every Form and FormSet class defined in the apps' modules."""
    for app in APPS:
        for module in pkgutil.walk_packages(importlib.import_module(app).__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm, forms.BaseFormSet]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in APPS:
                found.add(subclass)
    return found


def test_every_form_class_is_covered():
    covered = {form for _step, form in STEPS} | {MetricForm, BaseMetricFormSet}  # tests/test_wizard_fuzz.py
    covered |= {UswdsForm, StepForm}  # base classes
    covered |= set(COVERED)
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in form_classes() - covered)
    assert missing == [], f"Fuzz these forms in tests/test_forms_fuzz_*.py and add them to COVERED: {missing}"
    assert missing_tests() == [], f"COVERED in tests/fuzz_forms.py names tests that do not exist: {missing_tests()}"
