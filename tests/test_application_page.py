"""The application page without binding forms: its answers, standing and zone select, and its queries.

The answers (assessment/answers.py) and the standing's rows (assessment/templatetags/standing_rows.py, points.py)
are written in Python; each is compared here with what the templates and bound forms wrote before.
"""

import math
from decimal import Decimal

import pytest
from django.template import engines
from django.template.defaultfilters import floatformat
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment import answers, domain
from assessment.forms import STEPS
from assessment.templatetags.points import number, plain_locale, points
from assessment.templatetags.standing_rows import category_rows, criteria_rows
from pages.extension import offered_zones
from scoring.domain import estimate_for
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_user
from tests.factories.answers import wizard_state
from tests.wizard_inputs import field_names, hostile_text

STEP_NAMES = [name for name, _ in STEPS]

# What assessment/answer.html wrote for a bound field, before the pages wrote answers in Python.
ANSWER = (
    "{% with value=field.value kind=field.widget_type %}"
    '{% if kind == "radioselect" or kind == "select" or kind == "checkboxselectmultiple" %}'
    '{% for choice_value, label in field.field.choices %}{% if kind == "checkboxselectmultiple" %}'
    '{% if choice_value in value %}<span class="usa-tag margin-right-1">{{ label }}</span>{% endif %}'
    "{% elif choice_value == value %}{{ label }}{% endif %}{% endfor %}{% if not value %}"
    '<span class="text-base">Not answered</span>{% endif %}{% elif kind == "checkbox" %}{% if value %}'
    'Yes{% else %}<span class="text-base">Not confirmed</span>{% endif %}{% elif value %}'
    '{{ value|linebreaksbr }}{% else %}<span class="text-base">Not answered</span>{% endif %}'
    "{% endwith %}\n"  # the file's last line break, which the include wrote too
)

# What the page's template wrote from each step's bound form (or formset), one section after another.
BOUND = engines["django"].from_string(
    "{% for section in sections %}{% if section.is_formset %}{% for row in section.form %}{% if row.kind.value %}\n"
    '    <tr>{% for field in row %}<td>{% if field.name == "kind" %}{% for value, label in field.field.choices %}'
    '{% if value == field.value %}{{ label }}{% endif %}{% endfor %}{% else %}{{ field.value|default:"—" }}'
    "{% endif %}</td>{% endfor %}</tr>\n"
    '    {% endif %}{% empty %}<tr><td colspan="5">No metrics listed.</td></tr>{% endfor %}'
    "{% else %}{% for field in section.form %}\n"
    '    <dt class="text-bold margin-top-1">{{ field.label }}</dt>\n'
    '    <dd class="margin-left-0">' + ANSWER + "</dd>\n"
    "  {% endfor %}{% endif %}|{% endfor %}"
)


def as_bound_forms_showed(state):
    sections = []
    for step in STEP_NAMES:
        form = domain.bind_step(step, state.get("step_data", {}).get(step))
        form.is_valid()
        sections.append({"form": form, "is_formset": hasattr(form, "forms")})
    return BOUND.render({"sections": sections})


def as_shown_now(state):
    return "".join(f"{section.html}|" for section in answers.sections(type("A", (), {"wizard_state": state})()))


def test_complete_empty_and_odd_answers_are_shown_as_before():
    complete = wizard_state()
    odd = wizard_state()
    odd["step_data"]["profile"]["profile-contact_name"] = "not a list"  # a value not in a list: read as Django reads it
    odd["step_data"]["profile"]["profile-contact_number_type"] = ["retired-choice"]
    odd["step_data"]["channels"]["channels-channels"] = ["web_form", "<b>", "web_form"]
    odd["step_data"]["review"]["review-attest"] = ["false"]
    odd["step_data"]["performance"]["performance-improvement_narrative"] = ["Line <one>\r\nline & two"]
    odd["step_data"]["metrics"]["metrics-TOTAL_FORMS"] = ["99"]  # more rows said than sent
    odd["step_data"]["metrics"]["metrics-1-kind"] = [""]
    for state in (complete, odd, domain.empty_state(), {"step_data": {step: {} for step in STEP_NAMES}}):
        assert as_shown_now(state) == as_bound_forms_showed(state)
    for total in ("-3", "abc", "0", ""):
        state = wizard_state()
        state["step_data"]["metrics"]["metrics-TOTAL_FORMS"] = [total]
        assert as_shown_now(state) == as_bound_forms_showed(state)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_stored_answers_are_shown_as_before(data):
    state = wizard_state()
    for step in data.draw(st.lists(st.sampled_from(STEP_NAMES), unique=True), label="changed steps"):
        names = field_names(step)
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)), label=step)
        state["step_data"][step] = {name: data.draw(st.lists(hostile_text, max_size=3), label=name) for name in chosen}
    assert as_shown_now(state) == as_bound_forms_showed(state)


