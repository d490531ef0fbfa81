"""A cycle's phase as organizers follow it, the next step in words, and changing the phase by hand.

The phases are those of ``Cycle.Status`` with one more that the dates make: an open cycle whose deadline
has passed is *closed* (drafts with an extension still running may be submitted; nothing else comes in)
until the organizers close it for review. Opening, closing for review and marking a cycle decided are
done by hand, each from a page that first says what will happen (``phase_plan``); publishing the designees
is the review panel's own step (``review.decisions.publish_decisions``), which asks first too.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy, pgettext_lazy

from assessment.audit import audit, label, named, said
from assessment.models import Cycle
from assessment.templatetags.zones import in_zone
from pages.attention import NEED_REVIEWERS, OVERDUE, TO_DECIDE, says, with_figures

Status = Cycle.Status

# The step indicator's phases, in order ("upcoming" comes before the first).
PHASES = (
    ("open", pgettext_lazy("phase of a cycle", "Open")),
    ("closed", pgettext_lazy("phase of a cycle", "Closed")),
    ("review", pgettext_lazy("phase of a cycle", "In review")),
    ("decided", pgettext_lazy("phase of a cycle", "Decided")),
    ("published", pgettext_lazy("phase of a cycle", "Published")),
)


def phase_of(cycle, now=None):
    """ "upcoming", "open", "closed" (open, its deadline passed), "review", "decided" or "published"."""
    if cycle.status == Status.OPEN:
        return "closed" if (now or timezone.now()) > cycle.closes_at else "open"
    return {
        Status.UPCOMING: "upcoming",
        Status.REVIEW: "review",
        Status.DECIDED: "decided",
        Status.PUBLISHED: "published",
    }[cycle.status]


def steps(phase):
    """The step indicator: [{"label", "state": "complete" | "current" | ""}] and the current step's number
    (0 while the cycle is upcoming)."""
    keys = [key for key, _label in PHASES]
    at = keys.index(phase) if phase in keys else -1
    marked = [
        {"label": label, "state": "complete" if i < at else "current" if i == at else ""}
        for i, (_key, label) in enumerate(PHASES)
    ]
    return marked, at + 1


@dataclass
class NextStep:
    text: str
    label: str = ""  # the button's or link's words
    url: str = ""


# The counts the next step and the phase pages say, each a whole phrase or sentence for its number.
SUBMITTED = ngettext_lazy("%(count)s submitted", "%(count)s submitted", "count")
DRAFTS = ngettext_lazy("%(count)s draft", "%(count)s drafts", "count")
SUBMITTED_APPLICATIONS = ngettext_lazy("%(count)s submitted application", "%(count)s submitted applications", "count")
EXTENDED = ngettext_lazy(
    "%(count)s draft has an extension still running.", "%(count)s drafts have an extension still running.", "count"
)
WAITING = ngettext_lazy(
    "%(count)s application waits for its reviews.", "%(count)s applications wait for their reviews.", "count"
)
WAITING_OVERDUE = ngettext_lazy(
    "%(count)s application waits for its reviews (%(overdue)s).",
    "%(count)s applications wait for their reviews (%(overdue)s).",
    "count",
)
TO_PUBLISH = ngettext_lazy(
    "%(count)s decision is ready to be published.", "%(count)s decisions are ready to be published.", "count"
)
SINCE_PUBLISHING = ngettext_lazy(
    "%(count)s decision was recorded since publishing and not published yet.",
    "%(count)s decisions were recorded since publishing and not published yet.",
    "count",
)
PUBLISHED = ngettext_lazy(
    "The designees are published: %(count)s decision in all.",
    "The designees are published: %(count)s decisions in all.",
    "count",
)


def next_step(cycle, now=None):
    """What the organizers do next in this cycle (read with ``pages.attention.with_figures``), in words."""
    now = now or timezone.now()
    phase, zone = phase_of(cycle, now), cycle.time_zone
    change = lambda word: reverse("cycle_phase", args=[cycle.pk, word])  # noqa: E731
    panel = reverse("panel_cycle", args=[cycle.pk])
    listed = reverse("cycle_applications", args=[cycle.pk])
    if phase == "upcoming":
        return NextStep(
            _("Applications open on %(date)s. Open the cycle once its dates, panel settings and rubric are ready.")
            % {"date": in_zone(cycle.opens_at, zone)},
            _("Open the cycle…"),
            change("open"),
        )
    if phase == "open":
        counts = {"submitted": says(cycle.submitted, SUBMITTED), "drafts": says(cycle.drafts, DRAFTS)}
        if now < cycle.opens_at:
            text = _("Applications can be started from %(date)s: %(submitted)s and %(drafts)s so far.")
            counts["date"] = in_zone(cycle.opens_at, zone)
        else:
            text = _("Applications close on %(date)s: %(submitted)s and %(drafts)s so far.")
            counts["date"] = in_zone(cycle.closes_at, zone)
        return NextStep(text % counts, _("See the applications"), listed)
    if phase == "closed":
        text = _("Applications closed on %(date)s with %(submitted)s.") % {
            "date": in_zone(cycle.closes_at, zone),
            "submitted": says(cycle.submitted, SUBMITTED_APPLICATIONS),
        }
        if cycle.extended:
            text += " " + says(cycle.extended, EXTENDED)
        text += " " + _("Close the cycle for review to start the panel's work.")
        return NextStep(text, _("Close for review…"), change("review"))
    if phase == "review":
        if cycle.need_reviewers:
            return NextStep(f"{says(cycle.need_reviewers, NEED_REVIEWERS)}.", _("Assign reviewers"), panel)
        if cycle.ready:
            return NextStep(f"{says(cycle.ready, TO_DECIDE)}.", _("Record decisions"), panel)
        if cycle.undecided:
            if cycle.overdue:
                text = WAITING_OVERDUE % {"count": cycle.undecided, "overdue": says(cycle.overdue, OVERDUE)}
            else:
                text = says(cycle.undecided, WAITING)
            return NextStep(str(text), _("Follow the reviews"), panel)
        if not cycle.submitted:
            text = _("No application was submitted in this cycle.")
        else:
            text = _("Every submitted application has a decision.")
        return NextStep(text, _("Mark the cycle decided…"), change("decided"))
    publish = reverse("panel_publish", args=[cycle.pk])
    if phase == "decided":
        return NextStep(says(cycle.unpublished, TO_PUBLISH), _("Publish designees…"), publish)
    if cycle.unpublished:
        return NextStep(says(cycle.unpublished, SINCE_PUBLISHING), _("Publish designees…"), publish)
    designees = reverse("public_designees") + f"?cycle={cycle.pk}"
    return NextStep(says(cycle.published, PUBLISHED), _("See the designees"), designees)


@dataclass(frozen=True)
class Change:
    word: str  # in the URL, and the confirm button's value
    source: str  # the status it changes from
    target: str
    title: str
    button: str


CHANGES = {
    "open": Change(
        "open",
        Status.UPCOMING,
        Status.OPEN,
        gettext_lazy("Open the cycle for applications"),
        gettext_lazy("Open the cycle"),
    ),
    "review": Change(
        "review",
        Status.OPEN,
        Status.REVIEW,
        gettext_lazy("Close the cycle for review"),
        gettext_lazy("Close for review"),
    ),
    "decided": Change(
        "decided",
        Status.REVIEW,
        Status.DECIDED,
        gettext_lazy("Mark the cycle decided"),
        gettext_lazy("Mark decided"),
    ),
}


def changes_for(cycle):
    """The changes of phase that may be made by hand from the cycle's status now."""
    return [change for change in CHANGES.values() if change.source == cycle.status]


