"""The panel's part of the demo: who reviews what, how far, with which scores and words (read by ``review.demo``).

The reviewers, by login (``assessment.demo_data.LOGINS`` and ``PANELISTS``):

- ``reviewer`` (Robin Okafor): even-handed; one review submitted, one saved as a
  draft, one not started, and Riverton's 2024–2026 review;
- ``reviewer2`` (Avery Sato): lenient, gives the top of each anchor and credit
  for what is described but not attached; reviewed Bayport's 2024–2026 application;
- ``reviewer3`` (Dev Kowalczyk): harsh, scores low and adjusts rule scores down
  where the evidence is thin;
- ``demo-reviewer-ortiz`` (Jamie Ortiz, no login): even-handed; reviewed both 2024–2026 applications.

Judged criteria of the default rubric: D7 (0–4), F6 (0–4), H3 (0–3). The scores
are chosen for what the panel page should show (see ``review.demo``); the tests
of ``tests/test_demo.py`` check that it does.

Plain data; nothing here writes to the database.
"""

from dataclasses import dataclass, field

from assessment.demo_data import EARLIER_CYCLE, REVIEW_CYCLE

NOT_STARTED = "not started"
DRAFT = "draft"
SUBMITTED = "submitted"

ROBIN, AVERY, DEV, JAMIE = "reviewer", "reviewer2", "reviewer3", "demo-reviewer-ortiz"

# {cycle: (review settings field, days from now)}: 2025–2027's reviews are due in two weeks;
# 2024–2026's decision, published now, may be appealed for thirty days.
PANEL_SETTINGS = {REVIEW_CYCLE: ("review_deadline", 14), EARLIER_CYCLE: ("appeal_deadline", 30)}
# Cycles whose decisions the organizer publishes once the panel has decided them all.
PUBLISHED = (EARLIER_CYCLE,)


@dataclass(frozen=True)
class Scores:
    judged: dict  # {code: points}
    adjustments: dict = field(default_factory=dict)  # {code: {"points": n, "reason": "…"}}
    comments: str = ""  # for the applicant
    notes: str = ""  # for the panel only


@dataclass(frozen=True)
class Part:
    """One reviewer's assignment to the application, and how far their review has got."""

    reviewer: str
    state: str  # NOT_STARTED, DRAFT or SUBMITTED
    scores: Scores | None = None


@dataclass(frozen=True)
class Question:
    asked_by: str
    question: str
    answered_by: str = ""
    answer: str = ""  # "" while it waits for the applicant


@dataclass(frozen=True)
class Plan:
    """What the panel has done with one application; ``rationale``: the organizer has recorded the decision."""

    jurisdiction: str
    reviews: tuple
    questions: tuple = ()
    rationale: str = ""
    cycle: str = REVIEW_CYCLE


def _adjusted(points, reason):
    return {"points": points, "reason": reason}


