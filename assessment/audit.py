"""Writing the audit trail: every action's audience, and ``audit()``, which records an event.

Every action that writes an ``AuditEvent`` has an audience here, and ``audit``
refuses an action that has none: who may read an event is decided where it is
written, never by the page that shows it (``assessment.history`` reads the
events back as each reader may). Depends on the models only (and
``scoring.levels``, for a level's name in the reader's language), so every app
can record events.

Each event also keeps its sentence as words to translate (``said``): an English
template, marked with ``gettext_noop`` where it is written, and its parameters.
``words`` renders them in the reader's language; the stored ``summary`` is
their English rendering (events written before had only the summary).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from assessment.models import AuditEvent
from scoring.levels import label as level_label

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


def ngettext_noop(singular, plural):
    """A message with a plural, marked for the catalogue and translated later: ``said(ngettext_noop(…), count=n)``."""
    return (singular, plural)


def said(message, **params):
    """Words to translate when read: ``message`` (marked with ``gettext_noop``, or a pair from
    ``ngettext_noop``, chosen by the ``count`` param) with named ``params``.

    A param is plain JSON (what someone typed, a person's or a place's name, a number), another
    ``said`` (a label the catalogue translates: "Not designated"), a ``level(…)``, or
    ``in_each_language(…)`` (a record's own words in each language: a cycle's name, a date).
    """
    return {"message": list(message) if isinstance(message, tuple | list) else message, "params": params}


def label(text):
    """A label the catalogue translates (a choice's ``gettext_lazy`` label, or a callable giving one), said:
    its English words are its msgid."""
    with translation.override("en"):
        return said(str(text() if callable(text) else text))


def in_each_language(text):
    """``text()`` as each language of the site says it: ``{"en": …, "fr": …}`` (``words`` picks the reader's)."""
    said_in = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            said_in[code] = str(text())
    return said_in


def level(name):
    """A level by its stored (English) name, said as the reader's language names it when read (``scoring.levels``)."""
    return {"level": name}


def named(thing):
    """A record's name in each language (a cycle's ``name_en`` / ``name_fr``, as ``str`` gives it)."""
    return in_each_language(lambda: thing)


def words(said_dict):
    """A ``said`` in the active language (a param likewise: a ``said`` rendered, a language's text picked)."""
    if not isinstance(said_dict, dict):
        return said_dict
    if "level" in said_dict:
        return level_label(said_dict["level"])
    if "message" not in said_dict:  # in_each_language: the active language's, else the default's
        code = translation.get_language() or settings.LANGUAGE_CODE
        for key in (code, code.split("-")[0], settings.LANGUAGE_CODE):
            if key in said_dict:
                return said_dict[key]
        return ""
    message, params = said_dict["message"], said_dict.get("params", {})
    values = {key: words(value) for key, value in params.items()}
    if isinstance(message, list):
        return ngettext(message[0], message[1], params["count"]) % values
    return gettext(message) % values if values else gettext(message)


_render = words  # ``audit`` has a ``words`` argument of its own


def audit(actor, action, summary=None, application=None, cycle=None, words=None, **data):
    """Record an event. Its audience is the action's (``AUDIENCES``).

    ``words`` (a ``said``) is the sentence, written for that audience: words, never
    a dict of scores, and no name its readers may not know. It is kept in
    ``data["words"]`` for each reader's language; ``summary`` is its English
    rendering unless given (callers that still pass only a summary).
    """
    if words is not None:
        data["words"] = words
        if summary is None:
            with translation.override("en"):
                summary = _render(words)
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        summary=summary[:300],
        audience=audience_of(action),
        application=application,
        cycle=cycle or (application.cycle if application else None),
        data=data,
    )
