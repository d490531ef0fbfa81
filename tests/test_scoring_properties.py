"""Properties of the engine that must hold for any answers (Hypothesis)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.models import EvidenceDocument
from assessment.questionnaire import question
from scoring.engine import Facts, score, totals, with_reviews
from scoring.models import Rubric

RUBRIC = Rubric.default()
DOCUMENT_KINDS = [k for k, _ in EvidenceDocument.Kind.choices]


def values(step, key):
    return [c.value for c in question(step, key).choices]


CHANNELS = values("channels", "channels")
METRIC_KINDS = values("metrics", "kind")

yes_no = st.one_of(st.none(), st.booleans())
percent = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


def subset(values):
    return st.lists(st.sampled_from(values), unique=True)


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def answers(draw):
    def keep(mapping):
        return {k: v for k, v in mapping.items() if v is not None}

    return {
        "profile": keep(
            {
                "contact_number_type": draw(maybe(st.sampled_from(["311", "7digit", "both"]))),
                "crm_tracks_cases": draw(yes_no),
                "live_agent_hours_per_week": draw(maybe(st.integers(0, 168))),
            }
        ),
        "channels": keep(
            {
                "channels": draw(subset(CHANNELS)),
                "self_service": draw(subset(values("channels", "self_service"))),
                "language_access": draw(yes_no),
                "tty_access": draw(yes_no),
                "single_case_number": draw(yes_no),
                "mobile_app_photo_location": draw(yes_no),
                "online_status_tracking": draw(yes_no),
            }
        ),
        "technology": keep(
            {
                "crm_integrations": draw(subset(values("technology", "crm_integrations"))),
                "open311_endpoint": draw(maybe(st.just("https://311.example.gov/v2"))),
                "knowledge_base_owner": draw(maybe(st.text(min_size=1, max_size=20))),
            }
        ),
        "metrics": [{"kind": k} for k in draw(st.lists(st.sampled_from(METRIC_KINDS), max_size=16))],
        "performance": keep(
            {
                "service_level_pct": draw(percent),
                "asa_seconds": draw(maybe(st.integers(0, 36000))),
                "abandonment_pct": draw(percent),
                "fcr_pct": draw(percent),
                "publication_frequency": draw(maybe(st.sampled_from(values("performance", "publication_frequency")))),
            }
        ),
        "accountability": keep(
            {
                "sla_coverage_pct": draw(percent),
                "sla_compliance_pct": draw(percent),
                "department_meetings": draw(maybe(st.sampled_from(["weekly", "monthly", "quarterly", "none"]))),
                "residents_told_completion": draw(yes_no),
            }
        ),
        "participation": keep(
            {
                "feedback_tools": draw(subset(values("participation", "feedback_tools"))),
                "csat_pct": draw(percent),
                "social_takes_requests": draw(yes_no),
                "social_media_policy": draw(yes_no),
                "open_data_frequency": draw(maybe(st.sampled_from(values("participation", "open_data_frequency")))),
            }
        ),
        "workforce": keep(
            {
                "remote_call_takers": draw(yes_no),
                "continuity_plan": draw(yes_no),
                "training_hours": draw(maybe(st.integers(0, 2000))),
                "quality_monitoring": draw(yes_no),
                "recognition_program": draw(yes_no),
                "agent_turnover_pct": draw(percent),
            }
        ),
        "planning": keep(
            {"technology_plan_year": draw(maybe(st.integers(1990, 2030))), "budgeted_roadmap": draw(yes_no)}
        ),
        "review": keep({"attest": draw(yes_no)}),
    }


judged = st.fixed_dictionaries({}, optional={"D7": st.integers(0, 4), "F6": st.integers(0, 4), "H3": st.integers(0, 3)})


@st.composite
def facts(draw):
    return Facts(
        answers=draw(answers()),
        documents=frozenset(draw(subset(DOCUMENT_KINDS))),
        as_of_year=2026,
        judged=draw(judged),
    )


def points_by_code(result):
    return {c["code"]: c["points"] for c in result["criteria"]}


@settings(max_examples=300)
@given(facts())
def test_scores_stay_within_bounds(f):
    result = score(RUBRIC, f)
    for c in result["criteria"]:
        assert c["points"] is None or 0 <= c["points"] <= c["max"], c
        assert c["reason"]
    for c in result["categories"]:
        assert 0 <= c["points"] <= c["max"], c
    assert 0 <= result["total"] <= result["max_total"] == 100


@settings(max_examples=200)
@given(facts(), st.data())
def test_adding_a_channel_a_metric_or_a_document_never_lowers_any_score(f, data):
    before = score(RUBRIC, f)
    answers = json.loads(json.dumps(f.answers))
    missing_channels = [c for c in CHANNELS if c not in answers["channels"].get("channels", [])]
    change = data.draw(st.sampled_from(["channel", "metric", "document"]))
    documents = f.documents
    if change == "channel" and missing_channels:
        answers["channels"]["channels"] = answers["channels"].get("channels", []) + [
            data.draw(st.sampled_from(missing_channels))
        ]
    elif change == "metric":
        answers["metrics"].append({"kind": data.draw(st.sampled_from(METRIC_KINDS))})
    else:
        documents = documents | {data.draw(st.sampled_from(DOCUMENT_KINDS))}
    after = score(RUBRIC, Facts(answers=answers, documents=documents, as_of_year=f.as_of_year, judged=f.judged))
    old, new = points_by_code(before), points_by_code(after)
    for code, points in old.items():
        if points is not None:
            assert new[code] >= points, (code, change)
    assert after["total"] >= before["total"]
    met_before = {p["code"] for p in before["prerequisites"] if p["met"]}
    met_after = {p["code"] for p in after["prerequisites"] if p["met"]}
    assert met_before <= met_after


@settings(max_examples=300)
@given(facts())
def test_a_failed_prerequisite_always_means_not_eligible(f):
    result = score(RUBRIC, f)
    if not all(p["met"] for p in result["prerequisites"]):
        assert result["eligible"] is False
        assert result["level"] is None
    if result["eligible"]:
        assert result["total"] >= RUBRIC.threshold and result["level"] is not None


@settings(max_examples=100)
@given(facts())
def test_the_same_answers_always_give_the_same_result(f):
    first = score(RUBRIC, f)
    answers = json.loads(json.dumps(f.answers))
    again = score(RUBRIC, Facts(answers=answers, documents=f.documents, as_of_year=f.as_of_year, judged=f.judged))
    assert first == again
    assert json.loads(json.dumps(first)) == first  # storable as JSON, unchanged


@settings(max_examples=200)
@given(facts())
def test_the_stored_numbers_agree_with_the_explained_result(f):
    explained, numbers = score(RUBRIC, f), totals(RUBRIC, f)
    assert numbers["total"] == explained["total"]
    assert (numbers["eligible"], numbers["level"]) == (explained["eligible"], explained["level"])
    assert numbers["criteria"] == {
        **{c["code"]: c["points"] for c in explained["criteria"]},
        **{p["code"]: 0 for p in explained["prerequisites"]},
    }
    assert numbers["prerequisites"] == {p["code"]: p["met"] for p in explained["prerequisites"]}


@settings(max_examples=200)
@given(facts(), st.data())
def test_reviews_over_the_stored_numbers_add_up_as_scoring_the_answers_with_them(f, data):
    """The panel adds reviewers' points to the stored rule result without reading the answers again."""
    rule_codes = [c.code for c in RUBRIC.criteria if not c.is_judged]
    adjusted = data.draw(st.dictionaries(st.sampled_from(rule_codes), st.floats(min_value=-2, max_value=20)))
    stored = totals(RUBRIC, Facts(answers=f.answers, documents=f.documents, as_of_year=f.as_of_year))
    combined = with_reviews(RUBRIC, stored, f.judged, adjusted)
    assert combined == totals(RUBRIC, Facts(f.answers, f.documents, f.as_of_year, judged=f.judged, adjusted=adjusted))
