"""What the panel's pages read: a cycle's applications with their figures, one application's reviews.

Rule scores come from each application's stored ``scoring.models.ScoreResult``
(kept current on every save of the answers and documents); the engine only adds
the reviewers' combined points to them, without reading the answers again. The
rubric is loaded once per page and handed down.
"""

from assessment.models import Application, EvidenceDocument
from review.aggregate import ReviewScores, agreement, combine, leniency, normalised_totals
from review.models import Assignment, Decision, Review, settings_for
from scoring import engine
from scoring.domain import facts_for, rubric_for
from scoring.models import ScoreResult


def rule_results(applications, rubric):
    """Each application's rule scores (``engine.totals``) by pk: as stored, or computed for those whose
    stored score is missing or from another rubric version (two queries for all of them together)."""
    results, missing = {}, []
    for application in applications:
        try:
            stored = application.score
        except ScoreResult.DoesNotExist:
            stored = None
        if stored is not None and stored.rubric_version == rubric.version:
            results[application.pk] = stored.result
        else:
            missing.append(application.pk)
    if missing:
        kinds = {}
        for application_id, kind in EvidenceDocument.objects.filter(application__in=missing).values_list(
            "application_id", "kind"
        ):
            kinds.setdefault(application_id, set()).add(kind)
        for application in Application.objects.filter(pk__in=missing).select_related("cycle"):
            facts = facts_for(application, kinds.get(application.pk, ()))
            results[application.pk] = engine.totals(rubric, facts)
    return results


def rule_result(application, rubric):
    """One application's rule scores: ``rule_results`` of it alone."""
    return rule_results([application], rubric)[application.pk]


def explained(application, rubric, combined=None):
    """The engine's result in words (``engine.score``), for the pages that show the reasons.

    ``combined``: the reviewers' combined scores, when they count.
    """
    kinds = application.documents.values_list("kind", flat=True)
    if combined is None:
        return engine.score(rubric, facts_for(application, kinds))
    return engine.score(rubric, facts_for(application, kinds, combined.judged, combined.adjusted))


def _scores_of(reviews):
    return [
        ReviewScores(
            reviewer=str(r.assignment.reviewer),
            reviewer_id=r.assignment.reviewer_id,
            judged=r.judged,
            adjustments=r.adjustments,
        )
        for r in reviews
    ]


def _panel(rubric, rule, reviews, divergence_margin):
    """One application's panel from what is loaded: its rule result and its counted reviews."""
    codes = [c.code for c in rubric.criteria]
    judged_codes = {c.code for c in rubric.criteria if c.is_judged}
    combined = combine(codes, judged_codes, rule["criteria"], _scores_of(reviews), divergence_margin)
    result = engine.with_reviews(rubric, rule, combined.judged, combined.adjusted) if reviews else rule
    return {"rubric": rubric, "rule": rule, "reviews": reviews, "combined": combined, "result": result}


def application_panel(application, rubric=None):
    """The rule scores, each counted review, their combination and the result with them (numbers, no words).

    ``rubric``: the cycle's, as the engine reads it, when the caller has it already.
    """
    rubric = rubric or rubric_for(application.cycle).to_engine()
    reviews = list(
        Review.objects.counted().filter(assignment__application=application).select_related("assignment__reviewer")
    )
    return _panel(rubric, rule_result(application, rubric), reviews, settings_for(application.cycle).divergence_margin)


def panels_of(applications, rubric, review_settings):
    """``application_panel`` of each of these applications of one cycle, by pk, in one query
    (two more for any whose stored score is not current).

    ``applications`` come with their stored score (``select_related("score")``).
    """
    reviews = {}
    for review in (
        Review.objects.counted()
        .filter(assignment__application__in=[a.pk for a in applications])
        .select_related("assignment__reviewer")
    ):
        reviews.setdefault(review.assignment.application_id, []).append(review)
    rules = rule_results(applications, rubric)
    margin = review_settings.divergence_margin
    return {a.pk: _panel(rubric, rules[a.pk], reviews.get(a.pk, []), margin) for a in applications}


