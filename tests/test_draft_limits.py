"""A draft stores only what its steps' forms declare, within their limits, and has a size cap of its own.

Ten POSTs of 1,500 unknown fields once grew one draft from 3.7 KB to 19.7 MB. What a person types or
chooses is still kept whole: a complete application, every text at its limit in the characters that take
the most room, round-trips unchanged and fits the cap with room to spare.
"""

import json

import pytest
from django import forms
from django.urls import reverse

from assessment import domain
from assessment.forms import STEPS
from assessment.models import Application
from tests.factories import make_cycle, make_jurisdiction, make_user
from tests.factories.answers import COMPLETE, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return make_user(jurisdiction=make_jurisdiction(name="Harbor City"))


@pytest.fixture
def application(applicant):
    return domain.start_application(applicant.jurisdiction, make_cycle(), applicant)


@pytest.fixture
def client_in(client, applicant):
    client.force_login(applicant)
    return client


def step_url(application, step):
    return reverse("application_step", kwargs={"pk": application.pk, "step": step})


def fresh(application):
    return Application.objects.get(pk=application.pk)


def save(client, application, step, values=None, extra=None, action="save"):
    body = post_data(step, values, version=fresh(application).version, action=action)
    body.update(extra or {})
    return client.post(step_url(application, step), body)


def stored(step, values=None):
    """What the draft holds for a step posted with ``values``: the posted fields, as lists."""
    body = post_data(step, values)
    return {k: v if isinstance(v, list) else [v] for k, v in body.items() if k not in ("version", "action")}


def step_data(application, step):
    return fresh(application).wizard_state["step_data"][step]


def test_unknown_fields_are_dropped(client_in, application):
    extra = {
        "profile-is_staff": "1",  # looks like a field of the step, is not one
        "evil": "x" * 100,
        "channels-channels": "ivr",  # another step's field
        f"application-{application.pk}-current_step": "review",  # the wizard's own
        "csrfmiddlewaretoken": "token",
        "wizard_goto_step": "nowhere",
    }
    response = save(client_in, application, "profile", extra=extra)
    assert response.status_code == 302
    assert step_data(application, "profile") == stored("profile")
    assert set(fresh(application).wizard_state["step_data"]) == {"profile"}


def test_over_long_values_are_cut_to_what_the_field_takes(client_in, application):
    values = dict(
        COMPLETE["profile"],
        main_number="5" * 500,  # max_length 40
        contact_name="Pat " * 300,  # max_length 200
        yearly_contacts="9" * 50_000,  # a number: no max_length, the default cap
        contact_email="pat@" + "x" * 1000 + ".gov",  # EmailField: 320
        contact_number_type="both" * 100,  # a choice: as long as the longest choice at most
    )
    save(client_in, application, "profile", values)
    profile = step_data(application, "profile")
    assert profile["profile-main_number"] == ["5" * 40]
    assert profile["profile-contact_name"] == [("Pat " * 300)[:200]]
    assert profile["profile-yearly_contacts"] == ["9" * domain.ANSWER_MAX_CHARS]
    assert profile["profile-contact_email"] == [("pat@" + "x" * 1000)[:320]]
    assert profile["profile-contact_number_type"] == ["bothbo"]  # "7digit", the longest choice, has 6
    # The page shows what was kept.
    page = client_in.get(step_url(application, "profile")).content.decode()
    assert f'value="{"5" * 40}"' in page and "5" * 41 not in page

    save(client_in, application, "performance", dict(COMPLETE["performance"], improvement_narrative="w" * 20_000))
    assert step_data(application, "performance")["performance-improvement_narrative"] == ["w" * 5000]


def test_multiple_choices_are_capped_to_the_choices_and_a_single_answer_to_the_one_the_form_reads(
    client_in, application
):
    values = dict(COMPLETE["channels"], channels=[f"channel{i}" for i in range(25)], tty_access=["yes", "no"])
    save(client_in, application, "channels", values)
    channels = step_data(application, "channels")
    assert channels["channels-channels"] == [f"channel{i}" for i in range(10)]  # ten choices
    assert channels["channels-tty_access"] == ["no"]  # a form reads the last of two


def test_the_metrics_step_keeps_its_management_fields_and_at_most_forty_rows(client_in, application):
    rows = [{"kind": "asa", "name": f"Metric {i}", "target": "30 s"} for i in range(60)]
    body = post_data("metrics", rows, version=fresh(application).version, action="save")
    body["metrics-MAX_NUM_FORMS"] = "1000"
    client_in.post(step_url(application, "metrics"), body)
    metrics = step_data(application, "metrics")
    assert metrics["metrics-TOTAL_FORMS"] == ["40"]
    assert metrics["metrics-INITIAL_FORMS"] == ["0"] and metrics["metrics-MIN_NUM_FORMS"] == ["0"]
    assert metrics["metrics-MAX_NUM_FORMS"] == ["1000"]  # sent back as typed; the formset ignores it
    assert metrics["metrics-39-name"] == ["Metric 39"] and "metrics-40-name" not in metrics
    assert len([key for key in metrics if key.endswith("-name")]) == 40
    page = client_in.get(step_url(application, "metrics")).content.decode()
    assert 'value="Metric 39"' in page and 'name="metrics-TOTAL_FORMS" value="40"' in page


