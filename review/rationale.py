"""The rationale a decision by the rubric's threshold is recorded with, in sentences the applicant reads.

Written in the language active when the decision is recorded (the deciding organizer's), and stored so.
"""

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring.levels import label as level_label
from scoring.rules import fmt


def _number(value):
    """``fmt`` with the active language's decimal separator: 82.5, « 82,5 »."""
    return fmt(value).replace(".", get_format("DECIMAL_SEPARATOR"))


def _shortfalls(result, rubric):
    """What keeps the result from a designation: unmet prerequisites, the total, categories below their share."""
    met, subtotals = result.get("prerequisites") or {}, result.get("categories") or {}
    if isinstance(met, list):  # the full result (``engine.score``) lists them
        met = {p["code"]: p["met"] for p in met}
    if isinstance(subtotals, list):
        subtotals = {c["code"]: c["points"] for c in subtotals}
    found = [
        _("the prerequisite “%(title)s” is not met") % {"title": c.title}
        for c in rubric.prerequisites
        if not met.get(c.code, True)
    ]
    if result["total"] < rubric.threshold:
        found.append(_("its total is below the threshold of %(threshold)s") % {"threshold": _number(rubric.threshold)})
    for category in rubric.categories:
        earned = subtotals.get(category.code)
        if earned is not None and earned < category.points * rubric.min_category_share / 100:
            found.append(
                _("%(category)s is below %(share)s %% of its points")
                % {"category": category.name, "share": _number(rubric.min_category_share)}
            )
    return found


def by_threshold(result, outcome, level, rubric):
    """Why the rubric decided as it did: the total against the threshold, and what fell short.

    ``result``: the numbers the panel decides on (``engine.with_reviews``: total, categories by code,
    prerequisites by code); ``rubric``: the engine's rubric it was scored by.
    """
    most = sum(category.points for category in rubric.categories)
    named = {
        "total": _number(result["total"]),
        "most": _number(most),
        "threshold": _number(rubric.threshold),
        "level": level_label(level),
    }
    plural = round(most)  # the rubric's points decide the plural of "points"
    if outcome == "designated" and level:
        return (
            ngettext(
                "The application meets every prerequisite and the minimum share of points in every category, and its "
                "%(total)s of %(most)s point reach the threshold of %(threshold)s: it is designated at the level "
                "%(level)s by the rubric.",
                "The application meets every prerequisite and the minimum share of points in every category, and its "
                "%(total)s of %(most)s points reach the threshold of %(threshold)s: it is designated at the level "
                "%(level)s by the rubric.",
                plural,
            )
            % named
        )
    if outcome == "designated":
        return (
            ngettext(
                "The application meets every prerequisite and the minimum share of points in every category, and its "
                "%(total)s of %(most)s point reach the threshold of %(threshold)s: it is designated by the rubric.",
                "The application meets every prerequisite and the minimum share of points in every category, and its "
                "%(total)s of %(most)s points reach the threshold of %(threshold)s: it is designated by the rubric.",
                plural,
            )
            % named
        )
    said = "; ".join(_shortfalls(result, rubric)) or _("its total is below the threshold of %(threshold)s") % named
    return ngettext(
        "The application earned %(total)s of %(most)s point, and the rubric does not designate it: %(reasons)s. "
        "The report's recommendations say where the missing points are.",
        "The application earned %(total)s of %(most)s points, and the rubric does not designate it: %(reasons)s. "
        "The report's recommendations say where the missing points are.",
        plural,
    ) % {**named, "reasons": said}
