"""The panel's decisions: one by hand, all reviewed applications by threshold, and publishing a cycle's.

Deciding by threshold and publishing each have a plan (what would happen now,
shown before) and the action, which makes the plan again inside its lock.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from assessment.audit import audit, label, said
from assessment.audit import level as said_level
from assessment.models import Application, Cycle
from review import audit_words
from review.certificates import issue
from review.errors import DecidedMeanwhile, ReviewError
from review.mail import clock, mail_staff, staff_to_mail, when
from review.models import Decision, settings_for
from review.queries import application_panel, current_decision, panels_of
from review.rationale import by_threshold
from review.summary import suggestion
from scoring.domain import rubric_for
from scoring.levels import label as level_label

# ``decide(replaces=ANY)``: supersede whatever decision is current (a deliberate second decision).
ANY = object()


def outcome_label(outcome, level):
    """A decision's outcome as people read it: 'Designated — Gold', 'Not designated'."""
    label = str(Decision.Outcome(outcome).label)
    return f"{label} — {level_label(level)}" if level else label


def _meanwhile(current):
    """The refusal of a decision that lost the race (or was made on a page that is out of date)."""
    if current is None:
        return DecidedMeanwhile(
            _("The decision changed after you opened the page; yours was not recorded. Read it, then decide again.")
        )
    named = {
        "decision": outcome_label(current.outcome, current.level),
        "person": current.decided_by,
        "time": clock(timezone.localtime(current.decided_at)),
    }
    if current.decided_by:
        said = _(
            "A decision was recorded after you opened the page: %(decision)s by %(person)s at %(time)s. Yours was "
            "not recorded; read it, and decide again if it should change."
        )
    else:
        said = _(
            "A decision was recorded after you opened the page: %(decision)s at %(time)s. Yours was not recorded; "
            "read it, and decide again if it should change."
        )
    return DecidedMeanwhile(said % named)


def decide(application, outcome, level, rationale, by, override_reason="", panel=None, published=False, replaces=ANY):
    """Record the panel's decision, frozen with what it was made on. Overriding the engine needs a reason.

    ``replaces`` is the current decision the decider saw (its pk, or None when
    there was none); if another one is current by the time this one is written,
    it is refused with ``DecidedMeanwhile`` instead of silently superseding it.
    Under parallel requests the application's row is locked (PostgreSQL) or the
    whole transaction is (SQLite, ``IMMEDIATE``), so exactly one of them records.
    """
    rationale = (rationale or "").strip()
    override_reason = (override_reason or "").strip()
    panel = panel or application_panel(application)
    if not panel["reviews"]:
        raise ReviewError(_("No submitted review counts yet: the panel decides after reviewing."))
    result = panel["result"]
    if result["pending"]:
        raise ReviewError(_("Some judged criteria have no score yet."))
    if outcome not in Decision.Outcome.values:
        raise ReviewError(_("Choose designated or not designated."))
    level_names = [name for name, _minimum in panel["rubric"].levels]
    if outcome == Decision.Outcome.DESIGNATED and level not in level_names:
        raise ReviewError(
            _("Choose the level: %(levels)s.") % {"levels": ", ".join(level_label(name) for name in level_names)}
        )
    if outcome == Decision.Outcome.NOT_DESIGNATED:
        level = ""
    if not rationale:
        raise ReviewError(_("Write the rationale for the decision."))
    suggested_outcome, suggested_level = suggestion(result)
    if (outcome, level) != (suggested_outcome, suggested_level) and not override_reason:
        raise ReviewError(
            _("The decision differs from the engine's suggestion (%(suggestion)s): give the reason for overriding it.")
            % {"suggestion": outcome_label(suggested_outcome, suggested_level)}
        )
    combined = panel["combined"]
    snapshot = {
        "rubric_version": panel["rubric"].version,
        "total": result["total"],
        "categories": result["categories"],
        "criteria": {c.code: result["criteria"][c.code] for c in panel["rubric"].criteria},
        "prerequisites": result["prerequisites"],
        "judged": combined.judged,
        "adjusted": combined.adjusted,
        "reviews": [
            {
                "reviewer": str(r.assignment.reviewer),
                "reviewer_id": r.assignment.reviewer_id,
                "total": combined.totals.get(r.assignment.reviewer_id),
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            }
            for r in panel["reviews"]
        ],
        "spread": combined.spread,
    }
    now = timezone.now()
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        previous = current_decision(application)
        if replaces is not ANY and (previous.pk if previous else None) != replaces:
            raise _meanwhile(previous)
        if previous:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        try:
            with transaction.atomic():  # one_current_decision: the last guard, should a lock be missed
                decision = Decision.objects.create(
                    application=application,
                    outcome=outcome,
                    level=level,
                    total=result["total"],
                    rationale=rationale,
                    suggested_outcome=suggested_outcome,
                    suggested_level=suggested_level,
                    override_reason=override_reason,
                    snapshot=snapshot,
                    decided_by=by,
                    decided_at=now,
                    published_at=now if published else None,
                )
        except IntegrityError:
            raise _meanwhile(None) from None
        issue(decision)  # a designation published at once (an appeal's) gets its certificate; nothing else does
        said_outcome = label(Decision.Outcome(outcome).label)
        if level:
            said_outcome = said(gettext_noop("%(outcome)s — %(level)s"), outcome=said_outcome, level=said_level(level))
        words = audit_words.recorded(said_outcome, result["total"], override_reason)
        audit(
            by,
            "decision.recorded",
            application=application,
            words=words,
            decision=decision.pk,
            superseded=previous and previous.pk,
        )
    return decision


