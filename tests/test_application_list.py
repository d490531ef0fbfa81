"""The organizer's list of a cycle's applications (pages/applications_list.py): search, filters, sort, pages.

Four applications that differ in every column: Harbor City (VA, 120,000 people, under review, Ada and Bo
disagree), Lakeside (MN, 300,000, in Harbor County, reviewed by Ada, decided and not published), Mesa Verde
(AZ, 800,000, decision published, Cy taken off) and Pine Falls (OR, 40,000, a draft).
"""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from assessment import domain as applying
from assessment.models import Jurisdiction
from review.assignment import assign, unassign
from review.models import settings_for
from review.reviewing import save_review
from scoring.models import ScoreResult
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user
from tests.factories.applications import make_submitted, submitted
from tests.factories.decisions import decide
from tests.factories.reviews import FULL

pytestmark = pytest.mark.django_db

NONE = {"D7": 0, "F6": 0, "H3": 0}  # nine points below FULL: above the margin of five


@pytest.fixture
def world():
    cycle = make_cycle(name="2026–2028")
    config = settings_for(cycle)
    config.disagreement_margin = Decimal(5)
    config.save()
    organizer = make_organizer()
    ada = make_reviewer(first_name="Ada", last_name="Lovelace")
    bo = make_reviewer(first_name="Bo", last_name="Diddley")
    cy = make_reviewer(first_name="Cy", last_name="Young")
    county = make_jurisdiction(name="Harbor County", kind=Jurisdiction.Kind.COUNTY, state="VA", population=900_000)
    harbor = submitted(make_jurisdiction(name="Harbor City", state="VA", population=120_000), cycle)
    lakeside = submitted(make_jurisdiction(name="Lakeside", state="MN", population=300_000, county=county), cycle)
    mesa = submitted(make_jurisdiction(name="Mesa Verde", state="AZ", population=800_000), cycle)
    pine = make_jurisdiction(name="Pine Falls", state="OR", population=40_000)
    draft = applying.start_application(pine, cycle, make_user(jurisdiction=pine), prefill=False)
    for application, given in [(harbor, [(ada, FULL), (bo, NONE)]), (lakeside, [(ada, FULL)])]:
        for reviewer, judged in given:
            review = assign(application, reviewer, organizer).review
            save_review(review, reviewer, review.version, judged, {}, "Clear.", "", submit=True)
    unassign(assign(mesa, cy, organizer), organizer, "On leave.")
    decide(lakeside, published=False)
    decide(mesa, level="Designated")
    # Distinct stored rule scores (the list reads the stored total; the answers are the same).
    for application, total in [(harbor, "72.5"), (lakeside, "55"), (mesa, "88.25")]:
        ScoreResult.objects.filter(application=application).update(total=Decimal(total))
    ScoreResult.objects.filter(application=draft).delete()  # a draft not scored yet: its score is "—"
    return {"cycle": cycle, "client": as_user(organizer), "ada": ada, "bo": bo, "cy": cy}


def listed(world, query=None, expect=200):
    response = world["client"].get(reverse("cycle_applications", args=[world["cycle"].pk]), query or {})
    assert response.status_code == expect
    return response.content.decode()


def names(html):
    """The jurisdictions of the list, in its order."""
    return re.findall(r'<th scope="row" data-label="Jurisdiction"><a href="/applications/[^"]+/">([^<]+)</a>', html)


