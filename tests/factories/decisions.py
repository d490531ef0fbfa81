"""Decisions for tests, written straight to the database (the panel's own path is review's domain)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from review.models import Decision


def decide(
    application,
    outcome=Decision.Outcome.DESIGNATED,
    level="Designated",
    total=70,
    rationale="As the rubric says.",
    published=True,
    snapshot=None,
    days_ago=0,
    superseded=False,
    **kw,
):
    """A decision on ``application``: designated at ``level`` (no level otherwise) with ``total`` points,
    decided ``days_ago`` days ago and published then unless ``published`` is false; ``superseded``: replaced
    an hour later (as a decision on appeal replaces it)."""
    at = timezone.now() - timedelta(days=days_ago)
    return Decision.objects.create(
        application=application,
        outcome=outcome,
        level=level if outcome == Decision.Outcome.DESIGNATED else "",
        total=Decimal(str(total)),
        rationale=rationale,
        snapshot=snapshot or {},
        decided_at=at,
        published_at=at if published else None,
        superseded_at=at + timedelta(hours=1) if superseded else None,
        **kw,
    )
