"""The panel's arithmetic: reviewers' scores combined, compared and normalised.

Pure functions over plain data, so the numbers can be checked by hand (points are added up exactly, in
``Decimal``, and handed on as floats rounded to hundredths; the level a total earns is the engine's
``scoring.engine.level_for``):

- a reviewer's score of a criterion is their judged points (narratives) or,
  for a rule criterion, the engine's points unless they adjusted them;
- an application's combined score of a criterion is the mean over its
  counted reviews (submitted, not excluded);
- the spread is the highest reviewer total minus the lowest;
- a reviewer's leniency is the mean of (their total − the application's
  combined total) over the applications they reviewed;
- normalisation: each review total becomes a z-score within its reviewer's
  totals, mapped back onto the scale of all review totals of the cycle;
- Krippendorff's alpha (interval metric) of the review totals, reviewers × applications.
"""

from dataclasses import dataclass, field
from statistics import mean, median, pstdev, quantiles

import krippendorff
import numpy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.rules import ZERO, dec


@dataclass
class ReviewScores:
    reviewer: str  # a name to show
    reviewer_id: int
    judged: dict  # code → points
    adjustments: dict  # code → {"points": n, "reason": "…"}


@dataclass
class Combined:
    judged: dict = field(default_factory=dict)  # code → mean judged points
    adjusted: dict = field(default_factory=dict)  # code → mean points where any reviewer adjusted
    totals: dict = field(default_factory=dict)  # reviewer_id → that reviewer's total
    per_criterion: dict = field(default_factory=dict)  # code → {reviewer_id: points}
    divergences: list = field(default_factory=list)  # (reviewer, code, rule points, adjusted points, reason)

    @property
    def spread(self):
        return round(max(self.totals.values()) - min(self.totals.values()), 2) if self.totals else 0


def reviewer_points(criterion_codes, judged_codes, rule_points, review):
    """Every criterion's points as one reviewer scored it, exactly (Decimal)."""
    points = {}
    for code in criterion_codes:
        if code in judged_codes:
            value = review.judged.get(code)
            points[code] = dec(value) if value is not None else ZERO
        elif code in review.adjustments:
            points[code] = dec(review.adjustments[code]["points"])
        else:
            points[code] = dec(rule_points.get(code) or 0)
    return points


def _mean(values):
    """The exact mean of Decimals, as a float rounded to hundredths (what pages show and the engine reads)."""
    return float(round(sum(values, ZERO) / len(values), 2))


def combine(criterion_codes, judged_codes, rule_points, reviews, divergence_margin=2):
    """Combine the counted reviews of one application. ``rule_points``: the engine's points by code."""
    combined = Combined()
    if not reviews:
        return combined
    by_reviewer = {r.reviewer_id: reviewer_points(criterion_codes, judged_codes, rule_points, r) for r in reviews}
    for code in criterion_codes:
        values = {rid: pts[code] for rid, pts in by_reviewer.items()}
        combined.per_criterion[code] = {rid: float(points) for rid, points in values.items()}
        if code in judged_codes:
            combined.judged[code] = _mean(list(values.values()))
        elif any(code in r.adjustments for r in reviews):
            combined.adjusted[code] = _mean(list(values.values()))
    combined.totals = {rid: float(round(sum(pts.values(), ZERO), 2)) for rid, pts in by_reviewer.items()}
    for review in reviews:
        for code, adjustment in review.adjustments.items():
            rule, adjusted = dec(rule_points.get(code) or 0), dec(adjustment["points"])
            if abs(adjusted - rule) > dec(divergence_margin):
                combined.divergences.append((review.reviewer, code, float(rule), float(adjusted), adjustment["reason"]))
    return combined


def leniency(review_totals):
    """``review_totals``: [(reviewer_id, application_id, total)]. Returns reviewer_id → mean deviation."""
    by_application = {}
    for _reviewer, application, total in review_totals:
        by_application.setdefault(application, []).append(total)
    deviations = {}
    for reviewer, application, total in review_totals:
        if len(by_application[application]) > 1:
            deviations.setdefault(reviewer, []).append(total - mean(by_application[application]))
    return {reviewer: round(mean(values), 2) for reviewer, values in deviations.items()}


def agreement(review_totals, margin):
    """How often reviewers of the same application agree: (share within margin, mean absolute difference)."""
    by_application = {}
    for _reviewer, application, total in review_totals:
        by_application.setdefault(application, []).append(total)
    differences, within = [], 0
    shared = [totals for totals in by_application.values() if len(totals) > 1]
    for totals in shared:
        spread = max(totals) - min(totals)
        within += spread <= margin
        differences.extend(abs(a - b) for i, a in enumerate(totals) for b in totals[i + 1 :])
    if not shared:
        return None, None
    return round(100 * within / len(shared), 1), round(mean(differences), 2)


