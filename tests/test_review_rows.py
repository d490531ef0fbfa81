"""The panel's scores, written in Python (review/templatetags/review_rows.py), are byte for byte what the
template's loop wrote; the review page reads a fixed number of queries."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from review.aggregate import Combined
from review.queries import application_panel, explained
from review.templatetags.review_rows import hundredths, score_rows
from tests.factories import as_user
from tests.factories.reviews import submit_both

pytestmark = pytest.mark.django_db

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
