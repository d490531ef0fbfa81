"""The daily reminder to reviewers whose reviews are due soon (``manage.py send_review_reminders``)."""

from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone

from assessment.templatetags.zones import in_zone
from review.models import Review


def send_reminders(now=None, within_days=3):
    """E-mail reviewers whose reviews are not submitted and whose deadline is within ``within_days``."""
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
        deadline = reviews[0].assignment.application.cycle.review_settings.review_deadline
        lines = "\n".join(
            f"- {r.assignment.application.jurisdiction} ({r.assignment.application.cycle})" for r in reviews
        )
        send_mail(
            f"Reminder: {len(reviews)} review{'s' if len(reviews) != 1 else ''} due "
            f"{in_zone(deadline, reviews[0].assignment.application.cycle.time_zone)}",
            f"These reviews are not submitted yet:\n{lines}\n",
            None,
            [reviewer.email],
            fail_silently=True,
        )
    return sum(len(r) for r in by_reviewer.values())
