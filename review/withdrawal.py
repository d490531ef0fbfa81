"""Withdrawing a published designation: a new decision, published at once, that does not designate.

Nothing is deleted: the designation stays in the history and its certificate's verification page says
"withdrawn" from then on (``review.certificates.lookup``); the jurisdiction leaves the public list,
the seals and the open data (``reports.designees`` reads the current decision); its staff are e-mailed.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from assessment.audit import audit, said
from assessment.audit import level as said_level
from review.decisions import decide, outcome_label
from review.errors import DecidedMeanwhile, ReviewError
from review.mail import day_and_time, mail_staff
from review.models import Decision
from review.queries import current_decision
from scoring.levels import label as level_label

NOTHING_TO_WITHDRAW = gettext_lazy(
    "There is no published designation to withdraw: the application's decision is not one."
)


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
        return DecidedMeanwhile(_("The decision changed after you opened this page. Nothing was withdrawn; read it."))
    return DecidedMeanwhile(
        _(
            "The decision changed after you opened this page: it is now %(decision)s, recorded %(date)s. Nothing "
            "was withdrawn; read it, and withdraw the designation again if you still mean to."
        )
        % {
            "decision": outcome_label(current.outcome, current.level),
            "date": day_and_time(timezone.localtime(current.decided_at)),
        }
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
        raise ReviewError(_("Write the reason for withdrawing the designation."))
    current = current_decision(application)
    if (current.pk if current else None) != replaces:
        raise _changed(current)
    if not withdrawable(current):
        raise ReviewError(str(NOTHING_TO_WITHDRAW))
    with transaction.atomic():
        try:
            decision = decide(
                application,
                Decision.Outcome.NOT_DESIGNATED,
                "",
                _("Designation withdrawn: %(reason)s") % {"reason": reason},
                by,
                override_reason=reason,
                published=True,
                replaces=replaces,
            )
        except DecidedMeanwhile:
            raise _changed(current_decision(application)) from None
        except ReviewError as refused:
            raise ReviewError(_("The designation cannot be withdrawn: %(reason)s") % {"reason": refused}) from None
        audit(
            by,
            "designation.withdrawn",
            application=application,
            words=said(
                gettext_noop("Designation withdrawn (%(level)s): %(reason)s"),
                level=said_level(current.level or "Designated"),
                reason=reason[:200],
            ),
            decision=decision.pk,
            withdrawn=current.pk,
        )
        cycle = application.cycle

        def write():  # in the jurisdiction's language (``mail_staff``)
            subject = _("Your %(cycle)s designation is withdrawn") % {"cycle": cycle}
            body = _(
                "The designation of %(jurisdiction)s as a Citizen-Engaged Community (%(level)s, %(cycle)s) is "
                "withdrawn as of today.\n\nThe reason: %(reason)s\n\nThe jurisdiction no longer appears on the "
                "public list of designees, and the certificate's verification page says the designation was "
                "withdrawn. Read the decision on your application's page: %(link)s\n"
            ) % {
                "jurisdiction": application.jurisdiction,
                "level": level_label(current.level) if current.level else Decision.Outcome.DESIGNATED.label,
                "cycle": cycle,
                "reason": reason,
                "link": f"{settings.SITE_URL}{reverse('application_detail', args=[application.pk])}",
            }
            return subject, body

        transaction.on_commit(lambda: mail_staff(application, write))
    return decision
