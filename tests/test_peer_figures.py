"""The peer figures of "How you compare": the arithmetic, who counts as a peer, the five-or-more rule, the cache."""

import json

import pytest
from django.db.models import F

from assessment.models import Application
from reports import application_report, peers
from review.models import Decision
from scoring.domain import rubric_for
from tests.factories import make_cycle
from tests.factories.decisions import decide
from tests.factories.peers import answers_with, designee

BAND = "100,000 to 249,999"  # a population of 120,000, the factories' default


# --- The arithmetic ------------------------------------------------------------------------


def test_quartiles_on_known_data_are_the_inclusive_ones():
    assert peers.stats_of([9, 1, 8, 2, 7, 3, 6, 4, 5]) == peers.Stats(9, 3, 5, 7)
    assert peers.stats_of([1, 2, 3, 4, 5, 6, 7, 8]) == peers.Stats(8, 2.75, 4.5, 6.25)
    assert peers.stats_of([10, 20, 30, 40, 50]) == peers.Stats(5, 20, 30, 40)


def test_a_spread_needs_five_figures_and_missing_ones_are_left_out():
    assert peers.stats_of([1, 2, 3, 4]) == peers.Stats(4)
    assert not peers.Stats(4).shown
    assert peers.stats_of([None, 1, 2, None, 3, 4]) == peers.Stats(4)
    assert peers.stats_of([None, 10, 20, 30, 40, 50]) == peers.Stats(5, 20, 30, 40)
    assert peers.stats_of([None, 10, 20, 30, 40, 50]).shown


def test_figures_are_read_from_the_answers_and_missing_ones_stay_missing():
    values = peers.figure_values(answers_with(channels=4, self_service=None, metrics=7, fcr=None, asa=41), {})
    assert values["channels"] == 4
    assert values["self_service"] == 0  # the step was answered with none ticked
    assert values["metrics"] == 7
    assert values["asa"] == 41
    assert values["fcr"] is None
    assert values["service_level"] == 78  # complete answers' own
    nothing = peers.figure_values({}, None)
    assert set(nothing.values()) == {None}  # no step answered: nothing counted as 0
    assert peers.figure_values({"performance": {"asa_seconds": ""}}, None)["asa"] is None
    assert peers.figure_values({"performance": {"fcr_pct": True}}, None)["fcr"] is None
    assert peers.figure_values({"metrics": [{"kind": "asa"}, {"kind": ""}, {}]}, None)["metrics"] == 1


def test_category_points_come_from_the_decisions_snapshot_in_either_shape():
    assert peers.category_points({"categories": {"A": 12.5, "B": None, "C": 0}}) == {"A": 12.5, "C": 0}
    rows = [{"code": "A", "name": "Access", "points": 9, "max": 15}, {"code": "B", "points": "x"}]
    assert peers.category_points({"categories": rows}) == {"A": 9}
    assert peers.category_points(None) == {}
    assert peers.figure_values({}, {"categories": {"A": 3}})["category:A"] == 3


def test_where_it_stands_in_words():
    stats = peers.Stats(5, 20, 30, 40)
    assert peers.standing(41, stats) == "Above the upper quartile: among the best quarter of designees"
    assert peers.standing(35, stats) == "Between the median and the upper quartile: in the better half of designees"
    assert peers.standing(25, stats) == "Between the lower quartile and the median: in the weaker half of designees"
    assert peers.standing(19, stats) == "Below the lower quartile: among the weakest quarter of designees"
    assert peers.standing(30, stats) == "At the median"
    assert peers.standing(40, stats) == "At the upper quartile: at the edge of the best quarter of designees"
    assert peers.standing(20, stats) == "At the lower quartile: at the edge of the weakest quarter of designees"


def test_lower_is_better_reverses_the_sense_not_the_position():
    stats = peers.Stats(5, 20, 30, 40)
    assert peers.standing(41, stats, True) == "Above the upper quartile: among the weakest quarter of designees"
    assert (
        peers.standing(35, stats, True) == "Between the median and the upper quartile: in the weaker half of designees"
    )
    assert (
        peers.standing(25, stats, True) == "Between the lower quartile and the median: in the better half of designees"
    )
    assert peers.standing(19, stats, True) == "Below the lower quartile: among the best quarter of designees"
    assert peers.standing(20, stats, True) == "At the lower quartile: at the edge of the best quarter of designees"


