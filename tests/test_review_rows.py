"""The review page's adjustments and the panel's scores, written in Python (review/templatetags/review_rows.py),
are byte for byte what the templates' loops wrote; the review page reads a fixed number of queries."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from review.aggregate import Combined
from review.forms import ReviewForm
from review.queries import application_panel, explained
from review.templatetags.review_rows import adjust_rows, hundredths, score_rows
from scoring.domain import rubric_for
from tests.factories import as_user
from tests.factories.reviews import submit_both

pytestmark = pytest.mark.django_db

# What review/review_edit.html wrote for the adjustments before {% adjust_rows %}.
ADJUST_LOOP = Template(
    """{% for criterion, rule_points, points, reason in form.adjust_rows %}
    <tr>
      <th scope="row">{{ criterion.code }} {{ criterion.title }}</th>
      <td>{{ rule_points|floatformat:"-2" }} / {{ criterion.points|floatformat:"-2" }}</td>
      {% with field=points %}<td><label class="usa-sr-only" for="{{ field.id_for_label }}">{{ field.label }}</label>"""
    """{{ field }}{% for e in field.errors %}<span class="usa-error-message">{{ e }}</span>{% endfor %}</td>{% endwith %}
      {% with field=reason %}<td><label class="usa-sr-only" for="{{ field.id_for_label }}">{{ field.label }}</label>"""
    """{{ field }}{% for e in field.errors %}<span class="usa-error-message">{{ e }}</span>{% endfor %}</td>{% endwith %}
    </tr>
    {% endfor %}"""
)
# What review/panel_application.html wrote for the scores before {% score_rows %}.
SCORE_LOOP = Template(
    """{% for c in result.criteria %}
  <tr>
    <th scope="row">{{ c.code }} {{ c.title }}</th>
    <td>{% for code, points in panel.rule.criteria.items %}{% if code == c.code %}{% if points is None %}—"""
    """{% else %}{{ points|floatformat:"-2" }}{% endif %}{% endif %}{% endfor %}</td>
    {% for r in panel.reviews %}<td>{% for code, values in combined.per_criterion.items %}{% if code == c.code %}"""
    """{% for rid, v in values.items %}{% if rid == r.assignment.reviewer_id %}{{ v|floatformat:"-2" }}{% endif %}"""
    """{% endfor %}{% endif %}{% endfor %}</td>{% endfor %}
    <td>{% if c.points is None %}—{% else %}{{ c.points|floatformat:"-2" }}{% endif %}</td>
  </tr>
  {% endfor %}"""
)


@pytest.mark.parametrize(
    "value", [0, 6, 2.0, 2.5, 0.25, 1 / 3, -0.0, 1e20, Decimal("6"), Decimal("6.00"), Decimal("2.5"), None, ""]
)
def test_hundredths_is_floatformat(value):
    assert hundredths(value, True) == Template('{{ v|floatformat:"-2" }}').render(Context({"v": value}))


def _form(panel, data=None):
    rubric = rubric_for(panel["cycle"]).to_engine()
    rule = application_panel(panel["application"], rubric)["rule"]
    rule["criteria"]["A2"] = None  # a rule score still open, and one in halves
    rule["criteria"]["A3"] = 1.5
    return ReviewForm(data, rubric=rubric, rule=rule, initial={"adjust_A1": 4, "reason_A1": "<b>Only two</b> & more"})


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"adjust_A1": "99", "adjust_B1": "1", "reason_B1": "", "adjust_C1": "x", "reason_C1": '"quoted" <i>', "x": ""},
    ],
)
def test_adjust_rows_are_what_the_loop_wrote(panel, data):
    form = _form(panel, data)
    if data:
        assert not form.is_valid() and form.errors  # errors shown under their inputs
    assert adjust_rows(form) == ADJUST_LOOP.render(Context({"form": form}))


def test_score_rows_are_what_the_loop_wrote(panel):
    submit_both(panel, adjust_first={"A1": {"points": 2.5, "reason": "Less."}})
    application = panel["application"]
    data = application_panel(application)
    data["rule"]["criteria"]["A2"] = None
    result = explained(application, data["rubric"], data["combined"])
    result["criteria"][0]["points"] = None
    context = {"result": result, "panel": data, "combined": data["combined"]}
    assert score_rows(result, data, data["combined"]) == SCORE_LOOP.render(Context(context))
    # Before any review: no reviewer column, and a criterion the rule does not list has an empty cell.
    data = {"rule": {"criteria": {"A1": 6}}, "reviews": []}
    result = {"criteria": [{"code": "A1", "title": "One", "points": 6.0}, {"code": "Z9", "title": "<Z>", "points": 0}]}
    context = {"result": result, "panel": data, "combined": Combined()}
    assert score_rows(result, data, Combined()) == SCORE_LOOP.render(Context(context))
    reviewer = SimpleNamespace(assignment=SimpleNamespace(reviewer_id=7))
    data["reviews"] = [reviewer]
    combined = Combined(per_criterion={"A1": {7: 3.25}})
    context = {"result": result, "panel": data, "combined": combined}
    assert score_rows(result, data, combined) == SCORE_LOOP.render(Context(context))


@pytest.mark.parametrize("submitted", [False, True])
def test_the_review_page_reads_a_fixed_number_of_queries(panel, submitted, django_assert_num_queries):
    if submitted:
        submit_both(panel)
    client = as_user(panel["first"])
    url = reverse("review_edit", args=[panel["r1"].pk])
    assert client.get(url).status_code == 200  # the rubric's parts are kept per process from here
    # The session and its user; the review with its assignment, application, jurisdiction, stored score,
    # cycle, panel settings and rubric row; the documents (listed, and their kinds for the reasons).
    # Once submitted, the other reviews too: the counted reviews with their reviewers, the panel settings
    # (``application_panel``).
    with django_assert_num_queries(6 if submitted else 4):
        page = client.get(url).content.decode()
    assert ("Keep going." in page) is False  # never the others' comments on the reviewer's page
    assert ("The other reviewers" in page) is submitted
