"""The daily reminder to reviewers whose reviews are due soon (``manage.py send_review_reminders``)."""

from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone, translation

from review.mail import language_of, reminder_mail
from review.models import Review


def send_reminders(now=None, within_days=3):
    """E-mail reviewers whose reviews are not submitted and whose deadline is within ``within_days``,
    each in their language (``review.mail.language_of``)."""
    now = now or timezone.now()
    due = (
        Review.objects.filter(
            status=Review.Status.DRAFT,
            assignment__active=True,
            assignment__application__cycle__review_settings__review_deadline__gte=now,
            assignment__application__cycle__review_settings__review_deadline__lte=now + timedelta(days=within_days),
        )
        .select_related("assignment__reviewer", "assignment__application__jurisdiction")
        .select_related("assignment__application__cycle__review_settings")
    )
    by_reviewer = {}
    for review in due:
        by_reviewer.setdefault(review.assignment.reviewer, []).append(review)
    for reviewer, reviews in by_reviewer.items():
        cycle = reviews[0].assignment.application.cycle
        with translation.override(language_of(reviewer)):
            subject, body = reminder_mail(reviews, cycle.review_settings.review_deadline, cycle.time_zone)
        send_mail(subject, body, None, [reviewer.email], fail_silently=True)
    return sum(len(r) for r in by_reviewer.values())