@dataclass
class BulkPlan:
    """What "decide all reviewed by threshold" would do now: shown before, done by ``bulk_decide``."""

    # (application, its panel, outcome, level): reviewed by enough reviewers, every criterion scored, undecided.
    to_decide: list
    not_reviewed: list  # submitted, undecided, not fully reviewed yet
    already_decided: int

    @property
    def designated(self):
        return sum(1 for _a, _p, outcome, _l in self.to_decide if outcome == Decision.Outcome.DESIGNATED)

    @property
    def not_designated(self):
        return len(self.to_decide) - self.designated


def bulk_plan(cycle):
    """The decisions ``bulk_decide`` would record now, by the rubric's threshold (a constant number of queries)."""
    review_settings = settings_for(cycle)
    decided = set(
        Decision.objects.filter(application__cycle=cycle, superseded_at=None).values_list("application_id", flat=True)
    )
    undecided = list(
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .exclude(pk__in=decided)
        .select_related("jurisdiction", "cycle", "score")
    )
    panels = panels_of(undecided, rubric_for(cycle).to_engine(), review_settings)
    to_decide, not_reviewed = [], []
    for application in undecided:
        panel = panels[application.pk]
        if len(panel["reviews"]) < review_settings.reviewers_per_application or panel["result"]["pending"]:
            not_reviewed.append(application)
            continue
        outcome, level = suggestion(panel["result"])
        to_decide.append((application, panel, outcome, level))
    return BulkPlan(to_decide, not_reviewed, len(decided))


def bulk_decide(cycle, by):
    """Decide every reviewed, undecided application by the rubric's threshold — one decision each.

    An application decided by someone else in the meantime keeps that decision
    (each decision is recorded with ``replaces=None``). Returns (made, not fully reviewed).
    """
    plan = bulk_plan(cycle)
    made, skipped = [], plan.not_reviewed
    for application, panel, outcome, level in plan.to_decide:
        rationale = by_threshold(panel["result"], outcome, level, panel["rubric"])
        try:
            made.append(decide(application, outcome, level, rationale, by, panel=panel, replaces=None))
        except DecidedMeanwhile:
            continue
    words = said(
        gettext_noop("Bulk decision: %(made)s decided, %(skipped)s not yet reviewed"),
        made=len(made),
        skipped=len(skipped),
    )
    audit(by, "decision.bulk", cycle=cycle, words=words)
    return made, skipped


def _names(items, limit=10):
    names = [str(item) for item in items]
    if len(names) > limit:
        return more_names(", ".join(names[:limit]), len(names) - limit)
    return ", ".join(names)


def more_names(names, more):
    """A list of names cut short: 'Ashford, Brook and 3 more'."""
    return _("%(names)s and %(count)s more") % {"names": names, "count": more}


def undecided_in_words(n, names):
    """The blocker of publishing while ``n`` submitted applications (``names``) have no decision."""
    return ngettext(
        "%(count)s submitted application has no decision yet: %(names)s.",
        "%(count)s submitted applications have no decision yet: %(names)s.",
        n,
    ) % {"count": n, "names": names}


@dataclass
class PublicationPlan:
    """What publishing a cycle would do now, and what stands in its way: shown before, checked by the publishing."""

    decisions: list  # the current, unpublished decisions, by jurisdiction
    designees: int  # of them, designations: made public on /designees/
    applicants: int  # applications whose staff are e-mailed
    addresses: int  # e-mails sent
    blockers: list = field(default_factory=list)  # sentences; publishing is refused while there is one

    @property
    def not_designated(self):
        return len(self.decisions) - self.designees


