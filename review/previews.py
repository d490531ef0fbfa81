"""The confirmation pages' figures in summary: what deciding by threshold and publishing would do,
in counts and a few names, in a constant number of queries whatever the size of the cycle.

The actions themselves (``review.decisions.bulk_decide``, ``publish_decisions``) make their full plan
again, inside their lock.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Application, Jurisdiction
from review.decisions import _still_open, more_names, undecided_in_words
from review.mail import staff_to_mail
from review.models import Decision, settings_for
from review.summary import cycle_summary
from scoring.domain import rubric_for


@dataclass
class BulkPreview:
    """``BulkPlan`` in summary, for the confirmation page: counts and a few names, whatever the cycle's size."""

    to_decide: int
    designated: int
    by_decision: list  # [(outcome, level, count)], most first
    not_reviewed: int
    not_reviewed_names: str  # the first ten, then "and N more"
    already_decided: int

    @property
    def not_designated(self):
        return self.to_decide - self.designated


def bulk_preview(cycle):
    """What ``bulk_decide`` would do now, from the cycle's kept figures (``review.summary``): the same
    test as ``bulk_plan`` — enough counted reviews, every criterion scored, no decision — in a constant
    number of queries, none of which reads an application's row."""
    review_settings = settings_for(cycle)
    summary = cycle_summary(cycle, rubric_for(cycle).to_engine(), review_settings)
    current = Decision.objects.filter(application__cycle=cycle, superseded_at=None)
    decided = dict(current.values_list("application_id", "application__status"))
    # Those with enough reviews, and their suggestions counted, kept with the figures; less the decided ones.
    enough, counts = summary.ready(max(review_settings.reviewers_per_application, 1))
    counts = dict(counts)
    for application_id in decided:
        key = enough.get(application_id)
        if key is not None:
            counts[key] -= 1
    counts = {key: n for key, n in counts.items() if n}
    to_decide = sum(counts.values())
    undecided = summary.submitted - sum(1 for status in decided.values() if status == Application.Status.SUBMITTED)
    not_reviewed = undecided - to_decide
    return BulkPreview(
        to_decide=to_decide,
        designated=sum(n for (outcome, _level), n in counts.items() if outcome == Decision.Outcome.DESIGNATED),
        by_decision=sorted(((o, lv, n) for (o, lv), n in counts.items()), key=lambda item: (-item[2], item[0])),
        not_reviewed=not_reviewed,
        not_reviewed_names=_short_names(cycle, current, enough, not_reviewed) if not_reviewed else "",
        already_decided=len(decided),
    )


def _short_names(cycle, current, enough, not_reviewed):
    """The first ten undecided applications, by jurisdiction, with fewer counted reviews than needed (those not
    in ``enough``), then "and N more": read from the keys in order until ten are found, never a row."""
    undecided = (
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .exclude(pk__in=current.values("application_id"))
        .order_by("jurisdiction__name", "pk")
        .values_list("pk", "jurisdiction__name", "jurisdiction__state")
    )
    short = []
    for pk, name, state in undecided.iterator(chunk_size=50):
        if pk not in enough:
            short.append(str(Jurisdiction(name=name, state=state)))
            if len(short) == 10:
                break
    names = ", ".join(short)
    if not_reviewed > 10:
        names = more_names(names, not_reviewed - 10)
    return names


@dataclass
class PublicationPreview:
    """``review.decisions.PublicationPlan`` in summary, for the confirmation page."""

    count: int  # the current, unpublished decisions
    by_decision: list  # [(outcome label, level, count)]
    designees: int
    applicants: int
    addresses: int
    blockers: list

    @property
    def not_designated(self):
        return self.count - self.designees


def publication_preview(cycle, now=None):
    """What publishing would do now, and what stands in its way — the same figures and sentences as
    ``publication_plan``, counted by the database."""
    now = now or timezone.now()
    blockers = []
    still_open = _still_open(cycle, now)
    if still_open:
        blockers.append(still_open)
    current = Decision.objects.filter(application__cycle=cycle, superseded_at=None)
    # The current decisions counted by outcome, level and publication (from the ``current_decision_outcome``
    # and ``application_cycle_status`` indexes), the submitted applications counted: none of their rows read.
    grouped = (
        current.values_list("outcome", "level", "application__status")
        .annotate(n=Count("id"), unpublished=Count("id", filter=Q(published_at=None)))
        .order_by()
    )
    decided, unpublished_by = 0, {}
    for outcome, level, status, n, unpublished_n in grouped:
        decided += n if status == Application.Status.SUBMITTED else 0
        if unpublished_n:
            unpublished_by[outcome, level] = unpublished_by.get((outcome, level), 0) + unpublished_n
    submitted = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
    missing = submitted.count() - decided
    if missing:
        undecided = submitted.exclude(pk__in=current.values("application_id")).order_by("jurisdiction__name", "pk")
        first = undecided.values_list("jurisdiction__name", "jurisdiction__state")[:10]
        names = ", ".join(str(Jurisdiction(name=name, state=state)) for name, state in first)
        blockers.append(undecided_in_words(missing, more_names(names, missing - 10) if missing > 10 else names))
    unpublished = current.filter(published_at=None)
    by_decision = [(Decision.Outcome(o).label, lv, n) for (o, lv), n in sorted(unpublished_by.items())]
    count = sum(n for _o, _l, n in by_decision)
    if not count and not missing:
        blockers.append(_("There are no unpublished decisions in this cycle."))
    # The same people mail_staff writes to: per decision, its jurisdiction's staff with an address.
    staff = staff_to_mail(unpublished.values("application__jurisdiction_id"))
    return PublicationPreview(
        count=count,
        by_decision=by_decision,
        designees=sum(n for label, _l, n in by_decision if label == Decision.Outcome.DESIGNATED.label),
        applicants=unpublished.filter(application__jurisdiction__in=staff.values("jurisdiction_id")).count(),
        addresses=staff.filter(jurisdiction__applications__decisions__in=unpublished).count(),
        blockers=blockers,
    )
