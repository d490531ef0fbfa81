"""The cases of tests/test_forms_keep_typed.py for the organizers' cycle forms (pages/cycle_forms.py), listed in
tests/keep_typed_cases.py's CASES: each form filled in with distinctive values, one check refused.

A case is what tests/keep_typed_cases.py's ``Case`` holds (that module lists this one, so it is not imported).
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from django.urls import reverse

from assessment.models import Cycle


def _values(world):
    """A distinctive value for every field of the settings form, by name (the HTML-escaped characters too)."""
    return {
        "name": "Typed-name-ÉÀ <&> 'q\"",
        "time_zone": "America/Halifax",
        "opens_at": "2031-07-03T14:25",
        "closes_at": "2031-08-04T16:35",
        "valid_from": "2032-01-05",
        "valid_until": "2034-01-06",
        "signatory_name": "Typed-signatory-ÉÀ <&> 'q\"",
        "signatory_title": "Typed-title-ÉÀ <&> 'q\"",
        "reviewers_per_application": "3",
        "max_per_reviewer": "17",
        "review_deadline": "2031-09-09T10:05",
        "disagreement_margin": "12.5",
        "appeal_deadline": "2031-10-11T11:15",
    }


def _case(world, url, fields, error):
    return SimpleNamespace(
        client=world.client["organizer"], url=url, kept=fields, error=error, body=fields, secret=(), files={}
    )


def creating_a_cycle(world):
    """Applications that close before they open: every field comes back as typed, the rubric's choice too."""
    opens = datetime(2020, 1, 1, tzinfo=UTC)
    earlier = Cycle.objects.create(
        name="Typed-earlier", opens_at=opens, closes_at=opens + timedelta(days=30), valid_from=date(2021, 1, 1)
    )
    fields = _values(world) | {"closes_at": "2031-07-01T09:00", "rubric_source": str(earlier.pk)}
    return _case(world, reverse("cycle_create"), fields, "Applications must close after they open.")


def editing_a_cycle(world):
    """Designations that end before they start."""
    fields = _values(world) | {"valid_until": "2031-07-01"}
    url = reverse("cycle_edit", args=[world.cycle.pk])
    return _case(world, url, fields, "The designations must end after they start.")
