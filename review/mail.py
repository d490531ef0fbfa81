"""The panel's e-mails: who among an applicant's staff is written to, and the notifications sent."""

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.urls import reverse

from assessment.models import User
from assessment.templatetags.zones import in_zone
from review.models import settings_for


def staff_to_mail(jurisdiction_ids):
    """The applicant staff of these jurisdictions who get the program's e-mails.

    Only applicants: a reviewer whose own jurisdiction it is belongs to it too,
    and must not receive its questions or its decision.
    """
    return User.objects.filter(jurisdiction_id__in=jurisdiction_ids, role=User.Role.APPLICANT, is_active=True).exclude(
        email=""
    )


def mail_staff(application, subject, body):
    """E-mail the application's staff (``staff_to_mail``), if it has any."""
    emails = list(staff_to_mail([application.jurisdiction_id]).values_list("email", flat=True))
    if emails:
        send_mail(subject, body, None, emails, fail_silently=True)


def notify_assignments(assignments):
    """E-mail each reviewer once about their new assignments: every application, its link and its due date.

    Automatic assignment calls this with its whole batch, a hand assignment with one. Reviewers without
    an e-mail address are skipped.
    """
    by_reviewer, deadlines = {}, {}
    for assignment in assignments:
        if not assignment.reviewer.email:
            continue
        by_reviewer.setdefault(assignment.reviewer.pk, []).append(assignment)
        cycle = assignment.application.cycle
        if cycle.pk not in deadlines:
            deadline = settings_for(cycle).review_deadline
            deadlines[cycle.pk] = (
                f"The review deadline is {in_zone(deadline, cycle.time_zone)}."
                if deadline
                else "No review deadline is set yet."
            )
    messages = []
    for reviewer_id in sorted(by_reviewer):
        batch = by_reviewer[reviewer_id]
        reviewer = batch[0].reviewer
        cycles = sorted({str(a.application.cycle) for a in batch})
        lines = [
            f"- {a.application.jurisdiction} ({a.application.cycle})\n"
            f"  Review: {settings.SITE_URL}{reverse('review_edit', args=[a.review.pk])}\n"
            f"  {deadlines[a.application.cycle_id]}"
            for a in batch
        ]
        if len(batch) == 1:
            subject = f"New review: {batch[0].application.jurisdiction} ({cycles[0]})"
            said = "an application"
        else:
            subject = f"{len(batch)} new reviews ({', '.join(cycles)})"
            said = f"{len(batch)} applications"
        body = (
            f"Hello {reviewer.get_full_name() or reviewer.username},\n\n"
            f"You have been asked to review {said}:\n\n" + "\n\n".join(lines) + "\n"
        )
        messages.append((subject, body, None, [reviewer.email]))
    if messages:
        send_mass_mail(messages, fail_silently=True)


def notify_answer(clarification, answer):
    """Tell whoever asked a question its answer."""
    asker = clarification.asked_by
    if asker and asker.email:
        send_mail(
            f"Answered: your question to {clarification.application.jurisdiction}",
            f"Your question:\n{clarification.question}\n\nTheir answer:\n{answer}\n",
            None,
            [asker.email],
            fail_silently=True,
        )


def tell_organizers_of_appeal(appeal):
    """E-mail every active organizer that an appeal was filed, with the link to rule on it."""
    application = appeal.application
    emails = (
        User.objects.filter(role=User.Role.ORGANIZER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    subject = f"An appeal from {application.jurisdiction} ({application.cycle})"
    body = (
        f"{appeal.filed_by or 'The applicant'} appealed the decision on {application.jurisdiction}'s application "
        f"for {application.cycle} on {in_zone(appeal.filed_at)}. Their statement:\n\n{appeal.statement}\n\n"
        f"Uphold or change the decision on the panel page: "
        f"{settings.SITE_URL}{reverse('panel_application', args=[application.pk])}\n"
    )
    send_mass_mail([(subject, body, None, [email]) for email in emails], fail_silently=True)
