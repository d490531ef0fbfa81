"""The rationale a decision by the rubric's threshold is recorded with, in sentences the applicant reads."""

from scoring.rules import fmt


def _shortfalls(result, rubric):
    """What keeps the result from a designation: unmet prerequisites, the total, categories below their share."""
    met, subtotals = result.get("prerequisites") or {}, result.get("categories") or {}
    if isinstance(met, list):  # the full result (``engine.score``) lists them
        met = {p["code"]: p["met"] for p in met}
    if isinstance(subtotals, list):
        subtotals = {c["code"]: c["points"] for c in subtotals}
    found = [f"the prerequisite “{c.title}” is not met" for c in rubric.prerequisites if not met.get(c.code, True)]
    if result["total"] < rubric.threshold:
        found.append(f"its total is below the threshold of {fmt(rubric.threshold)}")
    for category in rubric.categories:
        earned = subtotals.get(category.code)
        if earned is not None and earned < category.points * rubric.min_category_share / 100:
            found.append(f"{category.name} is below {fmt(rubric.min_category_share)} % of its points")
    return found


def by_threshold(result, outcome, level, rubric):
    """Why the rubric decided as it did: the total against the threshold, and what fell short.

    ``result``: the numbers the panel decides on (``engine.with_reviews``: total, categories by code,
    prerequisites by code); ``rubric``: the engine's rubric it was scored by.
    """
    most = sum(category.points for category in rubric.categories)
    total = f"{fmt(result['total'])} of {fmt(most)} points"
    if outcome == "designated":
        named = f" at the level {level}" if level else ""
        return (
            f"The application meets every prerequisite and the minimum share of points in every category, "
            f"and its {total} reach the threshold of {fmt(rubric.threshold)}: it is designated{named} by the rubric."
        )
    said = "; ".join(_shortfalls(result, rubric)) or f"its total is below the threshold of {fmt(rubric.threshold)}"
    return (
        f"The application earned {total}, and the rubric does not designate it: {said}. "
        "The report's recommendations say where the missing points are."
    )
