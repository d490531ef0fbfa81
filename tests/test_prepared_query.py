"""A query compiled once (config/prepared.py) answers exactly what the ORM's own query answers, whatever the
time it is run for: the organizers' counts (pages/attention.py) on SQLite and on PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from assessment.models import Application, Cycle
from config.prepared import PreparedQuery
from pages import attention
from tests.factories import make_cycle, make_jurisdiction
from tests.factories.applications import make_application, make_submitted

pytestmark = pytest.mark.django_db


def _orm(now):
    """The same figures, built and compiled by the ORM for this very call."""
    rows = Cycle.objects.order_by().values("pk").annotate(**attention._figures(now, now + attention.DUE_WITHIN))
    return {row["pk"]: row for row in rows}


def test_the_compiled_counts_equal_the_orms_at_every_time():
    due = make_cycle(name="Open", closes_in=timedelta(days=3))
    later = make_cycle(name="Later", closes_in=timedelta(days=20))
    for n in range(3):
        make_application(cycle=due, jurisdiction=make_jurisdiction(name=f"Draft {n}"))
        make_submitted(cycle=due, jurisdiction=make_jurisdiction(name=f"Submitted {n}"))
    make_application(cycle=later, jurisdiction=make_jurisdiction(name="Later draft"))
    now = timezone.now()
    seen = set()
    # Before the 7-day window, inside it for one cycle, for the other, and after both deadlines.
    for days in (-30, 0, 14, 40):
        at = now + timedelta(days=days)
        compiled = {row["pk"]: row for row in attention.FIGURES.rows(now=at, soon=at + attention.DUE_WITHIN)}
        assert compiled == _orm(at)
        seen.add((compiled[due.pk]["drafts_due"], compiled[later.pk]["drafts_due"]))
    assert seen == {(0, 0), (3, 0), (0, 1)}  # the time given is the time counted
    [cycle] = attention.with_figures(Cycle.objects.filter(pk=due.pk), now)
    assert (cycle.drafts, cycle.submitted, cycle.drafts_due) == (3, 3, 3)


def test_a_prepared_query_takes_exactly_its_values():
    query = PreparedQuery(
        lambda since: (
            Application.objects.order_by().values("status").annotate(n=Count("pk", filter=Q(created_at__gte=since)))
        ),
        "since",
    )
    make_application()
    with pytest.raises(TypeError, match="since"):
        query.rows(until=timezone.now())
    assert query.rows(since=timezone.now() - timedelta(days=1)) == [{"status": "draft", "n": 1}]
    assert query.rows(since=timezone.now() + timedelta(days=1)) == [{"status": "draft", "n": 0}]