class PhaseRefused(ValueError):
    pass


@dataclass
class PhasePlan:
    change: Change
    effects: list = field(default_factory=list)  # sentences: what will happen
    warnings: list = field(default_factory=list)  # sentences: what to think of first
    blockers: list = field(default_factory=list)  # sentences: why it cannot happen now


STAYING = ngettext_lazy(
    "%(count)s draft stays a draft: it can no longer be submitted, and its staff get no more reminders.",
    "%(count)s drafts stay drafts: they can no longer be submitted, and their staff get no more reminders.",
    "count",
)
STILL_EXTENDED = ngettext_lazy(
    "%(count)s draft with an extension may still be submitted until the extension ends.",
    "%(count)s drafts with an extension may still be submitted until the extension ends.",
    "count",
)
UNDECIDED = ngettext_lazy(
    "%(count)s submitted application has no decision yet: record them on the review panel first.",
    "%(count)s submitted applications have no decision yet: record them on the review panel first.",
    "count",
)
MARKED = ngettext_lazy(
    "%(cycle)s is marked decided, with %(count)s decision recorded.",
    "%(cycle)s is marked decided, with %(count)s decisions recorded.",
    "count",
)


def phase_plan(cycle, word, now=None):
    """What changing the phase (``word``, a key of ``CHANGES``) would do now; the cycle is read with
    ``pages.attention.with_figures``."""
    now = now or timezone.now()
    change = CHANGES[word]
    plan = PhasePlan(change)
    zone = cycle.time_zone
    if cycle.status != change.source:
        plan.blockers.append(
            _("%(cycle)s is %(status)s: this can be done only while it is %(needed)s.")
            % {
                "cycle": cycle,
                "status": cycle.get_status_display().lower(),
                "needed": Status(change.source).label.lower(),
            }
        )
        return plan
    if word == "open":
        plan.effects += [
            _(
                "Jurisdictions' staff see %(cycle)s on their dashboard and can start and submit applications "
                "from %(opens)s until %(closes)s."
            )
            % {"cycle": cycle, "opens": in_zone(cycle.opens_at, zone), "closes": in_zone(cycle.closes_at, zone)},
            _("The cycle cannot be set back to upcoming from these pages."),
        ]
        if cycle.closes_at <= now:
            plan.blockers.append(
                _("The deadline, %(date)s, has passed: change the cycle's dates first.")
                % {"date": in_zone(cycle.closes_at, zone)}
            )
    elif word == "review":
        plain = cycle.drafts - cycle.extended
        plan.effects.append(_("No application can be started any more."))
        if plain:
            plan.effects.append(says(plain, STAYING))
        if cycle.extended:
            plan.effects.append(says(cycle.extended, STILL_EXTENDED))
        plan.effects.append(_("The cycle cannot be opened again from these pages."))
        if now < cycle.closes_at:
            plan.warnings.append(
                _("The deadline, %(date)s, has not passed: closing now ends applications early.")
                % {"date": in_zone(cycle.closes_at, zone)}
            )
    elif word == "decided":
        if cycle.undecided:
            plan.blockers.append(says(cycle.undecided, UNDECIDED))
        plan.effects += [
            str(MARKED % {"cycle": cycle, "count": cycle.decided}),
            _("Nothing is published and nobody is e-mailed: publishing the designees comes next, and asks first too."),
            _("The cycle cannot be set back to in review from these pages."),
        ]
    return plan


def change_phase(cycle, word, by, now=None):
    """Change the cycle's phase by hand, as ``phase_plan`` said, and record it; ``PhaseRefused`` says why not.

    Once only under parallel requests: the cycle's row is locked (PostgreSQL; on SQLite the ``IMMEDIATE``
    transaction is), and the plan is made again inside the lock.
    """
    if word not in CHANGES:
        raise PhaseRefused(_("There is no such change of phase."))
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        [cycle] = with_figures(Cycle.objects.filter(pk=cycle.pk), now)
        plan = phase_plan(cycle, word, now)
        if plan.blockers:
            raise PhaseRefused(" ".join(plan.blockers))
        before = label(cycle.get_status_display)
        cycle.status = plan.change.target
        cycle.save(update_fields=["status"])
        words = said(
            gettext_noop("%(cycle)s: %(before)s → %(after)s"),
            cycle=named(cycle),
            before=before,
            after=label(cycle.get_status_display),
        )
        audit(
            by,
            "cycle.phase",
            cycle=cycle,
            words=words,
            source=plan.change.source,
            target=plan.change.target,
        )
    return cycle