def test_numbers_are_written_for_people():
    assert peers.formatted(78.0, "percent") == "78%"
    assert peers.formatted(4.25, "percent") == "4.2%"
    assert peers.formatted(41.0, "seconds") == "41 s"
    assert peers.formatted(6.0, "count") == "6"
    assert peers.formatted(6.5, "count") == "6.5"
    assert peers.formatted(2.75, "points") == "2.75"
    for value in (12, 3.2, 2.75, 2.756, 0, 15.0):
        assert peers.points(value) == application_report.points(value)


# --- Who counts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_current_designations_of_the_cycle_and_band_count():
    cycle = make_cycle()
    for asa in (10, 20, 30, 40):
        designee(cycle, asa=asa)
    designee(cycle, asa=50, decision={"published": False})  # decided, not announced yet: a peer already
    designee(cycle, population=50_000, asa=1000)  # another band
    designee(make_cycle(), asa=1000)  # another cycle
    designee(cycle, asa=1000, outcome=Decision.Outcome.NOT_DESIGNATED)
    appealed = designee(cycle, asa=1000, decision={"superseded": True})  # designated, then not on appeal
    decide(appealed, outcome=Decision.Outcome.NOT_DESIGNATED)
    undecided = designee(cycle, asa=1000, decision={"superseded": True})
    assert undecided.decisions.filter(superseded_at=None).count() == 0

    figures = peers.peer_figures(cycle)

    assert figures[BAND]["asa"] == peers.Stats(5, 20, 30, 40)
    assert figures[BAND][peers.GROUP].n == 5
    assert figures["Under 100,000"][peers.GROUP].n == 1
    assert not figures["Under 100,000"]["asa"].shown
    assert figures["750,000 and over"] == {peers.GROUP: peers.Stats(0)}


@pytest.mark.django_db
def test_a_group_of_four_is_not_compared_and_five_is():
    cycle = make_cycle()
    applications = [designee(cycle, csat=value) for value in (70, 80, 90, 95)]
    first = applications[0]

    shown = peers.comparison(first, first.decisions.get())
    assert not shown["shown"]
    assert shown["rows"] == []
    assert shown["intro"] == (
        f"Fewer than five jurisdictions in the {BAND} population band were designated in the {cycle.name} "
        "cycle: too few to compare with, since one of them could be singled out."
    )

    designee(cycle, csat=60)
    shown = peers.comparison(first, first.decisions.get())
    assert shown["shown"]
    assert shown["intro"] == (
        f"This table sets {first.jurisdiction}'s key figures beside those of the 5 designated jurisdictions, "
        f"{first.jurisdiction} among them, in the {BAND} population band of the {cycle.name} cycle."
    )
    csat = next(r for r in shown["rows"] if r["key"] == "csat")
    assert [csat["yours"], csat["lower"], csat["median"], csat["upper"]] == ["70%", "70%", "80%", "90%"]
    assert csat["standing"] == "At the lower quartile: at the edge of the weakest quarter of designees"


@pytest.mark.django_db
def test_a_figure_four_designees_gave_is_not_compared_and_five_is():
    cycle = make_cycle()
    first = designee(cycle, fcr=None, sla_compliance=None, csat=None)
    for value in (60, 70, 80, 90):
        designee(cycle, fcr=value, sla_compliance=value, csat=None)
    designee(cycle, fcr=None, sla_compliance=50, csat=None)

    rows = {r["key"]: r for r in peers.comparison(first, first.decisions.get())["rows"]}

    assert rows["fcr"] == {
        "key": "fcr",
        "label": "First-contact resolution",
        "yours": "Not answered",
        "answered": False,
        "shown": False,
        "lower": "",
        "median": "",
        "upper": "",
        "standing": "Fewer than five designees in this band answered this.",
    }
    assert rows["csat"]["standing"] == peers.FEWER  # nobody answered: not counted as five zeros
    # Five gave it (the first did not): its spread is of those five, and the first is not compared.
    assert [rows["sla_compliance"][k] for k in ("yours", "lower", "median", "upper", "standing")] == [
        "Not answered",
        "60%",
        "70%",
        "80%",
        "Not compared",
    ]