def row(html, name):
    """One row's cells as text, by its column."""
    tr = next(tr for tr in html.split("<tr>") if f">{name}</a>" in tr)
    cells = re.findall(r'data-label="([^"]+)">(.*?)</t[hd]>', tr, re.S)
    return {label: " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()) for label, text in cells}


def alert(html):
    found = re.search(r'<div class="usa-alert usa-alert--error[^>]*>(.*?)</div>\s*</div>', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


ALL = ["Harbor City", "Lakeside", "Mesa Verde", "Pine Falls"]


def test_every_application_of_the_cycle_by_jurisdiction_with_its_figures(world):
    make_submitted(jurisdiction=make_jurisdiction(name="Another Cycle Town"), cycle=make_cycle())
    html = listed(world)
    assert names(html) == ALL
    assert "4 applications." in html
    assert row(html, "Harbor City") == {
        "Jurisdiction": "Harbor City",
        "State": "VA",
        "Population": "100,000 to 249,999",
        "Status": "Under review",
        "Rule score": "72.50",
        "Reviews in": "2 of 2",
        "Reviewers": "Ada Lovelace, Bo Diddley",
        "Disagreement": "reviewers disagree (9 points apart)",
        "Decision": "—",
        "Last saved / submitted": row(html, "Harbor City")["Last saved / submitted"],
    }
    assert row(html, "Lakeside")["Decision"] == "Designated — Designated"
    assert row(html, "Lakeside")["Status"] == "Decided (not published)"
    assert row(html, "Lakeside")["Disagreement"] == "—"
    mesa = row(html, "Mesa Verde")
    assert (mesa["Status"], mesa["Decision"], mesa["Reviews in"], mesa["Reviewers"]) == (
        "Decision published",
        "Designated — Designated (published)",
        "0 of 0",
        "none",
    )
    pine = row(html, "Pine Falls")
    assert (pine["Status"], pine["Population"], pine["Reviews in"], pine["Rule score"]) == (
        "Draft",
        "Under 100,000",
        "0 of 0",
        "—",
    )
    assert 'aria-sort="ascending"' in html and html.count("aria-sort=") == 1


# The world is built once for all the cases of a test: each case is a request that changes nothing.
FILTERS = [
    ({"q": "harbor"}, ["Harbor City", "Lakeside"]),  # the name, and the county Lakeside lies in
    ({"q": "aZ"}, ["Mesa Verde"]),  # the state, whatever the case
    ({"q": "HARBOR COUNTY"}, ["Lakeside"]),  # the county it lies in
    ({"status": "draft"}, ["Pine Falls"]),
    ({"status": "submitted"}, ["Harbor City"]),
    ({"status": "decided"}, ["Lakeside"]),
    ({"status": "published"}, ["Mesa Verde"]),
    ({"band": "0"}, ["Pine Falls"]),
    ({"band": "100000"}, ["Harbor City"]),
    ({"band": "250000"}, ["Lakeside"]),
    ({"band": "750000"}, ["Mesa Verde"]),
    ({"score_min": "60"}, ["Harbor City", "Mesa Verde"]),
    ({"score_max": "72.5"}, ["Harbor City", "Lakeside"]),
    ({"score_min": "55", "score_max": "80"}, ["Harbor City", "Lakeside"]),
    ({"disagree": "on"}, ["Harbor City"]),
    ({"status": "submitted", "band": "750000"}, []),
]


def test_each_search_and_filter(world):
    for query, expected in FILTERS:
        html = listed(world, query)
        assert (query, names(html)) == (query, expected)
        assert alert(html) == ""


def test_the_reviewer_filter_lists_the_reviewers_assigned_now(world):
    assert names(listed(world, {"reviewer": world["ada"].pk})) == ["Harbor City", "Lakeside"]
    assert names(listed(world, {"reviewer": world["bo"].pk})) == ["Harbor City"]
    # Cy's assignment ended: not a choice; said, and the list is not filtered by reviewer.
    html = listed(world, {"reviewer": world["cy"].pk, "status": "submitted"})
    assert f'<option value="{world["cy"].pk}"' not in html and f'<option value="{world["ada"].pk}"' in html
    assert "Reviewer: Select a valid choice." in alert(html)
    assert names(html) == ["Harbor City"]  # the status still applies


SORTS = [
    ("-jurisdiction", ALL[::-1]),
    ("state", ["Mesa Verde", "Lakeside", "Pine Falls", "Harbor City"]),
    ("population", ["Pine Falls", "Harbor City", "Lakeside", "Mesa Verde"]),
    ("-population", ["Mesa Verde", "Lakeside", "Harbor City", "Pine Falls"]),
    ("status", ["Pine Falls", "Harbor City", "Lakeside", "Mesa Verde"]),
    ("-score", ["Mesa Verde", "Harbor City", "Lakeside", "Pine Falls"]),  # no score: last either way
    ("score", ["Lakeside", "Harbor City", "Mesa Verde", "Pine Falls"]),
    ("-reviews", ["Harbor City", "Lakeside", "Mesa Verde", "Pine Falls"]),
    ("-saved", ["Pine Falls", "Mesa Verde", "Lakeside", "Harbor City"]),  # the draft was saved last
]
LABELS = {"jurisdiction": "Jurisdiction", "state": "State", "population": "Population", "status": "Status"}
LABELS |= {"score": "Rule score", "reviews": "Reviews in", "saved": "Last saved / submitted"}


def test_each_sortable_column(world):
    for sort, expected in SORTS:
        html = listed(world, {"sort": sort})
        assert (sort, names(html)) == (sort, expected)
        sorted_header = re.search(r'<th scope="col" aria-sort="(\w+)"><a href="([^"]+)">([^<]+)<', html)
        direction = "descending" if sort.startswith("-") else "ascending"
        assert sorted_header.groups()[0::2] == (direction, LABELS[sort.removeprefix("-")])
        # Its link sorts the other way.
        other = sort.removeprefix("-") if sort.startswith("-") else f"-{sort}"
        assert sorted_header.group(2) == f"?sort={other}#results"


def test_sort_links_keep_the_filters(world):
    html = listed(world, {"q": "a", "status": "submitted", "sort": "-score", "page": "1"})
    hrefs = re.findall(r'<th scope="col"[^>]*><a href="([^"]+)"', html)
    assert unescape(hrefs[0]) == "?q=a&status=submitted&sort=jurisdiction#results"
    assert unescape(hrefs[4]) == "?q=a&status=submitted&sort=score#results"  # the sorted column, reversed
    assert 'aria-sort="descending"><a href="' in html


def test_pages_keep_the_filters_and_the_sort(world, monkeypatch):
    monkeypatch.setattr("pages.applications_list.PER_PAGE", 2)
    first = listed(world, {"score_min": "50", "sort": "-score"})
    assert names(first) == ["Mesa Verde", "Harbor City"]
    assert "3 applications match; showing 1–2." in first
    assert 'href="?score_min=50&amp;sort=-score&amp;page=2#results"' in first
    second = listed(world, {"score_min": "50", "sort": "-score", "page": "2"})
    assert names(second) == ["Lakeside"]
    assert 'href="?score_min=50&amp;sort=-score&amp;page=1#results"' in second


BAD = [
    ({"score_min": "abc"}, "Rule score from: Enter a number of points, for example 55 or 62.5.", ALL),
    ({"score_min": "80", "score_max": "60"}, "The lowest rule score (80) is above the highest (60)", ALL),
    ({"score_min": "abc", "score_max": "60"}, "Rule score from: Enter a number", ["Lakeside"]),
    ({"score_max": "1e400"}, "Rule score up to: Enter at most", ALL),
    ({"score_min": "NaN"}, "Rule score from: Enter a number", ALL),
    ({"status": "lost", "band": "0"}, "Status: Select a valid choice.", ["Pine Falls"]),
    ({"band": "12"}, "Population: Select a valid choice.", ALL),
    ({"sort": "answers"}, "Sort by: Select a valid choice.", ALL),
    ({"reviewer": "x" * 300}, "Reviewer: Select a valid choice.", ALL),
    ({"q": "x" * 201}, "Jurisdiction, state or county: Ensure this value has at most 200", ALL),
    ({"q": "a\x00b"}, "Null characters are not allowed.", ALL),
]


def test_bad_values_are_said_and_leave_the_list_unfiltered_by_them(world):
    for query, said, expected in BAD:
        html = listed(world, query)
        assert said in alert(html), (query, alert(html))
        assert (query, names(html)) == (query, expected)


def test_what_was_typed_stays_in_the_boxes(world):
    html = listed(world, {"q": "Harbor <&> 'q\"", "score_min": "abc", "band": "250000", "disagree": "on"})
    assert 'name="q" value="Harbor &lt;&amp;&gt; &#x27;q&quot;"' in html
    assert 'name="score_min" value="abc"' in html
    assert '<option value="250000" selected>' in html
    assert re.search(r'<input type="checkbox" name="disagree"[^>]* checked', html)


def test_no_match_says_so_with_a_link_clearing_the_filters(world):
    html = listed(world, {"q": "Nowhere", "sort": "-score"})
    url = reverse("cycle_applications", args=[world["cycle"].pk])
    assert f'No application matches; <a href="{url}">clear the filters</a>.' in html
    assert "<table" not in html


def test_a_cycle_without_applications(world):
    url = reverse("cycle_applications", args=[make_cycle(name="Empty").pk])
    html = world["client"].get(url).content.decode()
    assert "No application in Empty yet." in html and "clear the filters" not in html


def test_others_get_what_the_other_organizer_pages_give_them(world, client):
    lists = reverse("cycle_applications", args=[world["cycle"].pk])
    panel = reverse("panel_cycle", args=[world["cycle"].pk])
    for person in (world["ada"], make_user(jurisdiction=make_jurisdiction(name="Outside"))):
        other = as_user(person)
        assert other.get(lists).status_code == other.get(panel).status_code == 403
    assert client.get(lists).url == client.get(panel).url.replace("/panel/", "/applications/")
    assert world["client"].get(reverse("cycle_applications", args=[999_999])).status_code == 404
    assert world["client"].post(lists).status_code == 405  # a search form: nothing is ever posted


@pytest.mark.parametrize("size", [3, 60])
def test_the_number_of_queries_does_not_grow_with_the_cycle(size, django_assert_num_queries):
    cycle = make_cycle()
    organizer, reviewers = make_organizer(), [make_reviewer(), make_reviewer()]
    reviewed = submitted(make_jurisdiction(name="Reviewed"), cycle)
    for reviewer, judged in zip(reviewers, [FULL, NONE], strict=True):
        review = assign(reviewed, reviewer, organizer).review
        save_review(review, reviewer, review.version, judged, {}, "", "", submit=True)
    decide(reviewed)
    drafted = make_jurisdiction(name="Drafted")
    applying.start_application(drafted, cycle, make_user(jurisdiction=drafted), prefill=False)
    for index in range(size - 2):
        bare = make_submitted(jurisdiction=make_jurisdiction(name=f"Place {index}"), cycle=cycle)
        ScoreResult.objects.create(application=bare, rubric_version=1, total=index, eligible=False, result={})
    client = as_user(organizer)
    url = reverse("cycle_applications", args=[cycle.pk]) + "?sort=-status&band=100000"
    client.get(url)  # the panel's figures are computed once, then kept while nothing changes
    # The session and its user; the cycle; its panel settings; its rubric (the row); the figures'
    # fingerprint (two aggregates); the reviewers assigned now (the select); the count of what matches;
    # the page of applications with jurisdiction and stored score; their assignments with reviewer and
    # review; their states (questions, reviewers and appeals; current decisions; the appeal window).
    with django_assert_num_queries(14):
        html = client.get(url).content.decode()
    assert len(names(html)) == min(size, 50)
    assert names(html)[0] == "Reviewed"  # its decision is published: first, sorting by status downwards
