"""Withdrawing a published designation: a new decision, published at once, that does not designate.

Nothing is deleted: the designation stays in the history and its certificate's verification page says
"withdrawn" from then on (``review.certificates.lookup``); the jurisdiction leaves the public list,
the seals and the open data (``reports.designees`` reads the current decision); its staff are e-mailed.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.audit import audit
from review.decisions import decide
from review.errors import DecidedMeanwhile, ReviewError
from review.mail import mail_staff
from review.models import Decision
from review.queries import current_decision

NOTHING_TO_WITHDRAW = "There is no published designation to withdraw: the application's decision is not one."


def withdrawable(decision):
    """Is ``decision`` a designation that may be withdrawn: the current one, and published?"""
    return (
        decision is not None
        and decision.superseded_at is None
        and decision.published_at is not None
        and decision.outcome == Decision.Outcome.DESIGNATED
    )


def _changed(current):
    """The refusal of a withdrawal made on a page that is out of date."""
    if current is None:
        return DecidedMeanwhile("The decision changed after you opened this page. Nothing was withdrawn; read it.")
    label = current.get_outcome_display() + (f" — {current.level}" if current.level else "")
    return DecidedMeanwhile(
        f"The decision changed after you opened this page: it is now {label}, recorded "
        f"{timezone.localtime(current.decided_at):%B %-d, %Y at %H:%M}. Nothing was withdrawn; read it, and "
        "withdraw the designation again if you still mean to."
    )


def withdraw_designation(application, reason, by, replaces):
    """End the application's published designation now, for ``reason``: a not-designated decision,
    published, superseding it (``review.decisions.decide``, with the reason as its override); audited, and
    the applicant's staff told once it is committed.

    ``replaces``: the pk of the designation the organizer saw; if another decision is current now, nothing
    happens (``DecidedMeanwhile``). A ReviewError says why it cannot be withdrawn otherwise.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Write the reason for withdrawing the designation.")
    current = current_decision(application)
    if (current.pk if current else None) != replaces:
        raise _changed(current)
    if not withdrawable(current):
        raise ReviewError(NOTHING_TO_WITHDRAW)
    with transaction.atomic():
        try:
            decision = decide(
                application,
                Decision.Outcome.NOT_DESIGNATED,
                "",
                f"Designation withdrawn: {reason}",
                by,
                override_reason=reason,
                published=True,
                replaces=replaces,
            )
        except DecidedMeanwhile:
            raise _changed(current_decision(application)) from None
        except ReviewError as refused:
            raise ReviewError(f"The designation cannot be withdrawn: {refused}") from None
        audit(
            by,
            "designation.withdrawn",
            f"Designation withdrawn ({current.level or 'Designated'}): {reason[:200]}",
            application,
            decision=decision.pk,
            withdrawn=current.pk,
        )
        cycle = application.cycle
        transaction.on_commit(
            lambda: mail_staff(
                application,
                f"Your {cycle} designation is withdrawn",
                f"The designation of {application.jurisdiction} as a Citizen-Engaged Community "
                f"({current.level or 'Designated'}, {cycle}) is withdrawn as of today.\n\n"
                f"The reason: {reason}\n\n"
                "The jurisdiction no longer appears on the public list of designees, and the certificate's "
                "verification page says the designation was withdrawn. Read the decision on your "
                f"application's page: {settings.SITE_URL}{reverse('application_detail', args=[application.pk])}\n",
            )
        )
    return decision
