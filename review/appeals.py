"""Appeals of a published decision: when one may be filed, filing it, and the organizers' ruling."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from assessment.audit import audit, said
from review.decisions import decide, outcome_label
from review.errors import ReviewError
from review.mail import tell_organizers_of_appeal
from review.models import Appeal, Decision, settings_for
from review.queries import application_panel, current_decision

APPEAL_PENDING = gettext_lazy(
    "An appeal of this decision is already pending; the organizers will tell you its outcome."
)


def why_no_appeal(application, now=None):
    """Why an appeal of the application's decision cannot be filed now, in words; "" when it can.

    An appeal needs a published decision, the cycle's appeal window open, and no
    other appeal pending. Who may file it is ``assessment.access.may_appeal``.
    """
    now = now or timezone.now()
    decision = current_decision(application)
    if decision is None or decision.published_at is None:
        return _("An appeal can be filed only after the decision is published.")
    deadline = settings_for(application.cycle).appeal_deadline
    if deadline is None:
        return _("Appeals are not open for this cycle.")
    if now > deadline:
        return _("The appeal window is closed.")
    if application.appeals.filter(outcome=Appeal.Outcome.PENDING).exists():
        return str(APPEAL_PENDING)
    return ""


def file_appeal(application, statement, by, now=None):
    """The applicant appeals the published decision, within the window; one pending appeal at a time.

    The database's one_pending_appeal constraint is what keeps it to one under
    parallel requests. The organizers are e-mailed once it is filed.
    """
    now = now or timezone.now()
    statement = (statement or "").strip()
    refusal = why_no_appeal(application, now)
    if refusal:
        raise ReviewError(refusal)
    if not statement:
        raise ReviewError(_("Write your statement: what should the panel reconsider, and why?"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(application=application, statement=statement, filed_by=by, filed_at=now)
        except IntegrityError:
            if application.appeals.filter(outcome=Appeal.Outcome.PENDING).exists():
                raise ReviewError(str(APPEAL_PENDING)) from None
            raise
        audit(
            by,
            "appeal.filed",
            application=application,
            words=said(gettext_noop("Appeal filed: %(statement)s"), statement=statement[:200]),
        )
        transaction.on_commit(lambda: tell_organizers_of_appeal(appeal))
    return appeal


def pending_appeals():
    """Every appeal waiting for the organizers, oldest first, with what the dashboard shows of it."""
    return (
        Appeal.objects.filter(outcome=Appeal.Outcome.PENDING)
        .select_related("application__jurisdiction", "application__cycle", "filed_by")
        .order_by("filed_at", "pk")
    )


def decide_appeal(appeal, outcome, notes, by, level="", designated=None, rubric=None):
    """Uphold the decision, or change it (a new decision, published at once, audited like any other).

    A change is refused, with the reason, when the panel could not decide
    (no counted review, criteria without a score, a level that is not the
    rubric's) or when it would not change anything. Once only: the appeal is
    claimed with ``UPDATE … WHERE outcome = 'pending'``. ``rubric``: the cycle's (the engine's), when
    the caller has it already.
    """
    if outcome not in (Appeal.Outcome.UPHELD, Appeal.Outcome.CHANGED):
        raise ReviewError(_("Choose whether the decision is upheld or changed."))
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise ReviewError(_("This appeal has already been decided."))
    notes = (notes or "").strip()
    if not notes:
        raise ReviewError(_("Write the reasons for the appeal's outcome."))
    now = timezone.now()
    with transaction.atomic():
        claimed = Appeal.objects.filter(pk=appeal.pk, outcome=Appeal.Outcome.PENDING).update(
            outcome=outcome, outcome_notes=notes, decided_by=by, decided_at=now
        )
        if not claimed:
            raise ReviewError(_("This appeal has already been decided."))
        if outcome == Appeal.Outcome.CHANGED:
            current = current_decision(appeal.application)
            new_outcome = Decision.Outcome.DESIGNATED if designated else Decision.Outcome.NOT_DESIGNATED
            new_level = level if designated else ""
            if current is None:
                raise ReviewError(_("There is no decision to change."))
            if (current.outcome, current.level) == (new_outcome, new_level):
                raise ReviewError(
                    _(
                        "The decision is already %(decision)s. To change it, choose another outcome or level; "
                        "to keep it, uphold it."
                    )
                    % {"decision": outcome_label(current.outcome, current.level)}
                )
            try:
                decide(
                    appeal.application,
                    new_outcome,
                    new_level,
                    _("Changed on appeal: %(reasons)s") % {"reasons": notes},
                    by,
                    override_reason=_("Appeal: %(reasons)s") % {"reasons": notes},
                    panel=application_panel(appeal.application, rubric),
                    published=True,
                    replaces=current.pk,
                )
            except ReviewError as refused:
                raise ReviewError(_("The decision cannot be changed: %(reason)s") % {"reason": refused}) from None
        appeal.outcome = outcome
        appeal.outcome_notes = notes
        appeal.decided_by = by
        appeal.decided_at = now
        if outcome == Appeal.Outcome.UPHELD:
            words = said(gettext_noop("Appeal decision upheld: %(notes)s"), notes=notes[:200])
        else:
            words = said(gettext_noop("Appeal decision changed: %(notes)s"), notes=notes[:200])
        audit(by, "appeal.decided", application=appeal.application, words=words)
    return appeal