PANEL = (
    Plan(
        "Demo: Harbor City",
        (
            Part(
                AVERY,
                SUBMITTED,
                Scores(
                    {"D7": 4, "F6": 4, "H3": 3},
                    {"H1": _adjusted(3, "The plan is described in detail; the council adopted it in 2024.")},
                    comments="A mature program: every channel feeds one case, and the results are published weekly.",
                    notes="The asset-management integration is now confirmed (see the answer to my question).",
                ),
            ),
            Part(
                DEV,
                DRAFT,
                Scores(
                    {"D7": 2},
                    notes="Holding this until they say how the 82 % service level is measured.",
                ),
            ),
        ),
        questions=(
            Question(
                AVERY,
                "Your CRM is integrated with asset management: which system, and since when?",
                "colleague",
                "Since March 2024: work orders for streetlights, signs and hydrants open in the Public Works asset "
                "register straight from the 311 case, and close it when the crew finishes.",
            ),
            Question(
                DEV,
                "The 82 % of calls answered within 30 seconds: is it measured across every queue, the after-hours "
                "contractor included? Please attach the monthly report it comes from.",
            ),
        ),
    ),
    Plan(
        "Demo: Westbrook",
        (
            Part(
                AVERY,
                SUBMITTED,
                Scores(
                    {"D7": 4, "F6": 4, "H3": 3},
                    {"H1": _adjusted(3, "The technology plan is summarised in the answers; credit it.")},
                    comments="Exemplary in every category; the streetlight story is a model for others.",
                ),
            ),
            Part(
                DEV,
                SUBMITTED,
                Scores(
                    {"D7": 2, "F6": 1, "H3": 1},
                    {
                        "C2": _adjusted(0, "The Open311 endpoint named does not answer."),
                        "D1": _adjusted(3, "Seven of the eleven metrics are tracked but published nowhere."),
                    },
                    comments="Strong channels; publish more of what you measure, and fix the Open311 endpoint.",
                    notes="I would not designate at the top level on claims we cannot check.",
                ),
            ),
        ),
    ),
    Plan(
        "Demo: Kingsford",
        (
            Part(
                ROBIN,
                SUBMITTED,
                Scores(
                    {"D7": 3, "F6": 2, "H3": 2},
                    comments="Solid results; connect the CRM to more departments' systems next.",
                ),
            ),
            Part(
                AVERY,
                SUBMITTED,
                Scores({"D7": 4, "F6": 4, "H3": 3}, comments="Clear improvement with figures; well done."),
            ),
        ),
        rationale="Both reviewers found steady, measured improvement; the engine's level stands.",
    ),
    Plan(
        "Demo: Three Rivers",
        (
            Part(
                DEV,
                SUBMITTED,
                Scores(
                    {"D7": 3, "F6": 3, "H3": 2},
                    comments="The best-documented application I reviewed this cycle.",
                ),
            ),
            Part(
                JAMIE,
                SUBMITTED,
                Scores({"D7": 3, "F6": 2, "H3": 2}, comments="Good practice throughout; publish results monthly."),
            ),
        ),
        rationale="Reviewed by two; the combined total earns the level the engine suggests.",
    ),
    Plan(
        "Demo: Eastport",
        (
            Part(
                AVERY,
                SUBMITTED,
                Scores({"D7": 4, "F6": 3, "H3": 3}, comments="Impressive for a town of its size."),
            ),
            Part(
                JAMIE,
                SUBMITTED,
                Scores({"D7": 2, "F6": 2, "H3": 2}, comments="A small team doing the basics well."),
            ),
        ),
    ),
    Plan(
        "Demo: Silver Lake County",
        (
            Part(ROBIN, DRAFT, Scores({"D7": 2}, notes="Check the GIS integration date before scoring F6.")),
            Part(
                DEV,
                SUBMITTED,
                Scores({"D7": 1, "F6": 1, "H3": 1}, comments="Name a funded next step for each challenge."),
            ),
        ),
    ),
    Plan(
        "Demo: Maple Ridge",
        (
            Part(ROBIN, NOT_STARTED),
            Part(
                JAMIE,
                SUBMITTED,
                Scores({"D7": 2, "F6": 2, "H3": 1}, comments="Publish the figures you already collect."),
            ),
        ),
    ),
    Plan(
        "Demo: Riverton",
        (
            Part(
                ROBIN,
                SUBMITTED,
                Scores(
                    {"D7": 2, "F6": 2, "H3": 1},
                    comments="Performance is published quarterly only, and written SLAs cover 40 % of request types.",
                ),
            ),
            Part(
                JAMIE,
                SUBMITTED,
                Scores({"D7": 2, "F6": 1, "H3": 1}, comments="Set targets for the metrics you track."),
            ),
        ),
        rationale="Below the threshold of 60 points: accountability and planning are still thin.",
        cycle=EARLIER_CYCLE,
    ),
    Plan(
        "Demo: Bayport",
        (
            Part(
                AVERY,
                SUBMITTED,
                Scores(
                    {"D7": 4, "F6": 4, "H3": 3},
                    comments="Every channel feeds one case, and the streetlight contract shows data changing service.",
                ),
            ),
            Part(
                JAMIE,
                SUBMITTED,
                Scores(
                    {"D7": 3, "F6": 3, "H3": 2},
                    comments="A model contact center; publish the dashboard weekly, and add the SMS channel you plan.",
                ),
            ),
        ),
        rationale="Both reviewers found a mature, measured program; the engine's level stands.",
        cycle=EARLIER_CYCLE,
    ),
)


@dataclass(frozen=True)
class Appeal:
    jurisdiction: str
    cycle: str
    filed_by: str
    statement: str


APPEAL = Appeal(
    "Demo: Riverton",
    EARLIER_CYCLE,
    "applicant2",
    "The reviewers gave our year-on-year improvement 2 of 4 points, but abandonment fell from 11 % to 8.5 % in "
    "a year, with the figures in our answers, and the monthly dashboard has been public since January 2025. "
    "We ask the panel to judge D7 again.",
)
