"""Submitted applications for tests: through the applicant's own steps, or as a bare row."""

from django.utils import timezone

from assessment import domain as applying
from assessment.models import Application
from tests.factories import make_application, make_cycle, make_jurisdiction, make_user
from tests.factories.answers import COMPLETE, complete_answers, wizard_state


def submitted(jurisdiction, cycle, values=COMPLETE):
    """An application submitted as an applicant does it: a new staff member starts the draft, saves
    ``values`` (every answer by default) and submits; the audit events and receipt come with it.
    The applicant is ``application.submitted_by``."""
    applicant = make_user(jurisdiction=jurisdiction)
    application = applying.start_application(jurisdiction, cycle, applicant, prefill=False)
    applying.save_draft(application, wizard_state(values), applicant, application.version)
    return applying.submit_application(application, applicant)


def make_submitted(jurisdiction=None, cycle=None, answers=None, **kw):
    """A submitted application written straight to the database (no audit, no receipt, no score):
    Harbor City's in cycle 2026–2028 with complete answers unless told otherwise."""
    return make_application(
        jurisdiction=jurisdiction or make_jurisdiction(name="Harbor City"),
        cycle=cycle or make_cycle(name="2026–2028"),
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        answers=complete_answers() if answers is None else answers,
        **kw,
    )
