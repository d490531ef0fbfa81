"""The panel's e-mails: who among an applicant's staff is written to, and the notifications sent.

Each e-mail is written in its recipient's language: an applicant's staff read their jurisdiction's
(``Jurisdiction.language``), reviewers and organizers their own (``User.language``, else the site's).
"""

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from assessment.models import User
from assessment.templatetags.zones import abbreviation, zone_named
from review.models import settings_for


def clock(local):
    """A local time of day in the active language: '23:59', « 23 h 59 »."""
    return date_format(local, pgettext("a time of day in a sentence", "H:i"))


def day_and_time(local):
    """A local moment in the active language: 'January 15, 2027 at 23:59', « 15 janvier 2027 à 23 h 59 »."""
    return _("%(date)s at %(time)s") % {
        "date": date_format(local, pgettext("a day in a sentence", "F j, Y")),
        "time": clock(local),
    }


def when(moment, zone=None):
    """``assessment.templatetags.zones.in_zone`` in the active language, its English word for word:
    'January 15, 2027 at 23:59 EST', « 15 janvier 2027 à 23 h 59 EST »."""
    if moment is None or moment == "":
        return ""
    local = timezone.localtime(moment, zone_named(zone))
    return f"{day_and_time(local)} {abbreviation(local)}"


def language_of(user):
    """The language a reviewer or an organizer reads their e-mails in: their own, else the site's."""
    return user.language or settings.LANGUAGE_CODE


def staff_to_mail(jurisdiction_ids):
    """The applicant staff of these jurisdictions who get the program's e-mails.

    Only applicants: a reviewer whose own jurisdiction it is belongs to it too,
    and must not receive its questions or its decision.
    """
    return User.objects.filter(jurisdiction_id__in=jurisdiction_ids, role=User.Role.APPLICANT, is_active=True).exclude(
        email=""
    )


def mail_staff(application, write):
    """E-mail the application's staff (``staff_to_mail``), if it has any, in their jurisdiction's language.

    ``write()`` returns (subject, body); it is called with that language active.
    """
    emails = list(staff_to_mail([application.jurisdiction_id]).values_list("email", flat=True))
    if emails:
        with translation.override(application.jurisdiction.language or settings.LANGUAGE_CODE):
            subject, body = write()
        send_mail(subject, body, None, emails, fail_silently=True)


def _assignments_mail(reviewer, batch, deadlines):
    """The subject and body telling ``reviewer`` of their new assignments (``batch``), in the active language."""
    cycles = sorted({str(a.application.cycle) for a in batch})
    lines = []
    for a in batch:
        deadline, zone = deadlines[a.application.cycle_id]
        due = (
            _("The review deadline is %(deadline)s.") % {"deadline": when(deadline, zone)}
            if deadline
            else _("No review deadline is set yet.")
        )
        link = f"{settings.SITE_URL}{reverse('review_edit', args=[a.review.pk])}"
        review = _("Review: %(link)s") % {"link": link}
        lines.append(f"- {a.application.jurisdiction} ({a.application.cycle})\n  {review}\n  {due}")
    if len(batch) == 1:
        subject = _("New review: %(jurisdiction)s (%(cycle)s)") % {
            "jurisdiction": batch[0].application.jurisdiction,
            "cycle": cycles[0],
        }
        asked = _("You have been asked to review an application:")
    else:  # two or more
        subject = _("%(count)s new reviews (%(cycles)s)") % {"count": len(batch), "cycles": ", ".join(cycles)}
        asked = _("You have been asked to review %(count)s applications:") % {"count": len(batch)}
    greeting = _("Hello %(name)s,") % {"name": reviewer.get_full_name() or reviewer.username}
    return subject, f"{greeting}\n\n{asked}\n\n" + "\n\n".join(lines) + "\n"


def notify_assignments(assignments):
    """E-mail each reviewer once about their new assignments: every application, its link and its due date.

    Automatic assignment calls this with its whole batch, a hand assignment with one. Reviewers without
    an e-mail address are skipped. Each e-mail is in its reviewer's language (``language_of``).
    """
    by_reviewer, deadlines = {}, {}
    for assignment in assignments:
        if not assignment.reviewer.email:
            continue
        by_reviewer.setdefault(assignment.reviewer.pk, []).append(assignment)
        cycle = assignment.application.cycle
        if cycle.pk not in deadlines:
            deadlines[cycle.pk] = (settings_for(cycle).review_deadline, cycle.time_zone)
    messages = []
    for reviewer_id in sorted(by_reviewer):
        batch = by_reviewer[reviewer_id]
        reviewer = batch[0].reviewer
        with translation.override(language_of(reviewer)):
            subject, body = _assignments_mail(reviewer, batch, deadlines)
        messages.append((subject, body, None, [reviewer.email]))
    if messages:
        send_mass_mail(messages, fail_silently=True)


def notify_answer(clarification, answer):
    """Tell whoever asked a question its answer, in their language."""
    asker = clarification.asked_by
    if asker and asker.email:
        with translation.override(language_of(asker)):
            subject = _("Answered: your question to %(jurisdiction)s") % {
                "jurisdiction": clarification.application.jurisdiction
            }
            body = _("Your question:\n%(question)s\n\nTheir answer:\n%(answer)s\n") % {
                "question": clarification.question,
                "answer": answer,
            }
        send_mail(subject, body, None, [asker.email], fail_silently=True)


def _appeal_mail(appeal):
    """The subject and body telling an organizer of ``appeal``, in the active language."""
    application = appeal.application
    named = {"jurisdiction": application.jurisdiction, "cycle": application.cycle, "date": when(appeal.filed_at)}
    subject = _("An appeal from %(jurisdiction)s (%(cycle)s)") % named
    if appeal.filed_by:
        filed = _(
            "%(person)s appealed the decision on %(jurisdiction)s's application for %(cycle)s on %(date)s. "
            "Their statement:"
        ) % {**named, "person": appeal.filed_by}
    else:
        filed = (
            _(
                "The applicant appealed the decision on %(jurisdiction)s's application for %(cycle)s on %(date)s. "
                "Their statement:"
            )
            % named
        )
    link = f"{settings.SITE_URL}{reverse('panel_application', args=[application.pk])}"
    body = (
        f"{filed}\n\n{appeal.statement}\n\n"
        + _("Uphold or change the decision on the panel page: %(link)s") % {"link": link}
        + "\n"
    )
    return subject, body


def tell_organizers_of_appeal(appeal):
    """E-mail every active organizer that an appeal was filed, with the link to rule on it, in their language."""
    organizers = (
        User.objects.filter(role=User.Role.ORGANIZER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", "language")
    )
    written, messages = {}, []
    for email, language in organizers:
        language = language or settings.LANGUAGE_CODE
        if language not in written:
            with translation.override(language):
                written[language] = _appeal_mail(appeal)
        messages.append((*written[language], None, [email]))
    send_mass_mail(messages, fail_silently=True)


def reminder_mail(reviews, deadline, zone):
    """The subject and body reminding a reviewer of ``reviews`` due at ``deadline``, in the active language."""
    n = len(reviews)
    subject = ngettext(
        "Reminder: %(count)s review due %(deadline)s", "Reminder: %(count)s reviews due %(deadline)s", n
    ) % {"count": n, "deadline": when(deadline, zone)}
    lines = "\n".join(f"- {r.assignment.application.jurisdiction} ({r.assignment.application.cycle})" for r in reviews)
    return subject, _("These reviews are not submitted yet:\n%(list)s\n") % {"list": lines}
