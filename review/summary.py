"""A cycle's panel figures in summary: each reviewed application's combined result, the reviewers'
leniency, their agreement (with Krippendorff's alpha) and normalisation, the combined totals by population
band — from compact rows, kept while nothing they depend on changes.

Computing them reads every counted review of the cycle (reviewer, application, judged points,
adjustments) and the stored rule scores of the reviewed applications only — never an application's
answers. That is a few hundred milliseconds at 5,000 applications, so the result is kept per process
under a fingerprint read with two aggregate queries from indexes (the reviews' count, versions, last
change and the counted ones, in every cycle; the submitted applications' count and their scores' last
computation; the rubric's version and the panel's margins). Any review saved, submitted or excluded, any rescore, any
application submitted, or a change of the panel settings or rubric changes the fingerprint, and the
next page computes the figures again. The pages then cost the same at 100 and at 5,000 applications.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum

from assessment.models import POPULATION_BANDS, Application, population_band
from review.aggregate import (
    ReviewScores,
    agreement,
    combine,
    five_numbers,
    leniency,
    normalised_totals,
    panel_alpha,
)
from review.models import Assignment, Decision, Review
from review.rule_scores import computed_rule_results
from scoring import engine
from scoring.models import ScoreResult


def suggestion(result):
    """The engine's suggestion for a result: (outcome, level)."""
    if result["eligible"]:
        return Decision.Outcome.DESIGNATED, result["level"] or ""
    return Decision.Outcome.NOT_DESIGNATED, ""


_KEPT = {}  # cycle pk → (fingerprint, CycleSummary); at most _KEEP cycles
_KEEP = 8


@dataclass
class CycleSummary:
    # application pk → its figures with the reviews (only applications with a counted review)
    figures: dict = field(default_factory=dict)
    reviewers: dict = field(default_factory=dict)  # reviewer pk → {"reviews", "mean_total", "leniency"}
    assigned: list = field(default_factory=list)  # pks of every reviewer ever assigned in the cycle
    submitted: int = 0  # the cycle's submitted applications
    agreement: float | None = None
    mean_difference: float | None = None
    changes: int = 0  # reviewed applications whose level normalisation would change
    alpha: float | None = None  # Krippendorff's alpha (interval) of the review totals; None: not enough shared
    # Each population band in order: {"band", "totals" (combined, of the fully scored), "five": five_numbers}
    bands: list = field(default_factory=list)
    _ready: dict = field(default_factory=dict, repr=False)  # needed → ready(needed), kept with the figures

    def ready(self, needed):
        """({application pk: (outcome, level) suggested, or None while a criterion is unscored} of the applications
        with at least ``needed`` counted reviews, {(outcome, level): how many}), worked out once per figures."""
        if needed not in self._ready:
            ready = {}
            for pk, row in self.figures.items():
                if row["reviews_done"] >= needed:
                    ready[pk] = None if row["pending"] else row["suggestion"]
            counts = {}
            for key in ready.values():
                if key is not None:
                    counts[key] = counts.get(key, 0) + 1
            self._ready[needed] = (ready, counts)
        return self._ready[needed]


def fingerprint(cycle, rubric, review_settings):
    """What the summary depends on, in two aggregate queries.

    The reviews' figures are those of every cycle's: the ``review_fingerprint`` index holds them, so the
    database reads neither a review (its comments) nor an application (its JSON) to find the cycle's.
    A review of another cycle changes them too, and the next page computes the figures once more.
    """
    reviews = Review.objects.aggregate(
        n=Count("id"),
        top=Max("id"),
        versions=Sum("version"),
        last=Max("updated_at"),
        counted=Count("id", filter=Q(status=Review.Status.SUBMITTED, excluded=False)),
    )
    applications = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).aggregate(
        n=Count("id"), scored=Max("score__computed_at"), scores=Count("score")
    )
    return (
        tuple(sorted(reviews.items())),
        tuple(sorted(applications.items())),
        rubric.version,
        review_settings.pk,
        review_settings.disagreement_margin,
        review_settings.divergence_margin,
    )


