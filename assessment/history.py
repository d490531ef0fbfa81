"""The application's history as each reader may read it.

Every action that writes an ``AuditEvent`` has an audience here, and
``assessment.domain.audit`` refuses an action that has none: who may read an
event is decided where it is written, never by the page that shows it.
``assessment.access.visible_events`` filters on the audience; ``lines_for``
turns the events into words, naming people only to readers who may know them
(an applicant reads "A reviewer", never the reviewer's name).
"""

from dataclasses import dataclass
from datetime import datetime

from assessment import access
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
    "panel.settings": Audience.ORGANIZERS,
    "rubric.copied": Audience.ORGANIZERS,
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
            f"The audit action {action!r} has no audience: add it to assessment.history.AUDIENCES."
        ) from None


@dataclass(frozen=True)
class Line:
    """One event as a reader sees it."""

    at: datetime
    who: str
    text: str


def _who(event, reader, application, names_of_panel):
    actor = event.actor
    if actor is None:
        return "System"
    if reader.is_organizer or actor.pk == reader.pk:
        return str(actor)
    if actor.is_applicant and actor.jurisdiction_id == application.jurisdiction_id:
        return str(actor)  # the jurisdiction's own staff: everyone reading its application knows them
    if actor.is_organizer:
        return str(actor) if names_of_panel else "The organizers"
    if actor.is_reviewer:
        return str(actor) if names_of_panel else "A reviewer"
    return "Someone"


def lines_for(reader, application, events, names_of_panel=False):
    """The events (already filtered by ``access.visible_events``) as lines for ``reader``.

    ``names_of_panel``: the reader may know who is on the panel (organizers, and
    reviewers whose own review is submitted).
    """
    return [Line(event.at, _who(event, reader, application, names_of_panel), event.summary) for event in events]


def history_for(reader, application, limit):
    """The newest ``limit`` events of the application that ``reader`` may read, as lines for them."""
    panel = access.sees_panel(reader, application)  # asked once: it decides both what and whose names
    events = access.visible_events(reader, application, panel=panel)[:limit]
    return lines_for(reader, application, events, names_of_panel=panel)
