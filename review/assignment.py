"""Who reviews what: assigning reviewers by hand or automatically, ending assignments, declared conflicts.

Each function checks the transition and writes the audit record.
"""

from django.db import transaction
from django.utils import timezone

from assessment.audit import audit
from assessment.models import Application, User
from review.conflicts import conflicts_by_reviewer
from review.errors import ReviewError
from review.mail import notify_assignment
from review.models import Assignment, DeclaredConflict, Review, settings_for


def reviewers():
    """Every active reviewer, with their jurisdiction (for conflicts)."""
    return User.objects.filter(role=User.Role.REVIEWER, is_active=True).select_related("jurisdiction")


def assign(application, reviewer, by):
    """Assign one reviewer by hand. Refused for conflicts, drafts and duplicates."""
    if not reviewer.is_reviewer:
        raise ReviewError(f"{reviewer} is not a reviewer.")
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError("Only submitted applications are reviewed.")
    if application.jurisdiction_id in conflicts_by_reviewer([reviewer])[reviewer.pk]:
        raise ReviewError(f"{reviewer} has a conflict of interest with {application.jurisdiction}.")
    with transaction.atomic():
        if Assignment.objects.filter(application=application, reviewer=reviewer, active=True).exists():
            raise ReviewError(f"{reviewer} is already assigned to this application.")
        assignment = Assignment.objects.create(application=application, reviewer=reviewer, assigned_by=by)
        Review.objects.create(assignment=assignment)
        audit(by, "review.assigned", f"Assigned {reviewer} to review", application, reviewer=reviewer.pk)
        transaction.on_commit(lambda: notify_assignment(assignment))
    return assignment


def _fitting(reason, limit):
    """A reason typed into a plain text box, as its column can store it: no NUL (PostgreSQL refuses it)."""
    reason = reason.replace("\x00", "").strip()
    if len(reason) > limit:
        raise ReviewError(f"Keep the reason to {limit} characters; it has {len(reason)}.")
    return reason


def unassign(assignment, by, reason):
    """End an assignment; it and any review stay on record."""
    if not assignment.active:
        raise ReviewError("This assignment has already ended.")
    reason = _fitting(reason, 300)
    if not reason:
        raise ReviewError("Say why the reviewer is taken off this application.")
    assignment.active = False
    assignment.ended_at = timezone.now()
    assignment.ended_by = by
    assignment.end_reason = reason
    assignment.save(update_fields=["active", "ended_at", "ended_by", "end_reason"])
    audit(
        by,
        "review.unassigned",
        f"Took {assignment.reviewer} off: {reason}",
        assignment.application,
        reviewer=assignment.reviewer_id,
    )
    return assignment


def auto_assign(cycle, by):
    """Give every submitted application its reviewers, balancing the load.

    The most constrained applications (fewest eligible reviewers) go first;
    each takes the eligible reviewers with the lightest load, never over the
    cap and never with a conflict. Returns (assignments made, shortfalls),
    a shortfall being (application, how many reviewers it still lacks).
    """
    review_settings = settings_for(cycle)
    panel = list(reviewers())
    conflicts = conflicts_by_reviewer(panel)
    applications = list(
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).select_related("jurisdiction")
    )
    current = {}
    load = {r.pk: 0 for r in panel}
    for application_id, reviewer_id in Assignment.objects.filter(application__cycle=cycle, active=True).values_list(
        "application_id", "reviewer_id"
    ):
        current.setdefault(application_id, set()).add(reviewer_id)
        load[reviewer_id] = load.get(reviewer_id, 0) + 1

    def eligible(application):
        taken = current.get(application.pk, set())
        return [r for r in panel if r.pk not in taken and application.jurisdiction_id not in conflicts[r.pk]]

    made, shortfalls = [], []
    applications.sort(key=lambda a: (len(eligible(a)), a.jurisdiction.name))
    with transaction.atomic():
        for application in applications:
            needed = review_settings.reviewers_per_application - len(current.get(application.pk, set()))
            if needed <= 0:
                continue
            candidates = [r for r in eligible(application) if load[r.pk] < review_settings.max_per_reviewer]
            candidates.sort(key=lambda r: (load[r.pk], r.username))
            for reviewer in candidates[:needed]:
                made.append(assign(application, reviewer, by))
                load[reviewer.pk] += 1
                current.setdefault(application.pk, set()).add(reviewer.pk)
            missing = needed - min(needed, len(candidates))
            if missing:
                shortfalls.append((application, missing))
        audit(
            by,
            "review.auto_assigned",
            f"Automatic assignment: {len(made)} assignments, {len(shortfalls)} short",
            cycle=cycle,
        )
    return made, shortfalls


def declare_conflict(reviewer, jurisdiction, reason, by):
    """Record a conflict; active assignments it touches end, submitted reviews are excluded (kept)."""
    reason = _fitting(reason, 250)  # 250: it is stored again after "Conflict of interest found after scoring: "
    if not reason:
        raise ReviewError("Describe the conflict.")
    with transaction.atomic():
        DeclaredConflict.objects.get_or_create(
            reviewer=reviewer, jurisdiction=jurisdiction, defaults={"reason": reason}
        )
        audit(by, "review.conflict_declared", f"{reviewer} declared a conflict with {jurisdiction}: {reason}")
        conflicted = conflicts_by_reviewer([reviewer])[reviewer.pk]
        for assignment in Assignment.objects.filter(
            reviewer=reviewer, active=True, application__jurisdiction_id__in=conflicted
        ).select_related("application", "review"):
            review = assignment.review
            if review.is_submitted:
                review.excluded = True
                review.excluded_reason = f"Conflict of interest found after scoring: {reason}"
                review.save(update_fields=["excluded", "excluded_reason"])
                audit(
                    by,
                    "review.excluded",
                    f"Excluded {reviewer}'s review: conflict of interest",
                    assignment.application,
                    reviewer=reviewer.pk,
                )
            unassign(assignment, by, f"Conflict of interest: {reason}")
