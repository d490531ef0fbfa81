"""Who may see what. One scoped queryset per resource, one lookup per view.

An outsider cannot tell a forbidden object from a missing one: lookups search
inside the set the user may see and raise 404 otherwise. Read-only access
(an organizer looking at an application) gets 403 on writes.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from assessment.models import Application, AuditEvent, EvidenceDocument


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
        raise PermissionDenied("Only the jurisdiction's own staff can change its application.")
    return application


def get_document_for(request, pk):
    visible = applications_for(request.user).values("pk")
    return get_object_or_404(EvidenceDocument.objects.select_related("application"), pk=pk, application__in=visible)


def require_organizer(user):
    if not (user.is_authenticated and user.is_organizer):
        raise PermissionDenied("Only organizers can do this.")


def has_submitted_review(user, application):
    """A reviewer of the application whose own review is in: from then on they read the panel's work."""
    from review.models import Review  # review is the app above this one

    return (
        user.is_authenticated
        and user.is_reviewer
        and Review.objects.filter(
            assignment__application=application,
            assignment__reviewer=user,
            assignment__active=True,
            status=Review.Status.SUBMITTED,
        ).exists()
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
