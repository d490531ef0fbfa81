"""A step's answers and problems, kept per content (assessment/step_checks.py), are what binding its form gives."""

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import domain, step_checks
from assessment.forms import STEPS
from assessment.models import Application
from tests.factories.answers import COMPLETE, wizard_state
from tests.wizard_inputs import field_names, hostile_text

STEP_NAMES = [name for name, _ in STEPS]


def recomputed(state):
    """answers_from_state and problems_in as they were: every present step bound and validated anew."""
    step_data = state.get("step_data", {})
    answers = {step: step_checks.check_step(step, step_data[step])[0] for step in STEP_NAMES if step in step_data}
    problems = [p for step in STEP_NAMES for p in step_checks.check_step(step, step_data.get(step))[1]]
    return answers, problems


@pytest.fixture(autouse=True)
def nothing_kept():
    step_checks.forget()
    yield
    step_checks.forget()


def raw_step(step, data):
    """A step's stored data as a browser could have posted it (lists of values), hostile text included."""
    names = field_names(step)
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)), label=f"{step} fields")
    return {name: data.draw(st.lists(hostile_text, min_size=1, max_size=3), label=name) for name in chosen}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_kept_results_equal_a_full_recompute(data):
    state = wizard_state()
    for step in data.draw(st.lists(st.sampled_from(STEP_NAMES), unique=True), label="changed steps"):
        state["step_data"][step] = raw_step(step, data)
    for step in data.draw(st.lists(st.sampled_from(STEP_NAMES), unique=True), label="missing steps"):
        state["step_data"].pop(step, None)
    expected = recomputed(state)
    assert (domain.answers_from_state(state), domain.problems_in(state)) == expected  # checked now
    assert (domain.answers_from_state(state), domain.problems_in(state)) == expected  # read back


def test_complete_and_empty_drafts_are_unchanged():
    for state in (wizard_state(), domain.empty_state(), {"step_data": {step: {} for step in STEP_NAMES}}):
        for _ in range(2):
            assert (domain.answers_from_state(state), domain.problems_in(state)) == recomputed(state)
    assert domain.problems_in(wizard_state()) == []
    assert domain.answers_from_state(wizard_state())["performance"]["abandonment_pct"] == 4.2


def test_only_the_changed_step_is_checked_again(monkeypatch):
    checks = []
    check_step = step_checks.check_step
    monkeypatch.setattr(step_checks, "check_step", lambda step, raw: checks.append(step) or check_step(step, raw))
    state = wizard_state()
    domain.answers_from_state(state)
    assert sorted(checks) == sorted(STEP_NAMES)
    checks.clear()
    state["step_data"]["profile"]["profile-agents_fte"] = ["43"]
    answers = domain.answers_from_state(state)
    domain.problems_in(state)
    assert checks == ["profile"]
    assert answers["profile"]["agents_fte"] == 43


def test_a_caller_changing_what_it_got_changes_nothing_kept():
    state = wizard_state()
    answers = domain.answers_from_state(state)
    answers["channels"]["channels"].append("carrier_pigeon")
    answers["metrics"].clear()
    broken = {"step_data": {"profile": {"profile-agents_fte": ["many"]}}}
    domain.problems_in(broken)[0]["message"] = "changed"
    assert domain.answers_from_state(state) == recomputed(state)[0]
    assert domain.problems_in(broken) == recomputed(broken)[1]


def test_kept_results_stay_within_their_limit(monkeypatch):
    kept = step_checks._Kept(limit=100)
    monkeypatch.setattr(step_checks, "_kept", kept)
    for index in range(20):
        state = {"step_data": {"evidence": {"evidence-notes": [f"note {index}"]}}}
        assert domain.answers_from_state(state) == recomputed(state)[0]
        assert kept.size <= 100
    assert 0 < len(kept.items) < 20


def test_the_answers_a_save_stores_equal_a_full_recompute(client, db, setup):
    applicant, application, _media = setup
    client.force_login(applicant)
    edits = [("profile", {"agents_fte": "44"}), ("channels", {"tty_access": "no"}), ("profile", {"agents_fte": "x"})]
    for step, change in [(step, {}) for step in STEP_NAMES] + edits:
        version = Application.objects.get(pk=application.pk).version
        values = {**COMPLETE[step], **change} if step != "metrics" else COMPLETE[step]
        body = {f"{step}-{k}": v for k, v in values.items()} if step != "metrics" else metrics_body()
        url = reverse("application_step", kwargs={"pk": application.pk, "step": step})
        assert client.post(url, {**body, "version": version, "action": "save"}).status_code == 302
        saved = Application.objects.get(pk=application.pk)
        step_checks.forget()
        assert saved.answers == recomputed(saved.wizard_state)[0]
    assert "agents_fte" not in saved.answers["profile"]  # "x" is not a number: left out, as before
    assert saved.answers["channels"]["tty_access"] is False


def metrics_body():
    rows = COMPLETE["metrics"]
    body = {"metrics-TOTAL_FORMS": str(len(rows)), "metrics-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        body.update({f"metrics-{index}-{k}": v for k, v in row.items()})
    return body


@settings(max_examples=5, deadline=None)
@given(language=st.sampled_from(["en-us", "fr", "de"]))
def test_messages_follow_the_language(language):
    broken = {"step_data": {"profile": {"profile-agents_fte": ["many"]}}}
    with translation.override(language):
        assert domain.problems_in(broken) == recomputed(broken)[1]
