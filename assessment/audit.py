"""Writing the audit trail: every action's audience, and ``audit()``, which records an event.

Every action that writes an ``AuditEvent`` has an audience here, and ``audit``
refuses an action that has none: who may read an event is decided where it is
written, never by the page that shows it (``assessment.history`` reads the
events back as each reader may). Depends on the models only, so every app can
record events.
"""

from assessment.models import AuditEvent

Audience = AuditEvent.Audience

AUDIENCES = {
    # The application, as its staff make it: everyone who may read it.
    "application.started": Audience.PUBLIC,
    "application.submitted": Audience.PUBLIC,
    "application.designated": Audience.PUBLIC,  # a designation recorded from a published announcement
    "document.uploaded": Audience.PUBLIC,
    "document.removed": Audience.PUBLIC,
    "clarification.asked": Audience.PUBLIC,
    "clarification.answered": Audience.PUBLIC,
    "decision.published": Audience.PUBLIC,
    # Between the organizers and the applicant.
    "application.extension": Audience.APPLICANT,
    "appeal.filed": Audience.APPLICANT,
    "appeal.decided": Audience.APPLICANT,
    "designation.withdrawn": Audience.APPLICANT,  # the reason is the applicant's to read, not reviewers'
    # The panel: organizers, and reviewers once their own review is in.
    "review.assigned": Audience.PANEL,
    "review.submitted": Audience.PANEL,
    "decision.recorded": Audience.PANEL,
    # Organizers only.
    "review.saved": Audience.ORGANIZERS,
    "review.unassigned": Audience.ORGANIZERS,
    "review.auto_assigned": Audience.ORGANIZERS,
    "review.conflict_declared": Audience.ORGANIZERS,
    "review.excluded": Audience.ORGANIZERS,
    "decision.bulk": Audience.ORGANIZERS,
    "cycle.published": Audience.ORGANIZERS,
    "cycle.created": Audience.ORGANIZERS,
    "cycle.changed": Audience.ORGANIZERS,
    "cycle.phase": Audience.ORGANIZERS,
    "panel.settings": Audience.ORGANIZERS,
    "rubric.copied": Audience.ORGANIZERS,
    "rubric.changed": Audience.ORGANIZERS,
    "jurisdiction.created": Audience.ORGANIZERS,
    "user.invited": Audience.ORGANIZERS,
    "reports.batch_started": Audience.ORGANIZERS,
    "reports.batch_resumed": Audience.ORGANIZERS,
}


def audience_of(action):
    """The audience of an action; a ValueError for an action nobody decided the audience of."""
    try:
        return AUDIENCES[action]
    except KeyError:
        raise ValueError(
            f"The audit action {action!r} has no audience: add it to assessment.audit.AUDIENCES."
        ) from None


def audit(actor, action, summary, application=None, cycle=None, **data):
    """Record an event. Its audience is the action's (``AUDIENCES``).

    ``summary`` is a sentence written for that audience: words, never a dict
    of scores, and no name its readers may not know.
    """
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        summary=summary[:300],
        audience=audience_of(action),
        application=application,
        cycle=cycle or (application.cycle if application else None),
        data=data,
    )
