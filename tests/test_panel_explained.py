"""The organizer's panel pages explain their figures: reviews in against those required, the spread only once
two reviews count, normalisation in words, Krippendorff's alpha with its reading, the charts with their numbers,
and only reviewers without a conflict offered for assignment."""

import re

import pytest
from django.urls import reverse

from review.assignment import assign
from review.models import Assignment, DeclaredConflict, settings_for
from review.reviewing import save_review
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted

pytestmark = pytest.mark.django_db

# Judged points (D7, F6, H3) adding up to a given number: the answers are the same for every application, so
# each reviewer's total is the same rule points plus these.
JUDGED = {
    3: {"D7": 1, "F6": 1, "H3": 1},
    5: {"D7": 2, "F6": 2, "H3": 1},
    6: {"D7": 2, "F6": 2, "H3": 2},
    7: {"D7": 3, "F6": 2, "H3": 2},
    9: {"D7": 4, "F6": 2, "H3": 3},
}


def review(application, reviewer, organizer, judged_sum=None):
    """Assign ``reviewer``; they submit judged points adding up to ``judged_sum`` (None: assigned only)."""
    assigned = assign(application, reviewer, organizer).review
    if judged_sum is not None:
        save_review(assigned, reviewer, assigned.version, JUDGED[judged_sum], {}, "Clear.", "", submit=True)
    return assigned


@pytest.fixture
def cycle():
    cycle = make_cycle(name="2026–2028")
    panel_settings = settings_for(cycle)  # two reviews required, the default
    panel_settings.disagreement_margin = 5
    panel_settings.save()
    return cycle


def page(client, name, pk):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def row_of(html, jurisdiction):
    """The cycle table's row of one jurisdiction."""
    start = html.index(f">{jurisdiction}</a></th>")
    return html[start : html.index("</tr>", start)]


def test_reviews_in_against_the_required_number_and_the_spread_only_with_two(cycle):
    organizer = make_organizer()
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    ada, bo = make_reviewer(first_name="Ada"), make_reviewer(first_name="Bo")
    review(application, ada, organizer, 9)
    review(application, bo, organizer)  # assigned, not submitted
    client = as_user(organizer)

    row = row_of(page(client, "panel_cycle", cycle.pk), "Harbor City, VA")
    assert "<td>1 of 2 required</td>" in row
    assert '<td>—<span class="usa-sr-only"> (needs two reviews)</span></td>' in row
    assert "reviewers disagree" not in row
    detail = page(client, "panel_application", application.pk)
    assert "Reviews in 1 of 2 required." in detail
    assert 'spread between reviewers —<span class="usa-sr-only"> (needs two reviews)</span>' in detail

    save_review(bo.assignments.get().review, bo, 1, JUDGED[3], {}, "Thin.", "", submit=True)
    row = row_of(page(client, "panel_cycle", cycle.pk), "Harbor City, VA")
    assert "<td>2 of 2 required</td>" in row
    # 9 against 3 judged points: a spread of 6, above the margin of 5.
    assert '<td>6 <span class="usa-tag bg-secondary-dark">reviewers disagree</span></td>' in row
    assert "spread between reviewers 6 points" in page(client, "panel_application", application.pk)


def test_the_normalised_column_says_what_normalising_does(cycle):
    html = page(as_user(make_organizer()), "panel_cycle", cycle.pk)
    assert '<th scope="col" aria-describedby="normalised-explained">Normalised</th>' in html
    explained = re.search(r'<p class="usa-hint" id="normalised-explained">([^<]+)</p>', html).group(1)
    assert "their own average and range replaced by the whole panel" in explained.replace("&#x27;", "'")


def alpha_by_pairs(units):
    """Krippendorff's alpha, interval metric, straight from the coincidences: every ordered pair of values within
    a unit of m values weighs 1/(m − 1); alpha = 1 − (n − 1) Σ observed (a − b)² / Σ all pairs (a − b)²."""
    observed = sum(
        (a - b) ** 2 / (len(u) - 1) for u in units for i, a in enumerate(u) for j, b in enumerate(u) if i != j
    )
    values = [v for u in units for v in u]
    expected = sum((a - b) ** 2 for i, a in enumerate(values) for j, b in enumerate(values) if i != j)
    return 1 - (len(values) - 1) * observed / expected