def normalised_totals(review_totals):
    """Application id → mean of its reviews' totals after per-reviewer z-score normalisation."""
    if not review_totals:
        return {}
    everything = [t for _r, _a, t in review_totals]
    overall_mean, overall_sd = mean(everything), pstdev(everything)
    by_reviewer = {}
    for reviewer, _application, total in review_totals:
        by_reviewer.setdefault(reviewer, []).append(total)
    stats = {r: (mean(ts), pstdev(ts)) for r, ts in by_reviewer.items()}
    normalised = {}
    for reviewer, application, total in review_totals:
        reviewer_mean, reviewer_sd = stats[reviewer]
        if reviewer_sd > 0 and overall_sd > 0:
            value = overall_mean + overall_sd * (total - reviewer_mean) / reviewer_sd
        else:  # one review, or all alike: shift by the reviewer's offset only
            value = total - reviewer_mean + overall_mean
        normalised.setdefault(application, []).append(value)
    return {application: round(mean(values), 2) for application, values in normalised.items()}


# Said beside the normalised figures, in the words of ``normalised_totals``.
NORMALISATION_IN_WORDS = gettext_lazy(
    "Normalised: each reviewer's totals are put on one common scale (their own average and range replaced by "
    "the whole panel's), then averaged, so a lenient or a harsh reviewer weighs the same."
)

# ``krippendorff.alpha`` builds an array of units × values × values: while the panel stays under this many cells
# (a few tens of MB) the package computes alpha; above it, the same formula in one pass over the totals
# (5,000 applications with 140 distinct totals would need 800 MB and seconds).
ALPHA_CELLS = 2_000_000


def _alpha_in_one_pass(units):
    """Krippendorff's alpha, interval metric, from its definition: 1 − (n − 1) · Σ_u D_u / Σ_pairs (c − k)²,
    where D_u = Σ_{i≠j in u} (v_i − v_j)² / (m_u − 1) and the pairs run over all n pairable values.
    Σ_{i≠j} (v_i − v_j)² = 2 (m Σv² − (Σv)²), so each sum takes one pass. Values centred first, for precision."""
    centre = mean(v for values in units for v in values)
    units = [[v - centre for v in values] for values in units]

    def pairs(values):  # Σ over ordered pairs i ≠ j of (v_i − v_j)²
        return 2 * (len(values) * sum(v * v for v in values) - sum(values) ** 2)

    everything = [v for values in units for v in values]
    expected = pairs(everything)
    if expected <= 0:
        raise ValueError("There has to be more than one value in the domain.")
    observed = sum(pairs(values) / (len(values) - 1) for values in units)
    return 1 - (len(everything) - 1) * observed / expected


def panel_alpha(review_totals):
    """Krippendorff's alpha (interval metric) of the review totals — ``[(reviewer_id, application_id, total)]``
    — as reliability data: reviewers × applications, NaN where a reviewer did not rate. Only applications with
    two ratings or more take part (alone, a rating is not pairable). None when fewer than two applications
    have two ratings, or when alpha cannot be computed (every total alike)."""
    by_application = {}
    for reviewer, application, total in review_totals:
        by_application.setdefault(application, {})[reviewer] = total
    shared = {a: ratings for a, ratings in by_application.items() if len(ratings) > 1}
    if len(shared) < 2:
        return None
    raters = sorted({r for ratings in shared.values() for r in ratings})
    values = {t for ratings in shared.values() for t in ratings.values()}
    try:
        if len(shared) * len(values) ** 2 > ALPHA_CELLS:
            value = _alpha_in_one_pass([list(ratings.values()) for ratings in shared.values()])
        else:
            data = numpy.full((len(raters), len(shared)), numpy.nan)
            row = {r: i for i, r in enumerate(raters)}
            for column, ratings in enumerate(shared.values()):
                for reviewer, total in ratings.items():
                    data[row[reviewer], column] = total
            value = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    except ValueError:
        return None
    value = float(value)
    return round(value, 3) if numpy.isfinite(value) else None


def alpha_reading(alpha):
    """Krippendorff's reading of an alpha: reliable from 0.8, tentative from 0.667, otherwise weak."""
    if alpha is None:
        return _("not enough shared ratings yet")
    if alpha >= 0.8:
        return _("reliable agreement")
    if alpha >= 0.667:
        return _("tentative agreement")
    return _("weak agreement: look at the disagreements")


def five_numbers(values):
    """(lowest, lower quartile, median, upper quartile, highest) of these values, rounded to hundredths, as a box
    plot draws them (quartiles by the inclusive method); None without values."""
    values = sorted(values)
    if not values:
        return None
    low, high = (values[0], values[-1]) if len(values) == 1 else quantiles(values, n=4, method="inclusive")[::2]
    return tuple(round(v, 2) for v in (values[0], low, median(values), high, values[-1]))
