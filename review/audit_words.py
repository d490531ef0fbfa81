"""The audit trail's sentences about decisions (``assessment.audit.said``): kept here, out of ``review.decisions``,
whose operations only say which sentence and with what."""

from django.utils.translation import gettext_noop

from assessment.audit import in_each_language, ngettext_noop, said


def recorded(outcome, total, override_reason):
    """ "Recorded the decision: Designated — Gold (77 points)"; ``outcome`` in each language (``in_each_language``)."""
    points = f"{total:g}"
    words = {"outcome": outcome, "total": {"en": points, "fr": points.replace(".", ",")}}
    if override_reason:
        message = gettext_noop(
            "Recorded the decision: %(outcome)s (%(total)s points); overrides the suggestion: %(reason)s"
        )
        return said(message, reason=override_reason, **words)
    return said(gettext_noop("Recorded the decision: %(outcome)s (%(total)s points)"), **words)


def cycle_published(cycle, decisions, plan):
    """ "Published 3 decisions of 2026–2028: 2 designees, 1 not designated; 4 e-mails to 3 applicants"."""
    return said(
        gettext_noop(
            "Published %(decisions)s of %(cycle)s: %(designees)s, %(not_designated)s not designated; "
            "%(emails)s to %(applicants)s"
        ),
        decisions=said(ngettext_noop("%(count)s decision", "%(count)s decisions"), count=decisions),
        cycle=in_each_language(lambda: cycle),
        designees=said(ngettext_noop("%(count)s designee", "%(count)s designees"), count=plan.designees),
        not_designated=plan.not_designated,
        emails=said(ngettext_noop("%(count)s e-mail", "%(count)s e-mails"), count=plan.addresses),
        applicants=said(ngettext_noop("%(count)s applicant", "%(count)s applicants"), count=plan.applicants),
    )