NUMBERS = [0, 1, -1, 15, 10**20, 0.0, -0.0, 0.5, -2.5, 13.0, 2.25, 2.35, 1 / 3, 1e16, 2.0**53, 1e-7, 12345.5]
ODD = [math.nan, math.inf, -math.inf, Decimal("2.50"), Decimal("3"), None, "", "abc", "3.5", True]


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.integers(), st.floats(), st.floats(-1e6, 1e6).map(lambda x: round(x * 2) / 2)))
def test_points_are_floatformat(value):
    assert points(value) == floatformat(value, "-1")


def test_points_and_numbers_as_the_template_filters_write_them():
    template = engines["django"].from_string("{{ v }}")
    for value in NUMBERS + ODD:
        assert points(value) == floatformat(value, "-1"), value
        assert number(value, plain_locale()) == template.render({"v": value}), value


CRITERIA_LOOP = engines["django"].from_string(
    "{% load points %}{% for c in result.criteria %}\n  <tr>\n"
    '    <th scope="row">{{ c.code }} {{ c.title }}</th>\n'
    '    <td>{% if c.points is None %}—{% else %}{{ c.points|floatformat:"-1" }}{% endif %}'
    ' / {{ c.max|floatformat:"-1" }}</td>\n'
    "    <td>{{ c.reason }}</td>\n  </tr>\n  {% endfor %}"
)
CATEGORY_LOOP = engines["django"].from_string(
    "{% for c in standing.categories %}\n    <tr>\n"
    '      <th scope="row">{{ c.code }} {{ c.name }}</th>\n'
    '      <td>{{ c.points|floatformat:"-1" }} of {{ c.max|floatformat:"-1" }}{% if c.pending %}'
    ' <span class="usa-hint">(+ up to {{ c.pending|floatformat:"-1" }} from reviewers)</span>{% endif %}</td>\n'
    '      <td>{{ c.needed|floatformat:"-1" }}{% if not c.share_met %}'
    ' <span class="text-secondary-dark">— not yet</span>{% endif %}</td>\n'
    '      <td><meter min="0" max="{{ c.max }}" low="{{ c.needed }}" optimum="{{ c.max }}" value="{{ c.points }}"'
    ' aria-label="{{ c.name }}: {{ c.points }} of {{ c.max }}">{{ c.points }} of {{ c.max }}</meter></td>\n'
    "    </tr>\n    {% endfor %}"
)


@pytest.mark.django_db
def test_the_standings_rows_are_what_the_loops_wrote(setup):
    _applicant, application, _media = setup
    application.wizard_state = wizard_state()
    application.answers = domain.answers_from_state(application.wizard_state)
    odd = {
        "criteria": [
            {"code": "<X>", "title": "A & B", "points": None, "max": 2.5, "reason": "“quoted” <i>"},
            {"code": "Y", "title": "", "points": 1 / 3, "max": Decimal("4.25"), "reason": None},
            {"code": "Z"},
        ],
        "categories": [
            {"code": "Q", "name": "<Q>", "points": 2.5, "max": 10, "pending": 1.5, "needed": 4.0, "share_met": False},
            {"code": "R", "name": "R", "points": 1e-7, "max": 2.0**60, "pending": 0, "needed": 1 / 3},
        ],
    }
    for standing in (estimate_for(application), estimate_for(type(application)(cycle=application.cycle)), odd):
        assert criteria_rows(standing) == CRITERIA_LOOP.render({"result": standing})
        assert category_rows(standing) == CATEGORY_LOOP.render({"standing": standing})


def test_the_extension_offers_north_americas_zones_and_the_applications_own():
    zones = offered_zones("Pacific/Auckland", "America/Chicago")
    names = [name for _group, choices in zones for name, _label in choices]
    assert names[0] == "Pacific/Auckland" and len(names) == len(set(names)) < 70  # about 600 before
    assert {"America/Chicago", "America/Whitehorse", "America/Indiana/Knox", "Pacific/Guam"} <= set(names)
    assert "Africa/Abidjan" not in names
    assert [group for group, _ in offered_zones("America/Denver")] == [
        "North America",
        "Other U.S. and Canadian time zones",
    ]


@pytest.mark.django_db
def test_the_queries_of_the_application_page(django_assert_num_queries):
    home = make_jurisdiction(name="Harbor City", time_zone="Pacific/Auckland")
    applicant = make_user(jurisdiction=home)
    application = domain.start_application(home, make_cycle(), applicant)
    url = reverse("application_detail", args=[application.pk])
    applicants, organizers = as_user(applicant), as_user(make_organizer())
    # 9: the session, the user; the application with its jurisdiction and cycle; who saved it last; its
    # history (with who did what); the cycle's rubric and the documents' kinds (the standing); the panel's
    # questions; the documents. A draft has no decision to look up (review.states).
    with django_assert_num_queries(9):
        page = applicants.get(url).content.decode()
    assert "Where you stand" in page and "Grant an extension" not in page
    # 9 for an organizer: the same (an organizer sees every history line; nothing to look up for that).
    with django_assert_num_queries(9):
        page = organizers.get(url).content.decode()
    assert '<option value="Pacific/Auckland" selected>' in page and "Africa/Abidjan" not in page
