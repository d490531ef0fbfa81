"""Reminder e-mails to the staff of drafts still open before their deadline (``manage.py send_draft_reminders``).

When: ``DRAFT_REMINDER_DAYS`` (14, 7 and 2) days before the application's own deadline (an extension
counts), as dates on the cycle's clock: the 2-day reminder of a deadline on January 15 in Los Angeles is
due from January 13 in Los Angeles, whatever the date in UTC. A run sends a draft only its most recent
due reminder: after days without a run, one e-mail, not one per missed date (the older ones are simply
never sent, and nothing is recorded for them). Only drafts that may be submitted now are reminded
(``Application.can_submit_now``): not submitted ones, past deadlines, cycles closed or not yet open.

Once: each reminder is a ``DraftReminder`` row, unique per draft and reminder date. The row is written,
on its own, before the e-mails go out, so of two runs at once the second fails to write it and sends
nothing; no transaction stays open while the mail server is talked to (on SQLite that would hold up every
write of the site). A failed send deletes the row, so the next run tries again. A run that died between
writing the row and sending leaves it without ``sent_at``: after ``STALE_CLAIM`` it counts as not sent.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.domain import problems_in
from assessment.forms import STEPS
from assessment.models import Application, DraftReminder, User
from assessment.templatetags.zones import deadline_text, in_zone, zone_named

log = logging.getLogger(__name__)

# A run that wrote its row but has not finished sending for this long has died: its reminder may be sent again.
STALE_CLAIM = timedelta(hours=1)
# The reminders' days before the deadline reach at most this far (``--days`` and DRAFT_REMINDER_DAYS).
MOST_DAYS = 365


@dataclass
class Reminder:
    """One draft's due reminder, and what became of it: ``outcome`` is one of OUTCOMES."""

    application: Application
    days_before: int
    remind_on: date
    deadline: datetime
    recipients: list = field(default_factory=list)
    subject: str = ""
    body: str = ""
    outcome: str = "due"
    error: str = ""


OUTCOMES = {
    "due": "not sent yet (a dry run)",
    "sent": "sent",
    "failed": "could not be sent; the next run tries again",
    "taken": "already recorded by another run at the same time",
    "nobody": "no active staff member with an e-mail address; nothing sent",
}


def _mailed_staff():
    # As send_receipt: the jurisdiction's active applicant-role staff with an e-mail (reviewers who work
    # there belong to it too, and must not get its mail).
    return User.objects.filter(role=User.Role.APPLICANT, is_active=True).exclude(email="").order_by("pk")


def _drafts_near_their_deadline(now, days):
    """The drafts whose deadline is after ``now`` and within the longest reminder's reach, with their staff."""
    # Any clock's date is within a day of UTC's: two days' margin, and the exact dates are worked out after.
    horizon = now + timedelta(days=max(days) + 2)
    return (
        Application.objects.filter(status=Application.Status.DRAFT, cycle__opens_at__lte=now)
        .filter(Q(cycle__closes_at__gt=now) | Q(extension_until__gt=now))
        .filter(Q(extension_until=None) | Q(extension_until__lte=horizon), cycle__closes_at__lte=horizon)
        .select_related("jurisdiction", "cycle")
        .prefetch_related(
            Prefetch("jurisdiction__staff", queryset=_mailed_staff(), to_attr="mailed_staff"),
            Prefetch("draft_reminders", queryset=DraftReminder.objects.order_by(), to_attr="reminders"),
        )
        .order_by("jurisdiction__name", "jurisdiction__state", "cycle__closes_at")
    )


def _due_reminder(application, now, days):
    """The draft's most recent reminder whose date has arrived on its cycle's clock, unless that one (or a
    later one) is recorded already; None when nothing is due."""
    deadline = application.deadline()
    if deadline <= now or not application.can_submit_now(now):
        return None
    zone = zone_named(application.cycle.time_zone)
    today = timezone.localtime(now, zone).date()
    last_day = timezone.localtime(deadline, zone).date()
    arrived = [n for n in days if last_day - timedelta(days=n) <= today]
    if not arrived:
        return None
    days_before = min(arrived)
    remind_on = last_day - timedelta(days=days_before)
    recorded = [r for r in application.reminders if r.sent_at or r.claimed_at > now - STALE_CLAIM]
    if any(r.remind_on >= remind_on for r in recorded):
        return None
    return Reminder(application, days_before, remind_on, deadline)


def _organizers():
    people = User.objects.filter(role=User.Role.ORGANIZER, is_active=True).exclude(email="").order_by("pk")
    return ", ".join(f"{person} <{person.email}>" if str(person) != person.email else person.email for person in people)


