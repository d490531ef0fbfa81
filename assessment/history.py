"""The application's history as each reader may read it.

Every event's audience is decided where it is written (``assessment.audit``).
``assessment.access.visible_events`` filters on the audience; ``lines_for``
turns the events into words, naming people only to readers who may know them
(an applicant reads "A reviewer", never the reviewer's name), each line in the
reader's language (``assessment.audit.words``; an event written before had
only its English summary, which it keeps).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from assessment import access
from assessment.audit import words


@dataclass(frozen=True)
class Line:
    """One event as a reader sees it."""

    at: datetime
    who: str
    text: str


def _who(event, reader, application, names_of_panel):
    actor = event.actor
    if actor is None:
        return _("System")
    if reader.is_organizer or actor.pk == reader.pk:
        return str(actor)
    if actor.is_applicant and actor.jurisdiction_id == application.jurisdiction_id:
        return str(actor)  # the jurisdiction's own staff: everyone reading its application knows them
    if actor.is_organizer:
        return str(actor) if names_of_panel else _("The organizers")
    if actor.is_reviewer:
        return str(actor) if names_of_panel else _("A reviewer")
    return _("Someone")


def _text(event):
    """The event's sentence in the active language, or its stored summary (older events, or words that fail)."""
    said = event.data.get("words") if isinstance(event.data, dict) else None
    if not said:
        return event.summary
    try:
        return words(said)
    except (KeyError, ValueError, TypeError, IndexError):  # a translation that lost a placeholder: the record's words
        return event.summary


def lines_for(reader, application, events, names_of_panel=False):
    """The events (already filtered by ``access.visible_events``) as lines for ``reader``.

    ``names_of_panel``: the reader may know who is on the panel (organizers, and
    reviewers whose own review is submitted).
    """
    return [Line(event.at, _who(event, reader, application, names_of_panel), _text(event)) for event in events]


def history_for(reader, application, limit):
    """The newest ``limit`` events of the application that ``reader`` may read, as lines for them."""
    panel = access.sees_panel(reader, application)  # asked once: it decides both what and whose names
    events = access.visible_events(reader, application, panel=panel)[:limit]
    return lines_for(reader, application, events, names_of_panel=panel)
