"""Who reviews what: assigning reviewers by hand or automatically, ending assignments, declared conflicts.

Each function checks the transition and writes the audit record.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.audit import audit, said
from assessment.models import Application, Cycle, User
from review.conflicts import conflicts_by_reviewer
from review.errors import ReviewError
from review.mail import notify_assignments
from review.matching import Need, Reviewer, match, shortfalls
from review.models import Assignment, DeclaredConflict, Review, settings_for


def reviewers():
    """Every active reviewer, with their jurisdiction (for conflicts)."""
    return User.objects.filter(role=User.Role.REVIEWER, is_active=True).select_related("jurisdiction")


def assign(application, reviewer, by):
    """Assign one reviewer by hand. Refused for conflicts, drafts and duplicates."""
    if not reviewer.is_reviewer:
        raise ReviewError(_("%(reviewer)s is not a reviewer.") % {"reviewer": reviewer})
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError(_("Only submitted applications are reviewed."))
    if application.jurisdiction_id in conflicts_by_reviewer([reviewer])[reviewer.pk]:
        raise ReviewError(
            _("%(reviewer)s has a conflict of interest with %(jurisdiction)s.")
            % {"reviewer": reviewer, "jurisdiction": application.jurisdiction}
        )
    with transaction.atomic():
        if Assignment.objects.filter(application=application, reviewer=reviewer, active=True).exists():
            raise ReviewError(_("%(reviewer)s is already assigned to this application.") % {"reviewer": reviewer})
        assignment = _create(application, reviewer, by)
        transaction.on_commit(lambda: notify_assignments([assignment]))
    return assignment


def _create(application, reviewer, by):
    """The assignment and its (empty) review, audited; the caller checked it is allowed and sends the e-mail."""
    assignment = Assignment.objects.create(application=application, reviewer=reviewer, assigned_by=by)
    Review.objects.create(assignment=assignment)
    words = said(gettext_noop("Assigned %(reviewer)s to review"), reviewer=str(reviewer))
    audit(by, "review.assigned", application=application, words=words, reviewer=reviewer.pk)
    return assignment


def _fitting(reason, limit):
    """A reason typed into a plain text box, as its column can store it: no NUL (PostgreSQL refuses it)."""
    reason = reason.replace("\x00", "").strip()
    if len(reason) > limit:
        raise ReviewError(
            _("Keep the reason to %(limit)s characters; it has %(count)s.") % {"limit": limit, "count": len(reason)}
        )
    return reason


def unassign(assignment, by, reason):
    """End an assignment; it and any review stay on record."""
    if not assignment.active:
        raise ReviewError(_("This assignment has already ended."))
    reason = _fitting(reason, 300)
    if not reason:
        raise ReviewError(_("Say why the reviewer is taken off this application."))
    assignment.active = False
    assignment.ended_at = timezone.now()
    assignment.ended_by = by
    assignment.end_reason = reason
    assignment.save(update_fields=["active", "ended_at", "ended_by", "end_reason"])
    audit(
        by,
        "review.unassigned",
        application=assignment.application,
        words=said(gettext_noop("Took %(reviewer)s off: %(reason)s"), reviewer=str(assignment.reviewer), reason=reason),
        reviewer=assignment.reviewer_id,
    )
    return assignment


def auto_assign(cycle, by):
    """Give every submitted application its reviewers: as many as caps and conflicts allow, the load balanced.

    A minimum-cost maximum flow (``review.matching.match``) fills every slot that can be filled, spreads
    the work as evenly as it can, and among equally good answers prefers reviewers from a place in the
    same population band as the applicant. After the commit each reviewer gets one e-mail listing their
    new applications. Returns (assignments made, shortfalls), a shortfall being (application, how many
    reviewers it still lacks).
    """
    review_settings = settings_for(cycle)
    with transaction.atomic():
        # Two organizers pressing the button at once: the second waits, then sees the first one's assignments.
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        panel = {r.pk: r for r in reviewers().order_by("pk")}
        applications = {
            a.pk: a
            for a in Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
            .select_related("jurisdiction", "cycle")  # the e-mails read the cycle
            .order_by("pk")
        }
        current, load = _current(cycle, panel)
        needs = [Need(pk, review_settings.reviewers_per_application - len(current.get(pk, ()))) for pk in applications]
        eligible, preference = _candidates(applications, panel, current)
        pairs = match(
            needs, [Reviewer(pk, load[pk], review_settings.max_per_reviewer) for pk in panel], eligible, preference
        )
        made = [_create(applications[a], panel[r], by) for a, r in pairs]
        short = sorted(
            ((applications[a], missing) for a, missing in shortfalls(needs, pairs)),
            key=lambda item: (item[0].jurisdiction.name, item[0].pk),
        )
        audit(
            by,
            "review.auto_assigned",
            cycle=cycle,
            words=said(
                gettext_noop("Automatic assignment: %(made)s assignments, %(short)s short"),
                made=len(made),
                short=len(short),
            ),
        )
        transaction.on_commit(lambda: notify_assignments(made))
    return made, short


def _current(cycle, panel):
    """({application id: {reviewer ids}}, {reviewer id: active assignments}) in the cycle."""
    current, load = {}, dict.fromkeys(panel, 0)
    for application_id, reviewer_id in Assignment.objects.filter(application__cycle=cycle, active=True).values_list(
        "application_id", "reviewer_id"
    ):
        current.setdefault(application_id, set()).add(reviewer_id)
        load[reviewer_id] = load.get(reviewer_id, 0) + 1
    return current, load


def _candidates(applications, panel, current):
    """The pairs that may be assigned (no conflict, not assigned already) and the preferred ones among them.

    Preferred: the reviewer's own jurisdiction is in the applicant's population band; they know what a
    place of that size can do. It only ever chooses between assignments equally full and equally balanced.
    """
    conflicts = conflicts_by_reviewer(list(panel.values()))
    bands = {pk: r.jurisdiction.population_band for pk, r in panel.items() if r.jurisdiction_id}
    eligible, preference = [], {}
    for application in applications.values():
        band = application.jurisdiction.population_band
        taken = current.get(application.pk, ())
        for reviewer_id in panel:
            if reviewer_id in taken or application.jurisdiction_id in conflicts[reviewer_id]:
                continue
            eligible.append((application.pk, reviewer_id))
            if bands.get(reviewer_id) == band:
                preference[(application.pk, reviewer_id)] = 1
    return eligible, preference


def declare_conflict(reviewer, jurisdiction, reason, by):
    """Record a conflict; active assignments it touches end, submitted reviews are excluded (kept)."""
    reason = _fitting(reason, 250)  # 250: it is stored again after "Conflict of interest found after scoring: "
    if not reason:
        raise ReviewError(_("Describe the conflict."))
    with transaction.atomic():
        DeclaredConflict.objects.get_or_create(
            reviewer=reviewer, jurisdiction=jurisdiction, defaults={"reason": reason}
        )
        words = said(
            gettext_noop("%(reviewer)s declared a conflict with %(jurisdiction)s: %(reason)s"),
            reviewer=str(reviewer),
            jurisdiction=str(jurisdiction),
            reason=reason,
        )
        audit(by, "review.conflict_declared", words=words)
        conflicted = conflicts_by_reviewer([reviewer])[reviewer.pk]
        for assignment in Assignment.objects.filter(
            reviewer=reviewer, active=True, application__jurisdiction_id__in=conflicted
        ).select_related("application", "review"):
            review = assignment.review
            if review.is_submitted:
                review.excluded = True
                review.excluded_reason = _("Conflict of interest found after scoring: %(reason)s") % {"reason": reason}
                review.save(update_fields=["excluded", "excluded_reason"])
                audit(
                    by,
                    "review.excluded",
                    application=assignment.application,
                    words=said(
                        gettext_noop("Excluded %(reviewer)s's review: conflict of interest"), reviewer=str(reviewer)
                    ),
                    reviewer=reviewer.pk,
                )
            unassign(assignment, by, _("Conflict of interest: %(reason)s") % {"reason": reason})
