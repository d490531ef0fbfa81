"""Who may see what. One scoped queryset per resource, one lookup per view.

An outsider cannot tell a forbidden object from a missing one: lookups search
inside the set the user may see and raise 404 otherwise. Read-only access
(an organizer looking at an application) gets 403 on writes.

Every permission predicate of the project lives here, the review and reports
apps' included. This module sits below them and never imports them: review
data is read through the reverse relations of ``Application``
(``application.assignments``, ``.decisions``), whose names the review models
declare.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument

# Values of review.models.Review.Status and Decision.Outcome, spelled out: this module does not import review.
REVIEW_SUBMITTED = "submitted"
DESIGNATED = "designated"


def applications_for(user):
    """The applications this user may read."""
    qs = Application.objects.select_related("jurisdiction", "cycle")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_organizer:
        return qs
    if user.is_applicant and user.jurisdiction_id:
        return qs.filter(jurisdiction_id=user.jurisdiction_id)
    if user.is_reviewer:
        # Only what they are assigned to now; an ended assignment (a conflict
        # found, a reassignment) closes the door again.
        return qs.filter(assignments__reviewer=user, assignments__active=True)
    return qs.none()


def get_application_for(request, pk):
    return get_object_or_404(applications_for(request.user), pk=pk)


def can_edit(user, application):
    return user.is_applicant and user.jurisdiction_id == application.jurisdiction_id


def get_editable_application_for(request, pk):
    """An application the user may change: its own jurisdiction's staff only."""
    application = get_application_for(request, pk)
    if not can_edit(request.user, application):
        raise PermissionDenied(_("Only the jurisdiction's own staff can change its application."))
    return application


def get_document_for(request, pk):
    visible = applications_for(request.user).values("pk")
    return get_object_or_404(EvidenceDocument.objects.select_related("application"), pk=pk, application__in=visible)


def require_organizer(user):
    if not (user.is_authenticated and user.is_organizer):
        raise PermissionDenied(_("Only organizers can do this."))


def organizer_required(view):
    """A view only organizers may open; anyone else gets 403 (``require_organizer``'s refusal)."""

    @wraps(view)
    def organizers_only(request, *args, **kwargs):
        require_organizer(request.user)
        return view(request, *args, **kwargs)

    return organizers_only


def get_cycle_for(request, pk):
    """A cycle, for an organizer: 403 for anyone else, 404 if there is no such cycle."""
    require_organizer(request.user)
    return get_object_or_404(Cycle, pk=pk)


def has_submitted_review(user, application):
    """A reviewer of the application whose own review is in: from then on they read the panel's work."""
    return (
        user.is_authenticated
        and user.is_reviewer
        # review.Assignment (related_name "assignments") and its review.Review (related_name "review").
        and application.assignments.filter(reviewer=user, active=True, review__status=REVIEW_SUBMITTED).exists()
    )


def sees_panel(user, application):
    """May this person read the panel's work on the application (reviews, names, unpublished decisions)?

    Organizers always; a reviewer once their own review of it is submitted
    (until then each review is independent); applicants never.
    """
    return user.is_authenticated and (user.is_organizer or has_submitted_review(user, application))


def audiences_for(user, application, panel=None):
    """The audiences of audit events this person may read on an application they may open.

    ``panel``: ``sees_panel(user, application)`` when the caller has it already.
    """
    Audience = AuditEvent.Audience
    if user.is_organizer:
        return list(Audience.values)
    audiences = [Audience.PUBLIC]
    if can_edit(user, application):
        audiences.append(Audience.APPLICANT)
    if sees_panel(user, application) if panel is None else panel:
        audiences.append(Audience.PANEL)
    return audiences


def visible_events(user, application, panel=None):
    """The application's history as this person may read it, newest first."""
    audiences = audiences_for(user, application, panel)
    return application.audit_events.filter(audience__in=audiences).select_related("actor")


def may_read_applicant_comments(user, application, decision):
    """Reviewers' comments for the applicant: the panel any time, the applicant's staff once the decision is out."""
    if sees_panel(user, application):
        return True
    return can_edit(user, application) and decision is not None and decision.published_at is not None


def may_read_appeals(user, application):
    """An appeal is between the applicant and the organizers: reviewers read neither statement nor outcome."""
    return user.is_authenticated and (user.is_organizer or can_edit(user, application))


def may_ask(user, application):
    """May this person ask the applicant a clarifying question? Organizers, and the application's reviewers now."""
    if user.is_organizer:
        return True
    # review.Assignment, through its related_name "assignments".
    return user.is_reviewer and application.assignments.filter(reviewer=user, active=True).exists()


def may_read_report(user, application):
    """After ``get_application_for``: may this person read the application's report now?"""
    if user.is_organizer or user.is_reviewer:
        return True
    if not user.is_applicant:
        return False
    # The current review.Decision (related_name "decisions"), as review.queries.current_decision finds it.
    decision = application.decisions.filter(superseded_at=None).first()
    return decision is not None and decision.published_at is not None


def may_appeal(user, application):
    """Who may appeal the application's decision: its own jurisdiction's staff (when: review.appeals.why_no_appeal)."""
    return user.is_authenticated and can_edit(user, application)


def may_follow(user, application):
    """May this person follow where the application stands (its state, a question waiting, the decision's lead)?

    Its own jurisdiction's staff and organizers. A reviewer reads the application for their review
    only: neither its state nor the decision is theirs to see on the application's pages.
    """
    return user.is_authenticated and (user.is_organizer or can_edit(user, application))


def may_read_decision(user, application, decision):
    """May this person read the panel's decision (outcome, level, rationale) on the application's pages?

    Organizers as soon as it is recorded; the jurisdiction's staff once it is published, and
    until then not even that there is one; reviewers never there. Whoever may read it may read
    the report with it (``may_read_report``), which the pages link to beside it.
    """
    if decision is None or not may_follow(user, application):
        return False
    return user.is_organizer or decision.published_at is not None


def may_read_submission_record(user, application):
    """The PDF record of what was submitted: the submitted application's own staff and organizers."""
    return not application.is_draft and may_follow(user, application)


def may_withdraw_designation(user, decision):
    """Organizers alone withdraw a designation, and only one in force: the application's current decision,
    published, designating it (the withdrawal itself: review.withdrawal)."""
    return (
        user.is_authenticated
        and user.is_organizer
        and decision is not None
        and decision.outcome == DESIGNATED
        and decision.published_at is not None
        and decision.superseded_at is None
    )
