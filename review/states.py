"""Where an application stands, as the person reading may see it: the dashboard's rows and the application page.

Who may see what is ``assessment.access``'s: the state is for the application's own staff and organizers
(``may_follow``); the decision shows only to those ``may_read_decision`` lets read it. Before it is
published, the applicant's staff read "Under review", never "Decided": nothing on their pages tells that a
decision exists.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.access import can_edit, may_follow, may_read_decision
from assessment.models import Application
from review.models import Appeal, Assignment, Decision, ReviewSettings

DRAFT = "draft"
SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
QUESTION = "question"
DECIDED = "decided"
PUBLISHED = "published"

LABELS = {
    DRAFT: gettext_lazy("Draft"),
    SUBMITTED: gettext_lazy("Submitted"),
    UNDER_REVIEW: gettext_lazy("Under review"),
    DECIDED: gettext_lazy("Decided (not published)"),
    PUBLISHED: gettext_lazy("Decision published"),
}


@dataclass(frozen=True)
class State:
    """One application's state for one reader.

    ``decision``: the current decision, when this reader may read it (None otherwise, even if there is one);
    ``open_questions``: the panel's questions not answered yet; ``appeal_until``: the end of the appeal
    window while it is open for the published decision; ``appeal_pending``: an appeal waits for the organizers.
    """

    code: str
    label: str
    decision: Decision | None = None
    open_questions: int = 0
    appeal_until: datetime | None = None
    appeal_pending: bool = False

    @property
    def published(self):
        return self.code == PUBLISHED

    @property
    def appeal_open(self):
        """An appeal may be filed now: the conditions of ``review.appeals.why_no_appeal``, read for many at once."""
        return self.appeal_until is not None and not self.appeal_pending


def _figures(pks):
    """{pk: (open questions, reviewers assigned, appeal pending)} of these submitted applications, in one query."""
    rows = (
        Application.objects.filter(pk__in=pks)
        .order_by()  # no ordering: the default one would join the jurisdictions for nothing
        .annotate(
            open_questions=Count("clarifications", filter=Q(clarifications__answered_at=None)),
            reviewers=Exists(Assignment.objects.filter(application=OuterRef("pk"), active=True)),
            appeal_pending=Exists(Appeal.objects.filter(application=OuterRef("pk"), outcome=Appeal.Outcome.PENDING)),
        )
        .values_list("pk", "open_questions", "reviewers", "appeal_pending")
    )
    return {pk: rest for pk, *rest in rows}


def _appeal_deadlines(cycle_ids):
    """{cycle id: appeal deadline} of the cycles whose panel settings exist (none made here)."""
    if not cycle_ids:
        return {}
    return dict(ReviewSettings.objects.filter(cycle_id__in=cycle_ids).values_list("cycle_id", "appeal_deadline"))


def states_for(user, applications, now=None):
    """{application pk: State} of these applications (loaded, with their cycle) for this reader.

    At most three queries, whatever the number of applications, and none when all are drafts: their
    questions, reviewers and appeals; their current decisions; the appeal windows of the cycles
    whose decision the reader sees published. An application this reader may not follow
    (``assessment.access.may_follow``: a reviewer's) is left out.
    """
    now = now or timezone.now()
    followed = [a for a in applications if may_follow(user, a)]
    submitted = [a.pk for a in followed if not a.is_draft]
    figures = _figures(submitted) if submitted else {}
    decisions = {}
    if submitted:
        current = Decision.objects.filter(application__in=submitted, superseded_at=None).defer("snapshot")
        decisions = {d.application_id: d for d in current}
    visible = {a.pk: decisions.get(a.pk) for a in followed if may_read_decision(user, a, decisions.get(a.pk))}
    deadlines = _appeal_deadlines({a.cycle_id for a in followed if visible.get(a.pk) and visible[a.pk].published_at})
    states = {}
    for application in followed:
        if application.is_draft:
            states[application.pk] = State(DRAFT, str(LABELS[DRAFT]))
            continue
        open_questions, reviewers, appeal_pending = figures.get(application.pk, (0, False, False))
        decision = visible.get(application.pk)
        # A decision the reader may not see yet still means the panel is at work.
        code = _code(decision, open_questions, reviewers or application.pk in decisions)
        deadline = deadlines.get(application.cycle_id)
        states[application.pk] = State(
            code=code,
            label=_label(code, user, application),
            decision=decision,
            open_questions=open_questions,
            appeal_until=deadline if code == PUBLISHED and deadline and now <= deadline else None,
            appeal_pending=appeal_pending,
        )
    return states


def state_of(user, application, now=None):
    """The state of one application for this reader (``states_for``), or None if they may not follow it."""
    return states_for(user, [application], now).get(application.pk)


def _code(decision, open_questions, in_review):
    if decision is not None:
        return PUBLISHED if decision.published_at else DECIDED
    if open_questions:
        return QUESTION
    return UNDER_REVIEW if in_review else SUBMITTED


def _label(code, user, application):
    if code == QUESTION:
        return _("Question waiting for you") if can_edit(user, application) else _("Question waiting for the applicant")
    return str(LABELS[code])
