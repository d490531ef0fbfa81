"""Designees for the "How you compare" tests: applications with chosen key figures and a decision."""

import copy
from functools import lru_cache

from assessment.questionnaire import question
from reports.peers import FIGURES
from review.models import Decision
from tests.factories import make_jurisdiction
from tests.factories.answers import complete_answers
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide

_PATHS = {figure.key: figure.path for figure in FIGURES}


@lru_cache(maxsize=1)
def _complete():
    return complete_answers()


def answers_with(**figures):
    """Complete answers with these figures (by ``reports.peers`` key); None removes the answer.

    Counts become that many choices (or metric rows); other figures are stored as numbers, as the wizard does.
    """
    answers = copy.deepcopy(_complete())
    for key, value in figures.items():
        path = _PATHS[key]
        if path == ("metrics",):
            if value is None:
                answers.pop("metrics", None)
            else:
                answers["metrics"] = [{"kind": "other", "name": f"Metric {i}"} for i in range(value)]
            continue
        step, field = path
        if value is None:
            answers[step].pop(field, None)
        elif key in ("channels", "self_service"):
            answers[step][field] = [c.value for c in question(step, field).choices[:value]]
        else:
            answers[step][field] = value
    return answers


def designee(cycle, population=120_000, categories=None, outcome=Decision.Outcome.DESIGNATED, decision=None, **figures):
    """An application of ``cycle`` with these figures (``answers_with``) and a current decision (designated
    unless told otherwise; ``decision``: more of ``decide``'s arguments) whose snapshot holds ``categories``."""
    application = make_submitted(
        jurisdiction=make_jurisdiction(population=population), cycle=cycle, answers=answers_with(**figures)
    )
    decide(application, outcome=outcome, snapshot={"categories": categories or {}}, **(decision or {}))
    return application