def write_reminder(application, deadline, organizers):
    """The reminder's subject and plain-text body, in the language of the jurisdiction's staff
    (``Jurisdiction.language``): only this application's own data."""
    with translation.override(application.jurisdiction.language):
        return _reminder(application, deadline, organizers)


def _reminder(application, deadline, organizers):
    cycle, jurisdiction = application.cycle, application.jurisdiction
    names = {"jurisdiction": jurisdiction, "cycle": cycle}
    subject = _("Reminder: %(jurisdiction)s's %(cycle)s application is due %(deadline)s") % {
        **names,
        "deadline": in_zone(deadline, cycle.time_zone),
    }
    problems = problems_in(application.wizard_state)
    if problems:
        by_step = {}
        for problem in problems:
            by_step[problem["step_title"]] = by_step.get(problem["step_title"], 0) + 1
        steps = "\n".join(f"- {title} ({n})" for title, n in by_step.items())
        missing = ngettext(
            "%(count)s answer is missing or needs correcting, in these steps:",
            "%(count)s answers are missing or need correcting, in these steps:",
            len(problems),
        ) % {"count": len(problems)}
        missing = f"{missing}\n{steps}"
    else:
        missing = _("Every answer is complete: it only remains to submit the application on its last step.")
    step = application.wizard_state.get("step") or STEPS[0][0]
    link = f"{settings.SITE_URL}{reverse('application_step', kwargs={'pk': application.pk, 'step': step})}"
    write_to = "\n" + _("Write to: %(organizers)s") % {"organizers": organizers} if organizers else ""
    paragraphs = [
        _("Hello,"),
        _(
            "%(jurisdiction)s's application for the Citizen-Engaged Community designation %(cycle)s is still a "
            "draft. It must be submitted by %(deadline)s."
        )
        % {**names, "deadline": deadline_text(deadline, cycle.time_zone, jurisdiction)},
        missing,
        _("Continue the application: %(link)s") % {"link": link}
        + "\n"
        + _("Its last step lists every answer still missing, and submits the application once none is left."),
        _(
            "If you need more time, ask the program's organizers for an extension before the deadline passes; "
            "only they can grant one."
        )
        + write_to,
        _("You receive this e-mail as a staff member of %(jurisdiction)s.") % names + "\n",
    ]
    return subject, "\n\n".join(paragraphs)


def _send(reminder, now):
    """Record the reminder, then send it; a failed send deletes the record again."""
    application = reminder.application
    try:
        with transaction.atomic():  # a savepoint: a caller's transaction stays usable after the IntegrityError
            record = DraftReminder.objects.create(
                application=application,
                days_before=reminder.days_before,
                remind_on=reminder.remind_on,
                deadline=reminder.deadline,
                claimed_at=now,
            )
    except IntegrityError:
        reminder.outcome = "taken"
        return
    messages = [(reminder.subject, reminder.body, None, [email]) for email in reminder.recipients]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception as error:  # whatever the mail server or backend raised: this draft waits for the next run
        record.delete()
        log.exception("Could not send the draft reminder for application %s", application.pk)
        reminder.outcome, reminder.error = "failed", f"{type(error).__name__}: {error}"
        return
    DraftReminder.objects.filter(pk=record.pk).update(sent_at=now, recipients=len(messages))
    reminder.outcome = "sent"


def send_draft_reminders(now=None, days=None, dry_run=False):
    """Send each draft its due reminder (see the module's docstring) and return the ``Reminder``s, one per
    draft with a reminder due, each with its outcome. ``days`` defaults to DRAFT_REMINDER_DAYS; a dry run
    writes the e-mails but neither sends nor records them."""
    now = now or timezone.now()
    days = tuple(days or settings.DRAFT_REMINDER_DAYS)
    if not dry_run:
        # Rows of runs that died while sending: their reminders count as not sent.
        DraftReminder.objects.filter(sent_at=None, claimed_at__lte=now - STALE_CLAIM).delete()
    organizers = None
    reminders = []
    for application in _drafts_near_their_deadline(now, days):
        reminder = _due_reminder(application, now, days)
        if reminder is None:
            continue
        reminders.append(reminder)
        reminder.recipients = list(dict.fromkeys(person.email for person in application.jurisdiction.mailed_staff))
        if not reminder.recipients:
            reminder.outcome = "nobody"
            continue
        if organizers is None:
            organizers = _organizers()
        reminder.subject, reminder.body = write_reminder(application, reminder.deadline, organizers)
        if not dry_run:
            _send(reminder, now)
    return reminders