def _still_open(cycle, now):
    """Why the cycle has not closed (its deadline, or a draft's extension, still ahead), or None."""
    parts = []
    if now <= cycle.closes_at:
        parts.append(_("the deadline is %(date)s") % {"date": when(cycle.closes_at)})
    # Drafts only: a submitted application can no longer use its extension.
    extended = (
        Application.objects.filter(
            cycle=cycle, status=Application.Status.DRAFT, extension_until__gte=now, extension_until__gt=cycle.closes_at
        )
        .select_related("jurisdiction")
        .order_by("extension_until", "jurisdiction__name")
    )
    parts += [
        _("%(jurisdiction)s has an extension until %(date)s")
        % {"jurisdiction": a.jurisdiction, "date": when(a.extension_until)}
        for a in extended
    ]
    if not parts:
        return None
    if len(parts) == 1:
        listed = parts[0]
    else:
        listed = _("%(list)s and %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}
    return _("The cycle is still open: %(reasons)s.") % {"reasons": listed}


def publication_plan(cycle, now=None):
    """The decisions publishing would make public now, who would be told, and any reason it cannot happen yet."""
    now = now or timezone.now()
    blockers = []
    still_open = _still_open(cycle, now)
    if still_open:
        blockers.append(still_open)
    current = {
        d.application_id: d
        for d in Decision.objects.filter(application__cycle=cycle, superseded_at=None).select_related(
            "application__jurisdiction", "application__cycle"
        )
    }
    undecided = [
        a.jurisdiction
        for a in Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .exclude(pk__in=current)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name")
    ]
    if undecided:
        blockers.append(undecided_in_words(len(undecided), _names(undecided)))
    decisions = sorted(
        (d for d in current.values() if d.published_at is None), key=lambda d: d.application.jurisdiction.name
    )
    if not decisions and not undecided:
        blockers.append(_("There are no unpublished decisions in this cycle."))
    # The same people mail_staff writes to.
    addresses = {}
    for jurisdiction_id, _email in staff_to_mail({d.application.jurisdiction_id for d in decisions}).values_list(
        "jurisdiction_id", "email"
    ):
        addresses[jurisdiction_id] = addresses.get(jurisdiction_id, 0) + 1
    return PublicationPlan(
        decisions=decisions,
        designees=sum(1 for d in decisions if d.outcome == Decision.Outcome.DESIGNATED),
        applicants=sum(1 for d in decisions if addresses.get(d.application.jurisdiction_id)),
        addresses=sum(addresses.get(d.application.jurisdiction_id, 0) for d in decisions),
        blockers=blockers,
    )


def publish_decisions(cycle, by, expected=None):
    """Publish every current decision of the cycle at once; applicants are told.

    Only once the cycle has closed (its deadline and every draft's extension
    passed) and every submitted application has a current decision; otherwise a
    ReviewError says what is missing. ``expected``: the number of decisions the
    organizer was shown; if it changed meanwhile, nothing is published.
    Once only under parallel requests: the cycle's row is locked (PostgreSQL; on
    SQLite the ``IMMEDIATE`` transaction is), and the plan is made inside the lock.
    """
    now = timezone.now()
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        plan = publication_plan(cycle, now)
        if plan.blockers:
            raise ReviewError(" ".join(plan.blockers))
        decisions = plan.decisions
        if expected is not None and expected != len(decisions):
            raise ReviewError(
                ngettext(
                    "The decisions changed after you opened the page: %(count)s decision would be published now. "
                    "Nothing was published; check the figures and confirm again.",
                    "The decisions changed after you opened the page: %(count)s decisions would be published now. "
                    "Nothing was published; check the figures and confirm again.",
                    len(decisions),
                )
                % {"count": len(decisions)}
            )
        for decision in list(decisions):
            # Still current and unpublished: a decision recorded at this very moment supersedes its
            # predecessor under the application's lock, not the cycle's, so it is checked row by row.
            if not Decision.objects.filter(pk=decision.pk, superseded_at=None, published_at=None).update(
                published_at=now
            ):
                decisions.remove(decision)
                continue
            decision.published_at = now
            issue(decision)  # a designation's certificate (review.certificates); none for any other decision
            words = said(
                gettext_noop("Published: %(outcome)s"), outcome=label(Decision.Outcome(decision.outcome).label)
            )
            audit(by, "decision.published", application=decision.application, words=words)
        cycle.status = Cycle.Status.PUBLISHED
        cycle.save(update_fields=["status"])
        audit(
            by,
            "cycle.published",
            cycle=cycle,
            words=audit_words.cycle_published(cycle, len(decisions), plan),
        )

        def tell_applicants():
            for decision in decisions:
                mail_staff(decision.application, lambda decision=decision: _decision_mail(cycle, decision))

        transaction.on_commit(tell_applicants)
    return decisions


def _decision_mail(cycle, decision):
    """The subject and body telling an applicant's staff of the published decision, in the active language."""
    subject = _("Decision on your %(cycle)s application") % {"cycle": cycle}
    body = _(
        "The panel's decision on %(jurisdiction)s's application is published: %(decision)s.\n"
        "Read it, with the reviewers' comments, on your application's page.\n"
    ) % {"jurisdiction": decision.application.jurisdiction, "decision": outcome_label(decision.outcome, decision.level)}
    return subject, body
