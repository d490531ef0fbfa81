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

from assessment.audit import audit
from assessment.models import Cycle
from assessment.templatetags.zones import in_zone
from pages.attention import says, with_figures

Status = Cycle.Status

# The step indicator's phases, in order ("upcoming" comes before the first).
PHASES = (
    ("open", "Open"),
    ("closed", "Closed"),
    ("review", "In review"),
    ("decided", "Decided"),
    ("published", "Published"),
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


def next_step(cycle, now=None):
    """What the organizers do next in this cycle (read with ``pages.attention.with_figures``), in words."""
    now = now or timezone.now()
    phase, zone = phase_of(cycle, now), cycle.time_zone
    change = lambda word: reverse("cycle_phase", args=[cycle.pk, word])  # noqa: E731
    panel = reverse("panel_cycle", args=[cycle.pk])
    listed = reverse("cycle_applications", args=[cycle.pk])
    if phase == "upcoming":
        return NextStep(
            f"Applications open on {in_zone(cycle.opens_at, zone)}. Open the cycle once its dates, panel settings "
            "and rubric are ready.",
            "Open the cycle…",
            change("open"),
        )
    if phase == "open":
        if now < cycle.opens_at:
            text = f"Applications can be started from {in_zone(cycle.opens_at, zone)}"
        else:
            text = f"Applications close on {in_zone(cycle.closes_at, zone)}"
        text += (
            f": {says(cycle.submitted, 'submitted', 'submitted')} and {says(cycle.drafts, 'draft', 'drafts')} so far."
        )
        return NextStep(text, "See the applications", listed)
    if phase == "closed":
        text = f"Applications closed on {in_zone(cycle.closes_at, zone)} with {says(cycle.submitted, 'submitted application', 'submitted applications')}."
        if cycle.extended:
            text += f" {says(cycle.extended, 'draft has', 'drafts have')} an extension still running."
        return NextStep(
            text + " Close the cycle for review to start the panel's work.", "Close for review…", change("review")
        )
    if phase == "review":
        if cycle.need_reviewers:
            text = says(cycle.need_reviewers, "submitted application needs", "submitted applications need")
            return NextStep(f"{text} reviewers.", "Assign reviewers", panel)
        if cycle.ready:
            text = says(cycle.ready, "application is", "applications are")
            return NextStep(f"{text} fully reviewed and waiting for a decision.", "Record decisions", panel)
        if cycle.undecided:
            text = says(cycle.undecided, "application waits", "applications wait")
            overdue = f" ({says(cycle.overdue, 'review is', 'reviews are')} overdue)" if cycle.overdue else ""
            return NextStep(f"{text} for its reviews{overdue}.", "Follow the reviews", panel)
        if not cycle.submitted:
            return NextStep("No application was submitted in this cycle.", "Mark the cycle decided…", change("decided"))
        text = "Every submitted application has a decision."
        return NextStep(text, "Mark the cycle decided…", change("decided"))
    publish = reverse("panel_publish", args=[cycle.pk])
    if phase == "decided":
        text = says(cycle.unpublished, "decision is", "decisions are")
        return NextStep(f"{text} ready to be published.", "Publish designees…", publish)
    if cycle.unpublished:
        text = says(cycle.unpublished, "decision was", "decisions were")
        return NextStep(f"{text} recorded since publishing and not published yet.", "Publish designees…", publish)
    designees = reverse("public_designees") + f"?cycle={cycle.pk}"
    return NextStep(
        f"The designees are published: {says(cycle.published, 'decision', 'decisions')} in all.",
        "See the designees",
        designees,
    )


@dataclass(frozen=True)
class Change:
    word: str  # in the URL, and the confirm button's value
    source: str  # the status it changes from
    target: str
    title: str
    button: str


CHANGES = {
    "open": Change("open", Status.UPCOMING, Status.OPEN, "Open the cycle for applications", "Open the cycle"),
    "review": Change("review", Status.OPEN, Status.REVIEW, "Close the cycle for review", "Close for review"),
    "decided": Change("decided", Status.REVIEW, Status.DECIDED, "Mark the cycle decided", "Mark decided"),
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


def phase_plan(cycle, word, now=None):
    """What changing the phase (``word``, a key of ``CHANGES``) would do now; the cycle is read with
    ``pages.attention.with_figures``."""
    now = now or timezone.now()
    change = CHANGES[word]
    plan = PhasePlan(change)
    zone = cycle.time_zone
    if cycle.status != change.source:
        plan.blockers.append(
            f"{cycle} is {cycle.get_status_display().lower()}: this can be done only while it is "
            f"{Status(change.source).label.lower()}."
        )
        return plan
    if word == "open":
        plan.effects += [
            f"Jurisdictions' staff see {cycle} on their dashboard and can start and submit applications from "
            f"{in_zone(cycle.opens_at, zone)} until {in_zone(cycle.closes_at, zone)}.",
            "The cycle cannot be set back to upcoming from these pages.",
        ]
        if cycle.closes_at <= now:
            plan.blockers.append(
                f"The deadline, {in_zone(cycle.closes_at, zone)}, has passed: change the cycle's dates first."
            )
    elif word == "review":
        plain = cycle.drafts - cycle.extended
        plan.effects.append("No application can be started any more.")
        if plain:
            plan.effects.append(
                f"{says(plain, 'draft stays a draft', 'drafts stay drafts')}: "
                "it can no longer be submitted, and its staff get no more reminders."
            )
        if cycle.extended:
            plan.effects.append(
                f"{says(cycle.extended, 'draft with an extension', 'drafts with an extension')} "
                "may still be submitted until the extension ends."
            )
        plan.effects.append("The cycle cannot be opened again from these pages.")
        if now < cycle.closes_at:
            plan.warnings.append(
                f"The deadline, {in_zone(cycle.closes_at, zone)}, has not passed: closing now ends applications early."
            )
    elif word == "decided":
        if cycle.undecided:
            plan.blockers.append(
                f"{says(cycle.undecided, 'submitted application has', 'submitted applications have')} "
                "no decision yet: record them on the review panel first."
            )
        plan.effects += [
            f"{cycle} is marked decided, with {says(cycle.decided, 'decision', 'decisions')} recorded.",
            "Nothing is published and nobody is e-mailed: publishing the designees comes next, and asks first too.",
            "The cycle cannot be set back to in review from these pages.",
        ]
    return plan


def change_phase(cycle, word, by, now=None):
    """Change the cycle's phase by hand, as ``phase_plan`` said, and record it; ``PhaseRefused`` says why not.

    Once only under parallel requests: the cycle's row is locked (PostgreSQL; on SQLite the ``IMMEDIATE``
    transaction is), and the plan is made again inside the lock.
    """
    if word not in CHANGES:
        raise PhaseRefused("There is no such change of phase.")
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        [cycle] = with_figures(Cycle.objects.filter(pk=cycle.pk), now)
        plan = phase_plan(cycle, word, now)
        if plan.blockers:
            raise PhaseRefused(" ".join(plan.blockers))
        before = cycle.get_status_display()
        cycle.status = plan.change.target
        cycle.save(update_fields=["status"])
        audit(
            by,
            "cycle.phase",
            f"{cycle}: {before} → {cycle.get_status_display()}",
            cycle=cycle,
            source=plan.change.source,
            target=plan.change.target,
        )
    return cycle
