"""What needs the organizers now: each cycle's waiting work, counted by the database, and said in words.

``with_figures(cycles)`` annotates a queryset of cycles with their counts (drafts due soon, applications
without enough reviewers, overdue reviews, unanswered questions, applications ready for a decision or
waiting for one, decisions not yet published…): correlated subqueries of the one query that reads the
cycles, so the dashboard and a cycle's page read them at no extra query whatever the number of
applications. ``items(cycles, appeals)`` turns them into the list of what is waiting, each a sentence with
a count and a link.

Whether reviewers disagree is the review panel's figure (``review.summary.cycle_summary``): it is worked
out only for a cycle with an undecided application that two reviews or more count for (in practice the
one cycle under review), at the cost of the summary's fingerprint (two queries) while it is kept, and one
query for the cycles' current decisions.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from assessment.models import Application, Cycle
from config.prepared import PreparedQuery
from review.models import Assignment, Clarification, Decision, Review, ReviewSettings, settings_for
from review.summary import cycle_summary
from scoring.domain import rubric_for
from scoring.models import Rubric

# A draft is "due soon" within this many days of its deadline (its extension's, if later).
DUE_WITHIN = timedelta(days=7)
DEFAULT_REVIEWERS = ReviewSettings._meta.get_field("reviewers_per_application").default


class Counted(Subquery):
    """How many rows a queryset (correlated to the outer query by ``OuterRef``) has, 0 when none."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()

    def __init__(self, queryset):
        super().__init__(queryset.order_by().values("pk"))


def _figures(now, soon):
    """The annotations of ``with_figures``, by name: subqueries on the outer cycle's applications.

    ``soon``: ``now`` + DUE_WITHIN, a value of its own so that the compiled query takes it as a parameter.
    """
    applications = Application.objects.filter(cycle=OuterRef("pk"))
    drafts = applications.filter(status=Application.Status.DRAFT)
    submitted = applications.filter(status=Application.Status.SUBMITTED)
    current = Decision.objects.filter(application=OuterRef("pk"), superseded_at=None)
    decided = submitted.filter(Exists(current))
    # Undecided, with their active reviewers, their counted reviews and how many reviews the panel wants.
    undecided = submitted.exclude(Exists(current)).alias(
        reviewers=Counted(Assignment.objects.filter(application=OuterRef("pk"), active=True)),
        reviews=Counted(Review.objects.counted().filter(assignment__application=OuterRef("pk"))),
        wanted=Coalesce(F("cycle__review_settings__reviewers_per_application"), Value(DEFAULT_REVIEWERS)),
    )
    due = (
        drafts.alias(due=Greatest(Coalesce("extension_until", "cycle__closes_at"), "cycle__closes_at"))
        .filter(due__gte=now, due__lte=soon)
        # A cycle closed early takes no more drafts, but for those whose extension still runs.
        .filter(Q(cycle__status=Cycle.Status.OPEN) | Q(extension_until__gte=now))
    )
    undecided_application = Q(assignment__application__status=Application.Status.SUBMITTED) & ~Q(
        Exists(Decision.objects.filter(application=OuterRef("assignment__application"), superseded_at=None))
    )
    overdue = Review.objects.filter(
        undecided_application,
        assignment__application__cycle=OuterRef("pk"),
        assignment__active=True,
        assignment__application__cycle__review_settings__review_deadline__lt=now,
    ).exclude(status=Review.Status.SUBMITTED)
    return {
        "drafts": Counted(drafts),
        "drafts_due": Counted(due),
        "submitted": Counted(submitted),
        "decided": Counted(decided),
        "published": Counted(decided.filter(Exists(current.exclude(published_at=None)))),
        "unpublished": Counted(decided.filter(Exists(current.filter(published_at=None)))),
        "undecided": Counted(undecided),
        "need_reviewers": Counted(undecided.filter(reviewers__lt=F("wanted"))),
        "assigned": Counted(
            submitted.filter(Exists(Assignment.objects.filter(application=OuterRef("pk"), active=True)))
        ),
        "ready": Counted(undecided.filter(reviews__gte=F("wanted"))),
        "reviewed_twice": Counted(undecided.filter(reviews__gte=2)),
        "reviews_in": Counted(Review.objects.counted().filter(assignment__application__cycle=OuterRef("pk"))),
        "overdue": Counted(overdue),
        "questions": Counted(Clarification.objects.filter(application__cycle=OuterRef("pk"), answered_at=None)),
        "extended": Counted(drafts.filter(extension_until__gte=now, extension_until__gt=F("cycle__closes_at"))),
    }


@cache
def figure_names():
    """The names of the counts ``with_figures`` sets on each cycle (worked out once, on first use)."""
    now = timezone.now()
    return tuple(_figures(now, now))


# Every cycle's figures: built and compiled once per process (their fifteen subqueries cost twenty times
# more to compile than to run), then run with the time of each request.
FIGURES = PreparedQuery(
    lambda now, soon: Cycle.objects.order_by().values("pk").annotate(**_figures(now, soon)), "now", "soon"
)


def with_figures(cycles, now=None):
    """The cycles of ``cycles`` (a queryset), with their panel settings and rubric, each with its counts as
    attributes (``_figures``' names): two queries, the cycles' and every cycle's counts."""
    now = now or timezone.now()
    cycles = list(cycles.select_related("review_settings", "rubric"))
    if not cycles:
        return cycles
    counts = {row["pk"]: row for row in FIGURES.rows(now=now, soon=now + DUE_WITHIN)}
    for cycle in cycles:
        found = counts.get(cycle.pk, {})
        for name in figure_names():
            setattr(cycle, name, found.get(name) or 0)
    return cycles


