"""What the panel's pages read: a cycle's applications with their figures, one application's reviews.

Rule scores come from each application's stored ``scoring.models.ScoreResult``
(kept current on every save of the answers and documents); the engine only adds
the reviewers' combined points to them, without reading the answers again. The
rubric is loaded once per page and handed down.
"""

from django.core.paginator import Paginator

from assessment.models import Application, User
from review import charts
from review.aggregate import NORMALISATION_IN_WORDS, ReviewScores, alpha_reading, combine
from review.assignment import reviewers
from review.conflicts import conflicts_by_reviewer
from review.models import Assignment, Decision, Review, settings_for
from review.rule_scores import rule_result, rule_results
from review.summary import cycle_summary
from scoring import engine
from scoring.domain import facts_for, rubric_for


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
    review_settings = settings_for(application.cycle)
    panel = _panel(rubric, rule_result(application, rubric), reviews, review_settings.divergence_margin)
    panel["required"] = review_settings.reviewers_per_application  # counted reviews a result needs
    return panel


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


def assignable(application, taken=None):
    """Who may be assigned to this application by hand: (the active reviewers without a conflict of interest
    with it and not assigned to it, the reviewers left out for a conflict, the ids of those assigned). Three
    queries (two for the conflicts, none when every reviewer is assigned already); one more when ``taken`` — the
    ids of its assigned reviewers — is not given."""
    if taken is None:
        taken = set(application.assignments.filter(active=True).values_list("reviewer_id", flat=True))
    free = [r for r in reviewers() if r.pk not in taken]
    conflicts = conflicts_by_reviewer(free) if free else {}
    candidates = [r for r in free if application.jurisdiction_id not in conflicts[r.pk]]
    conflicted = [r for r in free if application.jurisdiction_id in conflicts[r.pk]]
    return candidates, conflicted, set(taken)


PER_PAGE = 50


def cycle_panel(cycle, page=1, review_settings=None):
    """A page of the cycle's submitted applications (by jurisdiction, ``PER_PAGE`` at a time) with their
    panel figures, and the cycle-wide figures from ``review.summary``: a constant number of queries,
    whatever the size of the cycle, and no application's answers read. ``review_settings``: the cycle's,
    when the caller has them already."""
    rubric = rubric_for(cycle).to_engine()
    review_settings = review_settings or settings_for(cycle)
    summary = cycle_summary(cycle, rubric, review_settings)
    # The page is found among the keys, sorted by the database from the ``application_cycle_status`` index
    # and the jurisdictions' names without reading an application's row; then the page's rows are read.
    keys = (
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .order_by("jurisdiction__name", "pk")
        .values("pk")
    )
    paginator = Paginator(keys, PER_PAGE)
    paginator.count = summary.submitted  # counted with the figures' fingerprint already
    listed = paginator.get_page(page)
    listed.object_list = list(
        Application.objects.filter(pk__in=listed.object_list)  # the page's keys, a subquery of the same query
        .select_related("jurisdiction", "score")
        .only("pk", "cycle_id", "jurisdiction__name", "jurisdiction__state", "score__total", "score__rubric_version")
        .order_by("jurisdiction__name", "pk")
    )
    applications = listed.object_list
    ids = [a.pk for a in applications]
    assignments = {}
    for assignment in (
        Assignment.objects.filter(application__in=ids)
        .select_related("reviewer", "review")
        .defer("review__judged", "review__adjustments", "review__comments_for_applicant", "review__private_notes")
    ):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    decisions = {d.application_id: d for d in Decision.objects.filter(application__in=ids, superseded_at=None)}
    stale = [a for a in applications if getattr(a, "score", None) is None or a.score.rubric_version != rubric.version]
    rule_totals = {pk: result["total"] for pk, result in rule_results(stale, rubric).items()} if stale else {}
    rows = []
    for application in applications:
        mine = assignments.get(application.pk, [])
        figures = summary.figures.get(application.pk, {})
        rule_total = rule_totals.get(application.pk)
        rows.append(
            {
                "application": application,
                "assignments": [a for a in mine if a.active],
                "reviews_done": sum(1 for a in mine if a.review.counts),
                "rule_total": float(application.score.total) if rule_total is None else rule_total,
                "total": figures.get("total"),
                "level": figures.get("level"),
                "spread": figures.get("spread", 0),
                "disagree": figures.get("disagree", False),
                "divergences": figures.get("divergences", 0),
                "normalised_total": figures.get("normalised_total"),
                "normalisation_changes": figures.get("normalisation_changes", False),
                "decision": decisions.get(application.pk),
            }
        )
    named = User.objects.filter(pk__in=summary.assigned)
    none = {"reviews": 0, "mean_total": None, "leniency": None}
    reviewers = [{"reviewer": r, **summary.reviewers.get(r.pk, none)} for r in named]
    lenient = sorted(
        ((str(r["reviewer"]), r["leniency"]) for r in reviewers if r["leniency"] is not None),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return {
        "rubric": rubric,
        "settings": review_settings,
        "page": listed,
        "page_range": listed.paginator.get_elided_page_range(listed.number, on_each_side=2, on_ends=1),
        "rows": rows,
        "reviewers": sorted(reviewers, key=lambda r: str(r["reviewer"])),
        "agreement": summary.agreement,
        "mean_difference": summary.mean_difference,
        "changes": summary.changes,
        "reviewed": len(summary.figures),
        "alpha": summary.alpha,
        "alpha_reading": alpha_reading(summary.alpha),
        "normalisation": NORMALISATION_IN_WORDS,
        "band_chart": charts.band_chart(summary.bands, sum(c.points for c in rubric.categories), rubric.threshold),
        "bands": charts.band_table_rows(summary.bands),
        "leniency_chart": charts.leniency_chart(lenient) if lenient else None,
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


def current_decision(application):
    """The decision in force (not superseded), published or not; None before the first."""
    return application.decisions.filter(superseded_at=None).first()