def cycle_summary(cycle, rubric, review_settings):
    """The cycle's ``CycleSummary``: kept, or computed again when its fingerprint changed."""
    key = fingerprint(cycle, rubric, review_settings)
    kept = _KEPT.get(cycle.pk)
    if kept and kept[0] == key:
        return kept[1]
    summary = compute(cycle, rubric, review_settings)
    summary.submitted = dict(key[1])["n"]
    _KEPT.pop(cycle.pk, None)
    while len(_KEPT) >= _KEEP:
        _KEPT.pop(next(iter(_KEPT)))
    _KEPT[cycle.pk] = (key, summary)
    return summary


def _rules(cycle, rubric, application_ids):
    """The stored rule result of each of these applications; computed for any not current (rare)."""
    rules = {
        pk: result
        for pk, version, result in ScoreResult.objects.filter(application_id__in=application_ids).values_list(
            "application_id", "rubric_version", "result"
        )
        if version == rubric.version
    }
    missing = [pk for pk in application_ids if pk not in rules]
    if missing:
        rules.update(computed_rule_results(missing, rubric))
    return rules


def compute(cycle, rubric, review_settings):
    """The summary from compact rows: every counted review of the cycle's submitted applications."""
    reviews, populations = {}, {}
    for reviewer_id, application_id, judged, adjustments, population in (
        Review.objects.counted()
        .filter(assignment__application__cycle=cycle, assignment__application__status=Application.Status.SUBMITTED)
        .order_by("assignment__assigned_at", "assignment_id")
        .values_list(
            "assignment__reviewer_id",
            "assignment__application_id",
            "judged",
            "adjustments",
            "assignment__application__jurisdiction__population",
        )
    ):
        populations[application_id] = population
        reviews.setdefault(application_id, []).append(ReviewScores("", reviewer_id, judged, adjustments))
    rules = _rules(cycle, rubric, list(reviews))
    codes = [c.code for c in rubric.criteria]
    judged_codes = {c.code for c in rubric.criteria if c.is_judged}
    divergence = review_settings.divergence_margin
    disagreement = float(review_settings.disagreement_margin)
    summary, review_totals = CycleSummary(), []
    for application_id, scores in reviews.items():
        rule = rules[application_id]
        combined = combine(codes, judged_codes, rule["criteria"], scores, divergence)
        result = engine.with_reviews(rubric, rule, combined.judged, combined.adjusted)
        review_totals += [(reviewer_id, application_id, total) for reviewer_id, total in combined.totals.items()]
        summary.figures[application_id] = {
            "reviews_done": len(scores),
            "total": result["total"],
            "level": None if result["pending"] else result["level"],
            "eligible": result["eligible"],
            "pending": bool(result["pending"]),
            "spread": combined.spread,
            "disagree": combined.spread > disagreement,
            "divergences": len(combined.divergences),
            "other_conditions": engine.conditions_met(rubric, result),
            "suggestion": suggestion(result),  # what a decision by the threshold would be
        }
    for application_id, value in normalised_totals(review_totals).items():
        row = summary.figures[application_id]
        row["normalised_total"] = value
        row["normalised_level"] = engine.level_for(value, rubric.levels, rubric.threshold, row["other_conditions"])
        row["normalisation_changes"] = not row["pending"] and row["normalised_level"] != row["level"]
        summary.changes += row["normalisation_changes"]
    lenient = leniency(review_totals)
    by_reviewer = {}
    for reviewer_id, _application, total in review_totals:
        by_reviewer.setdefault(reviewer_id, []).append(total)
    for reviewer_id, totals in by_reviewer.items():
        summary.reviewers[reviewer_id] = {
            "reviews": len(totals),
            "mean_total": round(sum(totals) / len(totals), 2),
            "leniency": lenient.get(reviewer_id),
        }
    summary.agreement, summary.mean_difference = agreement(review_totals, disagreement)
    summary.alpha = panel_alpha(review_totals)
    summary.bands = _bands(summary.figures, populations)
    # An assignment comes with its review, so a new one changes the fingerprint too.
    summary.assigned = list(
        Assignment.objects.filter(application__cycle=cycle).values_list("reviewer_id", flat=True).distinct()
    )
    return summary


def _bands(figures, populations):
    """The combined totals of the fully scored applications, by their jurisdiction's population band."""
    totals = {name: [] for _lower, name in POPULATION_BANDS}
    for application_id, row in figures.items():
        if not row["pending"]:
            totals[population_band(populations[application_id])].append(float(row["total"]))
    return [{"band": name, "totals": sorted(values), "five": five_numbers(values)} for name, values in totals.items()]