def test_krippendorffs_alpha_of_the_reviewers_totals(cycle):
    organizer = make_organizer()
    ada, bo = make_reviewer(first_name="Ada"), make_reviewer(first_name="Bo")
    client = as_user(organizer)
    first = submitted(make_jurisdiction(name="Place 1"), cycle)
    review(first, ada, organizer, 9)
    review(first, bo, organizer, 7)
    assert "not enough shared ratings yet" in page(client, "panel_cycle", cycle.pk)  # one shared application

    for name, (a, b) in {"Place 2": (5, 5), "Place 3": (3, 6)}.items():
        application = submitted(make_jurisdiction(name=name), cycle)
        review(application, ada, organizer, a)
        review(application, bo, organizer, b)
    # By hand: six values 9 7 | 5 5 | 3 6; observed Σ (a − b)² over ordered pairs 8 + 0 + 18 = 26; over all
    # ordered pairs of the six, 2 (6 · 225 − 35²) = 250; alpha = 1 − 5 · 26 / 250 = 0.48. The rule points are the
    # same in every total (same answers), and an interval alpha does not move when every value does.
    assert alpha_by_pairs([(9, 7), (5, 5), (3, 6)]) == pytest.approx(0.48)
    html = page(client, "panel_cycle", cycle.pk)
    assert "<strong>α = 0.48</strong>: weak agreement: look at the disagreements" in html
    assert "≥ 0.8 reliable, 0.667–0.8 tentative" in html


def test_only_reviewers_without_a_conflict_are_offered(cycle):
    organizer = make_organizer()
    home = make_jurisdiction(name="Harbor City")
    application = submitted(home, cycle)
    assigned, free = make_reviewer(first_name="Assigned"), make_reviewer(first_name="Free")
    own = make_reviewer(first_name="Resident", jurisdiction=home)
    declared = make_reviewer(first_name="Cousin")
    DeclaredConflict.objects.create(reviewer=declared, jurisdiction=home, reason="Family")
    review(application, assigned, organizer)
    client = as_user(organizer)

    html = page(client, "panel_application", application.pk)
    select = re.search(r'<select class="usa-select" id="id_reviewer".*?</select>', html, re.S).group(0)
    assert f'<option value="{free.pk}">Free</option>' in select
    for absent in (own, declared, assigned):
        assert f'value="{absent.pk}"' not in select
    assert "2 reviewers are left out for a conflict of interest with Harbor City, VA." in html

    response = client.post(reverse("panel_assign", args=[application.pk]), {"reviewer": own.pk})
    assert response.status_code == 200
    assert "No reviewer was assigned: Resident has a conflict of interest with Harbor City, VA." in (
        response.content.decode()
    )
    assert not Assignment.objects.filter(reviewer=own).exists()


def test_the_charts_are_images_with_their_numbers(cycle):
    organizer = make_organizer()
    ada, bo = make_reviewer(first_name="Ada"), make_reviewer(first_name="Bo")
    totals = {}
    for name, population, (a, b) in (
        ("Smallton", 40_000, (9, 7)),
        ("Midville", 150_000, (5, 5)),
        ("Bigport", 300_000, (3, 6)),
    ):
        application = submitted(make_jurisdiction(name=name, population=population), cycle)
        review(application, ada, organizer, a)
        review(application, bo, organizer, b)
        totals[name] = float(application.score.total) + (a + b) / 2  # the rule points, with the judged mean
    html = page(as_user(organizer), "panel_cycle", cycle.pk)

    bands = re.search(r'<svg [^>]*aria-labelledby="chart-bands-title chart-bands-desc".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in bands and '<title id="chart-bands-title">Combined totals by population band</title>' in bands
    assert "750,000 and over: no fully scored application yet" in bands
    for band, name in (("Under 100,000", "Smallton"), ("100,000 to 249,999", "Midville")):
        total = f"{totals[name]:.0f}" if totals[name] == int(totals[name]) else f"{totals[name]:.2f}"
        assert f'<tspan font-weight="bold">{band}</tspan>: 1 application, median {total}' in bands
        assert f"{band}: 1, lowest {total}, median {total}, highest {total}" in bands  # its description
        # The same number in the chart's table: one application, its total as lowest, median and highest.
        assert f'<th scope="row">{band}</th><td>1</td>' + f"<td>{total}</td>" * 5 in html
    assert '<th scope="row">750,000 and over</th><td>0</td>' + "<td>—</td>" * 5 in html

    # Ada is 1, 0 and −1.5 points off the mean of each application: −0.17 on average; Bo +0.17.
    lenient = re.search(r'<svg [^>]*aria-labelledby="chart-leniency-title.*?</svg>', html, re.S).group(0)
    assert 'role="img"' in lenient and '<title id="chart-leniency-title">Reviewers&#x27; leniency</title>' in lenient
    assert "Bo: +0.17; Ada: -0.17" in lenient
    assert '<th scope="row">Ada</th><td>3</td>' in html and "<td>-0.17</td>" in html and "<td>0.17</td>" in html
    assert "style=" not in bands + lenient and "<script" not in bands + lenient