def test_ten_posts_of_1500_unknown_fields_leave_the_draft_as_small_as_one_honest_post(client_in, application):
    save(client_in, application, "profile")
    honest = fresh(application).wizard_state
    junk = {f"field{i}": "j" * 500 for i in range(1500)}
    for _ in range(10):
        assert save(client_in, application, "profile", extra=junk).status_code == 302
    after = fresh(application)
    # The same answers; only the step's save stamp (its version and time) moved on.
    assert {**after.wizard_state, "saved": None} == {**honest, "saved": None}
    assert after.wizard_state["saved"].keys() == honest["saved"].keys() == {"profile"}
    assert len(json.dumps(after.wizard_state)) < 2000


def test_a_draft_that_grew_before_these_limits_shrinks_at_its_next_save(client_in, application):
    grown = dict(stored("profile"), **{f"profile-junk{i}": ["j" * 1000] for i in range(1500)})
    Application.objects.filter(pk=application.pk).update(
        wizard_state={"step": "profile", "step_data": {"profile": grown}, "step_files": {}, "extra_data": {}}
    )
    assert save(client_in, application, "technology").status_code == 302  # not refused for its old 1.5 MB
    state = fresh(application).wizard_state
    assert state["step_data"] == {"profile": stored("profile"), "technology": stored("technology")}
    assert fresh(application).answers["profile"]["main_number"] == COMPLETE["profile"]["main_number"]


def test_a_draft_over_its_size_cap_is_refused_with_a_message_and_keeps_what_was_saved(client_in, application, settings):
    settings.DRAFT_MAX_BYTES = 30_000
    save(client_in, application, "profile")
    before = fresh(application)
    huge = dict(COMPLETE["performance"], service_level_seconds="1" * 10_000, asa_seconds="2" * 10_000)
    huge.update(improvement_narrative="n" * 5000, abandonment_pct="3" * 10_000)
    response = save(client_in, application, "performance", huge, action="next")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "This page was not saved: with it the application would hold more than 29.3\xa0KB of text. "
        "Shorten your answers and save again; what was saved before is kept."
    ) in page
    after = fresh(application)
    assert after.version == before.version
    assert after.wizard_state == before.wizard_state
    # Shortened, it saves.
    assert save(client_in, application, "performance").status_code == 302
    assert step_data(application, "performance") == stored("performance")


# Nothing typed is lost ------------------------------------------------------------------------------------

WIDE = "🙂"  # the character that takes the most room in the stored JSON (a surrogate pair: 12 bytes)


def at_the_limit(field):
    """What a person can type into a text field at most: its max_length of wide characters, with line breaks."""
    if isinstance(field.widget, forms.Textarea):
        # A browser counts a line break as one character against maxlength and sends it as CRLF.
        line = WIDE * 99
        return "\r\n".join([line] * (field.max_length // 100))
    return WIDE * field.max_length


def fullest_application():
    """Every step answered, every free text field filled to its limit."""
    values = {}
    for step, form_class in STEPS:
        if step == "metrics":
            row_fields = form_class.form.base_fields
            row = {name: at_the_limit(field) for name, field in row_fields.items() if name != "kind"}
            values[step] = [dict(row, kind=kind) for kind, _label in row_fields["kind"].choices[1:]] * 4
            continue
        answers = dict(COMPLETE[step])
        for name, field in form_class.base_fields.items():
            if type(field) is forms.CharField:
                answers[name] = at_the_limit(field)
        values[step] = answers
    return values


def test_the_fullest_application_round_trips_unchanged_and_fits_the_cap(client_in, application, settings):
    values = fullest_application()
    assert len(values["metrics"]) == 40
    for step, _form in STEPS:
        response = save(client_in, application, step, values[step])
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    state = fresh(application).wizard_state
    assert state["step_data"] == {step: stored(step, values[step]) for step, _form in STEPS}
    assert len(json.dumps(state)) < settings.DRAFT_MAX_BYTES * 0.75
    page = client_in.get(step_url(application, "performance")).content.decode()
    assert values["performance"]["improvement_narrative"] in page


def test_a_complete_application_round_trips_unchanged(client_in, application):
    for step, _form in STEPS[:-1]:
        assert save(client_in, application, step, action="next").status_code == 302
    assert save(client_in, application, "review", action="save").status_code == 302
    draft = fresh(application)
    assert draft.wizard_state["step_data"] == {step: stored(step) for step, _form in STEPS}
    assert draft.answers["profile"]["yearly_contacts"] == 850000
    assert draft.answers["channels"]["channels"] == COMPLETE["channels"]["channels"]
    assert len(draft.answers["metrics"]) == len(COMPLETE["metrics"])
