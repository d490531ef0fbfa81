"""A reviewer's own review: its scores checked against the rubric, saved as a draft, submitted once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.audit import audit, said
from review.errors import ReviewError, StaleReview
from review.mail import clock
from review.models import Review
from scoring import engine
from scoring.domain import rubric_for
from scoring.rules import fmt


def check_review(rubric, judged, adjustments, submitting):
    """Problems with a review's scores, as messages; empty when it may be saved (or submitted)."""
    problems = []
    by_code = {c.code: c for c in rubric.criteria}
    for code, points in judged.items():
        criterion = by_code.get(code)
        if criterion is None or not criterion.is_judged:
            problems.append(_("%(code)s is not a criterion reviewers judge.") % {"code": code})
        elif not 0 <= float(points) <= criterion.points:
            problems.append(
                _("%(code)s: give 0 to %(most)s points.") % {"code": code, "most": f"{float(criterion.points):g}"}
            )
    for code, adjustment in adjustments.items():
        criterion = by_code.get(code)
        if criterion is None or criterion.is_judged:
            problems.append(_("%(code)s is not a rule-scored criterion.") % {"code": code})
            continue
        if not 0 <= float(adjustment["points"]) <= criterion.points:
            problems.append(
                _("%(code)s %(title)s: an adjusted score must be 0 to %(most)s.")
                % {"code": code, "title": criterion.title, "most": f"{float(criterion.points):g}"}
            )
        if not (adjustment.get("reason") or "").strip():
            problems.append(
                _("%(code)s %(title)s: say why you adjust the rule score.") % {"code": code, "title": criterion.title}
            )
    if submitting:
        for criterion in rubric.criteria:
            if criterion.is_judged and judged.get(criterion.code) is None:
                problems.append(
                    _("%(code)s %(title)s: score it before submitting.")
                    % {"code": criterion.code, "title": criterion.title}
                )
    return problems


def save_review(review, by, expected_version, judged, adjustments, comments, notes, submit=False, complete=False):
    """Save a review draft (and submit it, once). Raises StaleReview when someone saved in between.

    ``complete``: save the draft only if it could be submitted as it is (it is about to be).
    """
    application = review.assignment.application
    if review.assignment.reviewer_id != by.pk:
        raise ReviewError(_("Only the assigned reviewer can change this review."))
    if not review.assignment.active:
        raise ReviewError(_("This assignment has ended; the review can no longer change."))
    rubric = rubric_for(application.cycle).to_engine()
    problems = check_review(rubric, judged, adjustments, submit or complete)
    if problems:
        raise ReviewError(" ".join(problems))
    now = timezone.now()
    with transaction.atomic():
        fields = {
            "judged": judged,
            "adjustments": adjustments,
            "comments_for_applicant": comments,
            "private_notes": notes,
            "version": expected_version + 1,
            "updated_at": now,
        }
        if submit:
            fields.update(status=Review.Status.SUBMITTED, submitted_at=now)
        updated = Review.objects.filter(pk=review.pk, version=expected_version, status=Review.Status.DRAFT).update(
            **fields
        )
        if not updated:
            current = Review.objects.get(pk=review.pk)
            if current.is_submitted:
                raise ReviewError(_("This review was already submitted; it can no longer change."))
            raise StaleReview(
                _("You saved this review in another tab or window at %(time)s, after you opened this page.")
                % {"time": clock(timezone.localtime(current.updated_at))},
                current=current,
            )
        # The scores stay in the review (and in ``data`` for the record); the line says what happened.
        action = "review.submitted" if submit else "review.saved"
        audit(
            by,
            action,
            application=application,
            words=said(gettext_noop("Submitted a review") if submit else gettext_noop("Saved a review draft")),
            judged=judged,
            adjustments=adjustments,
        )
    review.refresh_from_db()
    return review


def submit_context(review, data):
    """What the page that asks before submitting shows: the saved draft's scores, its total and its words."""
    rubric = data["rubric"]
    adjusted = {code: a["points"] for code, a in review.adjustments.items()}
    result = engine.with_reviews(rubric, data["rule"], review.judged, adjusted)
    judged = [
        {"code": c.code, "title": c.title, "points": fmt(review.judged[c.code]), "max": fmt(c.points)}
        for c in rubric.criteria
        if c.is_judged and review.judged.get(c.code) is not None
    ]
    by_code = {c.code: c for c in rubric.criteria}
    adjustments = [
        {"code": code, "title": by_code[code].title, "points": fmt(a["points"]), "reason": a.get("reason", "")}
        for code, a in sorted(review.adjustments.items())
        if code in by_code
    ]
    return {
        "review": review,
        "application": review.assignment.application,
        "missing": check_review(rubric, review.judged, review.adjustments, submitting=True),
        "judged": judged,
        "adjustments": adjustments,
        "total": fmt(result["total"]),
        "max_total": fmt(sum(c.points for c in rubric.categories)),
    }