def cycle_panel(cycle):
    """Every submitted application of a cycle with its panel figures, in a constant number of queries."""
    rubric = rubric_for(cycle).to_engine()
    review_settings = settings_for(cycle)
    applications = list(
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .select_related("jurisdiction", "cycle", "score")
        .defer("answers", "wizard_state")
        .order_by("jurisdiction__name")
    )
    assignments = {}
    for assignment in Assignment.objects.filter(application__cycle=cycle).select_related("reviewer", "review"):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    decisions = {d.application_id: d for d in Decision.objects.filter(application__cycle=cycle, superseded_at=None)}
    rules = rule_results(applications, rubric)
    rows, review_totals, reviewer_names = [], [], {}
    for application in applications:
        mine = assignments.get(application.pk, [])
        counted = [a.review for a in mine if a.review.counts]
        for a in mine:
            reviewer_names[a.reviewer_id] = a.reviewer
        panel = _panel(rubric, rules[application.pk], counted, review_settings.divergence_margin)
        rule, combined, result = panel["rule"], panel["combined"], panel["result"]
        for reviewer_id, total in combined.totals.items():
            review_totals.append((reviewer_id, application.pk, total))
        other_conditions = engine.conditions_met(rubric, result)
        rows.append(
            {
                "application": application,
                "assignments": [a for a in mine if a.active],
                "reviews_done": len(counted),
                "rule_total": rule["total"],
                "total": result["total"] if counted else None,
                "level": result["level"] if counted and not result["pending"] else None,
                "eligible": result["eligible"],
                "pending": bool(result["pending"]),
                "spread": combined.spread,
                "disagree": combined.spread > float(review_settings.disagreement_margin),
                "divergences": len(combined.divergences),
                "other_conditions": other_conditions,
                "decision": decisions.get(application.pk),
            }
        )
    normalised = normalised_totals(review_totals)
    for row in rows:
        value = normalised.get(row["application"].pk)
        row["normalised_total"] = value
        row["normalised_level"] = (
            engine.level_for(value, rubric.levels, rubric.threshold, row["other_conditions"])
            if value is not None
            else None
        )
        row["normalisation_changes"] = (
            row["total"] is not None and not row["pending"] and (row["normalised_level"] != row["level"])
        )
    lenient = leniency(review_totals)
    panel = []
    for reviewer_id, reviewer in sorted(reviewer_names.items(), key=lambda item: str(item[1])):
        totals = [t for r, _a, t in review_totals if r == reviewer_id]
        panel.append(
            {
                "reviewer": reviewer,
                "reviews": len(totals),
                "mean_total": round(sum(totals) / len(totals), 2) if totals else None,
                "leniency": lenient.get(reviewer_id),
            }
        )
    within, mean_difference = agreement(review_totals, float(review_settings.disagreement_margin))
    return {
        "rubric": rubric,
        "settings": review_settings,
        "rows": rows,
        "reviewers": panel,
        "agreement": within,
        "mean_difference": mean_difference,
    }


def applicant_comments(application):
    """Comments the reviewers wrote for the applicant, from counted reviews only.

    Only that one column is read, so private notes never reach a page or a report.
    """
    comments = (
        Review.objects.counted()
        .filter(assignment__application=application)
        .order_by("assignment__assigned_at", "assignment_id")
        .values_list("comments_for_applicant", flat=True)
    )
    return [text.strip() for text in comments if text and text.strip()]


def suggestion(result):
    """The engine's suggestion for a result: (outcome, level)."""
    if result["eligible"]:
        return Decision.Outcome.DESIGNATED, result["level"] or ""
    return Decision.Outcome.NOT_DESIGNATED, ""


def current_decision(application):
    """The decision in force (not superseded), published or not; None before the first."""
    return application.decisions.filter(superseded_at=None).first()