@dataclass
class Item:
    """One thing waiting: a sentence with its count, the page where it is done, and its cycle."""

    kind: str
    count: int
    text: str
    url: str
    cycle: Cycle


def says(n, words):
    """The sentence ``words`` (an ``ngettext_lazy(singular, plural, "count")`` whose text has ``%(count)s``) for
    ``n``, in the active language: "1 draft is due…", "3 drafts are due…"."""
    return str(words % {"count": n})


# What is waiting, as a whole sentence for each count (French agrees its plural from 2, English from 2 too).
APPEALS = ngettext_lazy("%(count)s appeal is pending", "%(count)s appeals are pending", "count")
TO_PUBLISH = ngettext_lazy(
    "%(count)s decision is ready to publish", "%(count)s decisions are ready to publish", "count"
)
TO_DECIDE = ngettext_lazy(
    "%(count)s application is fully reviewed and waiting for a decision",
    "%(count)s applications are fully reviewed and waiting for a decision",
    "count",
)
DISAGREE = ngettext_lazy(
    "%(count)s application has reviewers who disagree", "%(count)s applications have reviewers who disagree", "count"
)
OVERDUE = ngettext_lazy("%(count)s review is overdue", "%(count)s reviews are overdue", "count")
NEED_REVIEWERS = ngettext_lazy(
    "%(count)s submitted application needs reviewers", "%(count)s submitted applications need reviewers", "count"
)
QUESTIONS = ngettext_lazy(
    "%(count)s question to an applicant is not answered yet",
    "%(count)s questions to applicants are not answered yet",
    "count",
)
DRAFTS_DUE = ngettext_lazy(
    "%(count)s draft is due within %(days)s days", "%(count)s drafts are due within %(days)s days", "count"
)


def panel_settings(cycle):
    """The cycle's panel settings, read with it by ``with_figures`` (made with the defaults if it has none)."""
    try:
        return cycle.review_settings  # read with the cycle (``with_figures``)
    except ReviewSettings.DoesNotExist:
        return settings_for(cycle)


def disagreements(cycles):
    """{cycle pk: undecided applications whose reviewers disagree}, from the panel's summary of each cycle
    with an undecided application that two reviews or more count for (``reviewed_twice``)."""
    flagged = {}
    for cycle in cycles:
        if not cycle.reviewed_twice:
            continue
        try:
            rubric = cycle.rubric  # read with the cycle
        except Rubric.DoesNotExist:
            rubric = rubric_for(cycle)
        summary = cycle_summary(cycle, rubric.to_engine(), panel_settings(cycle))
        flagged[cycle.pk] = {pk for pk, row in summary.figures.items() if row["disagree"]}
    wanted = set().union(*flagged.values())
    decided = set(
        Decision.objects.filter(application__in=wanted, superseded_at=None).values_list("application_id", flat=True)
        if wanted
        else ()
    )
    return {pk: len(ids - decided) for pk, ids in flagged.items()}


def _appeal_link(appeals):
    if len(appeals) == 1:
        return reverse("panel_application", args=[appeals[0].application_id]) + "#appeals"
    return reverse("home") + "#appeals"


def items(cycles, appeals=(), now=None):
    """What is waiting now in these cycles (read by ``with_figures``), most urgent first within each cycle.

    ``appeals``: the pending appeals (``review.appeals.pending_appeals``), already read by the page.
    """
    now = now or timezone.now()
    disagree = disagreements(cycles)
    appealed = {}
    for appeal in appeals:
        appealed.setdefault(appeal.application.cycle_id, []).append(appeal)
    found = []
    for cycle in cycles:
        panel = reverse("panel_cycle", args=[cycle.pk])
        listed = reverse("cycle_applications", args=[cycle.pk])
        waiting = appealed.get(cycle.pk, [])
        ready_to_publish = cycle.unpublished and not cycle.undecided and not cycle.extended and cycle.closes_at < now
        candidates = [
            ("appeals", len(waiting), says(len(waiting), APPEALS), _appeal_link),
            (
                "publish",
                cycle.unpublished if ready_to_publish else 0,
                says(cycle.unpublished, TO_PUBLISH),
                reverse("panel_publish", args=[cycle.pk]),
            ),
            ("decide", cycle.ready, says(cycle.ready, TO_DECIDE), panel),
            (
                "disagree",
                disagree.get(cycle.pk, 0),
                says(disagree.get(cycle.pk, 0), DISAGREE),
                f"{listed}?status=submitted&disagree=on",  # the list's filters: not decided, reviewers disagree
            ),
            ("overdue", cycle.overdue, says(cycle.overdue, OVERDUE), panel),
            (
                "reviewers",
                # Reviewers are assigned once applications close: an open cycle's submissions wait for the deadline.
                0 if cycle.status == Cycle.Status.OPEN and now < cycle.closes_at else cycle.need_reviewers,
                says(cycle.need_reviewers, NEED_REVIEWERS),
                panel,
            ),
            ("questions", cycle.questions, says(cycle.questions, QUESTIONS), listed),
            (
                "drafts",
                cycle.drafts_due,
                str(DRAFTS_DUE % {"count": cycle.drafts_due, "days": DUE_WITHIN.days}),
                f"{listed}?status=draft",
            ),
        ]
        if cycle.status == Cycle.Status.PUBLISHED:
            # Its designees are public: what is left to do is an appeal (an archive cycle's undecided rows are not).
            candidates = candidates[:1]
        for kind, count, text, url in candidates:
            if count:
                found.append(Item(kind, count, text, url(waiting) if callable(url) else url, cycle))
    return found