@pytest.mark.django_db
def test_lower_is_better_figures_say_a_fast_answer_is_among_the_best():
    cycle = make_cycle()
    fast = designee(cycle, asa=12, abandonment=9.5)
    for asa, abandonment in ((30, 2), (40, 3), (50, 4), (60, 5)):
        designee(cycle, asa=asa, abandonment=abandonment)

    rows = {r["key"]: r for r in peers.comparison(fast, fast.decisions.get())["rows"]}

    assert rows["asa"]["label"] == "Average speed of answer (lower is better)"
    assert [rows["asa"][k] for k in ("yours", "lower", "median", "upper")] == ["12 s", "30 s", "40 s", "50 s"]
    assert rows["asa"]["standing"] == "Below the lower quartile: among the best quarter of designees"
    assert rows["abandonment"]["yours"] == "9.5%"
    assert rows["abandonment"]["standing"] == "Above the upper quartile: among the weakest quarter of designees"


@pytest.mark.django_db
def test_category_rows_follow_the_rubric_with_points_from_the_snapshots():
    cycle = make_cycle()
    rubric_for(cycle)  # the default rubric: categories A to H
    own = designee(cycle, categories={"A": 15, "B": 2.5})
    for a in (5, 7.5, 10, 12.5):
        designee(cycle, categories={"A": a, "B": 4})

    rows = peers.comparison(own, own.decisions.get())["rows"]

    assert [r["key"] for r in rows][:9] == [f.key for f in peers.FIGURES]
    assert [r["key"] for r in rows][9:] == [f"category:{code}" for code in "ABCDEFGH"]
    a, b, c = rows[9:12]
    assert a["label"] == "A Multi-channel access (of 15 points)"
    assert [a["yours"], a["lower"], a["median"], a["upper"]] == ["15", "7.5", "10", "12.5"]
    assert a["standing"] == "Above the upper quartile: among the best quarter of designees"
    assert [b["yours"], b["median"], b["standing"]] == [
        "2.5",
        "4",
        "Below the lower quartile: among the weakest quarter of designees",
    ]
    assert [c["yours"], c["standing"]] == ["Not scored", peers.FEWER]
    undecided = peers.comparison(own, None)["rows"][9]
    assert undecided["yours"] == "No decision yet"


# --- Once per cycle ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hundred_reports_of_a_cycle_compute_the_figures_once(django_assert_num_queries):
    cycle = make_cycle()
    applications = [designee(cycle, asa=10 * i) for i in range(1, 7)]
    categories = list(rubric_for(cycle).categories.all())
    reports = [applications[i % 6] for i in range(100)]
    for application in reports:
        application.decision = application.decisions.get()

    # The first: the group's keys, then (not cached) its answers and snapshots. Every other: the keys alone.
    with django_assert_num_queries(2 + 99):
        shown = [peers.comparison(a, a.decision, categories) for a in reports]
    with django_assert_num_queries(1):
        peers.peer_figures(cycle)
    assert shown[0]["rows"][4]["median"] == "35 s"


@pytest.mark.django_db
def test_the_cached_figures_follow_new_decisions_and_changed_answers():
    cycle = make_cycle()
    applications = [designee(cycle, asa=10 * i) for i in range(1, 6)]
    assert peers.peer_figures(cycle)[BAND]["asa"] == peers.Stats(5, 20, 30, 40)

    designee(cycle, asa=60)
    assert peers.peer_figures(cycle)[BAND]["asa"] == peers.Stats(6, 22.5, 35, 47.5)

    applications[0].decisions.update(superseded_at=F("decided_at"))  # then not designated on appeal
    decide(applications[0], outcome=Decision.Outcome.NOT_DESIGNATED)
    assert peers.peer_figures(cycle)[BAND]["asa"] == peers.Stats(5, 30, 40, 50)

    Application.objects.filter(pk=applications[1].pk).update(
        answers=answers_with(asa=90), version=F("version") + 1
    )  # as saving a draft does
    assert peers.peer_figures(cycle)[BAND]["asa"] == peers.Stats(5, 40, 50, 60)


@pytest.mark.django_db
def test_comparison_data_is_plain_json_of_what_is_shown():
    cycle = make_cycle()
    applications = [designee(cycle, asa=10 * i) for i in range(1, 6)]
    own = applications[0]
    shown = peers.comparison(own, own.decisions.get(), [])
    data = peers.comparison_data(shown)
    assert json.loads(json.dumps(data)) == data
    assert data["rows"][4] == [
        "asa",
        "10 s",
        "20 s",
        "30 s",
        "40 s",
        "Below the lower quartile: among the best quarter of designees",
    ]

    designee(cycle, asa=5)
    assert peers.comparison_data(peers.comparison(own, own.decisions.get(), [])) != data
