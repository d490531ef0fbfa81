"""The scoring engine is plain Python: it scores the default rubric in a process that never imports Django."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, sys
import scoring.engine as engine
from assessment import questionnaire
from scoring import default_rubric

rubric = engine.Rubric.from_data(
    default_rubric,
    choice_labels=questionnaire.choice_labels(),
    evidence_labels={"technology_plan": "Technology plan"},
)
answers = {
    "profile": {"contact_number_type": "both", "crm_tracks_cases": True, "live_agent_hours_per_week": 45},
    "channels": {"channels": ["live_phone", "web_form", "ivr"], "language_access": True},
    "performance": {"asa_seconds": 41, "service_level_pct": 78.5},
    "planning": {"technology_plan_year": 2025},
    "metrics": [{"kind": "asa"}] * 5,
    "review": {"attest": True},
}
facts = engine.Facts(answers=answers, documents=frozenset(), as_of_year=2026, judged={"D7": 3})
result = engine.score(rubric, facts)
numbers = engine.totals(rubric, facts)
django = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(json.dumps({"django": django, "score": result, "totals": numbers}))
"""


def test_the_engine_scores_the_default_rubric_without_django():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    out = json.loads(done.stdout)
    assert out["django"] == []
    result = {c["code"]: c for c in out["score"]["criteria"]}
    assert result["A1"]["points"] == 3
    assert result["A1"]["reason"].startswith("3 of 6 points: Live agent by phone, Interactive voice response (IVR)")
    assert result["A2"]["reason"] == "1 of 3 points: 45 hours; 50 hours or more earns 2."
    assert result["D2"]["reason"] == "2 of 3 points: 78.5 %; 80 % or more earns 3."
    assert result["D7"]["points"] == 3 and result["D7"]["reason"] == "3 of 4 points: scored by reviewers."
    assert result["H1"]["reason"] == "0 of 3 points: the answer would earn 3, but no technology plan is attached."
    prerequisites = {p["code"]: p["met"] for p in out["score"]["prerequisites"]}
    assert prerequisites == {"P1": True, "P2": True, "P3": True, "P4": True, "P5": True}
    # A1 3 + A2 1 + A3 2 (category A: 6) + D1 2 + D2 2 + D3 1 + D7 3 (category D: 8).
    assert out["score"]["total"] == out["totals"]["total"] == 14
    assert out["score"]["eligible"] is False and out["score"]["level"] is None
    assert out["totals"]["categories"]["A"] == 6 and out["totals"]["categories"]["D"] == 8
