"""The demo with its review panel at work: ``assessment.demo``'s applications, then the panel's part.

``load()`` loads ``assessment.demo`` (cycles, jurisdictions, people, applications), then
builds, from ``review.demo_data``, what the panel has done so far:

- **2025–2027**, closed and in review (its review deadline two weeks ahead):
  seven applications, each with two reviewers, in every state an assignment has:
  not started, a saved draft, submitted. The demo ``reviewer`` has one of each
  (conflicted on Cedar County and its cities, never on Harbor City's). A lenient
  and a harsh reviewer show on the panel page as leniency of opposite signs; on
  Westbrook their totals differ by more than the disagreement margin; on Three
  Rivers, normalising the reviewers' totals would change the level. Two decisions
  are recorded, not published (publishing waits for every application); one
  application is fully reviewed, waiting for its decision. Harbor City's
  application has a question answered by its staff and one waiting for them.
- **2024–2026**: two applications reviewed, decided and published together:
  Riverton's (not designated), with its appeal window open and an appeal by its
  staff pending, and Bayport's (Designated with Distinction), whose certificate
  ``publish_decisions`` issues.

The open 2026–2028 cycle gets no panel work: reviewers are assigned after the
deadline (the reviewers' page says so), and decisions could not be published
before it. Everything goes through the review domain (``assign``,
``save_review``, ``ask_clarification``/``answer_clarification``, ``decide``,
``publish_decisions``, ``file_appeal``), which checks each step, writes the audit
records and queues the e-mails (``manage.py load_demo`` sends those nowhere).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from assessment import demo as applications_demo
from assessment.audit import audit, named, said
from assessment.models import Application, Cycle, User
from review.appeals import file_appeal
from review.assignment import assign
from review.clarifications import answer_clarification, ask_clarification
from review.decisions import decide, publish_decisions
from review.demo_data import APPEAL, DRAFT, NOT_STARTED, PANEL, PANEL_SETTINGS, PUBLISHED, SUBMITTED
from review.models import Appeal, Assignment, Certificate, Clarification, Decision, Review, settings_for
from review.queries import application_panel
from review.reviewing import save_review
from review.summary import suggestion


@transaction.atomic
def load():
    """Create the demo with its panel's work (see the module docstring); returns ``assessment.demo.summary()``.

    Raises ``assessment.demo.DemoError`` if demo objects, or objects with the demo's names, are already there.
    """
    counts = applications_demo.load()
    organizer = User.objects.get(username="organizer")
    today = timezone.localdate()
    for cycle_name, (field, days) in PANEL_SETTINGS.items():
        cycle = Cycle.objects.get(name=cycle_name, is_demo=True)
        review_settings = settings_for(cycle)
        # At 5 p.m. on the cycle's clock, as an organizer would set it.
        when = datetime.combine(today + timedelta(days=days), time(17, 0), tzinfo=ZoneInfo(cycle.time_zone))
        setattr(review_settings, field, when)
        review_settings.save(update_fields=[field])
        words = said(gettext_noop("Panel settings of %(cycle)s changed"), cycle=named(cycle))
        audit(organizer, "panel.settings", cycle=cycle, words=words)
    people = {user.username: user for user in User.objects.filter(email__iendswith="@demo.example")}
    for plan in PANEL:
        _build(plan, people, organizer)
    for cycle_name in PUBLISHED:
        publish_decisions(Cycle.objects.get(name=cycle_name, is_demo=True), organizer)
    appealed = _application(APPEAL.jurisdiction, APPEAL.cycle)
    file_appeal(appealed, APPEAL.statement, people[APPEAL.filed_by])
    return counts


def _application(jurisdiction, cycle):
    return Application.objects.select_related("cycle", "jurisdiction").get(
        jurisdiction__name=jurisdiction, cycle__name=cycle, cycle__is_demo=True
    )


def _build(plan, people, organizer):
    """One application's panel: its assignments and how far each review has got, its questions, its decision."""
    application = _application(plan.jurisdiction, plan.cycle)
    for part in plan.reviews:
        reviewer = people[part.reviewer]
        assignment = assign(application, reviewer, organizer)
        if part.state == NOT_STARTED:
            continue
        scores = part.scores
        save_review(
            Review.objects.get(assignment=assignment),
            reviewer,
            1,
            scores.judged,
            scores.adjustments,
            scores.comments,
            scores.notes,
            submit=part.state == SUBMITTED,
        )
    for question in plan.questions:
        clarification = ask_clarification(application, question.question, people[question.asked_by])
        if question.answer:
            answer_clarification(clarification, question.answer, people[question.answered_by])
    if plan.rationale:
        # The organizer records the engine's suggestion, as "decide" pre-fills it.
        panel = application_panel(application)
        outcome, level = suggestion(panel["result"])
        decide(application, outcome, level, plan.rationale, organizer, panel=panel, replaces=None)


def panel_summary():
    """What the panel holds in the demo's cycles: {what: count}, for ``load_demo``'s report."""
    reviews = Review.objects.filter(assignment__application__cycle__is_demo=True, assignment__active=True)
    drafts = reviews.filter(status=Review.Status.DRAFT)
    decisions = Decision.objects.filter(application__cycle__is_demo=True, superseded_at=None)
    questions = Clarification.objects.filter(application__cycle__is_demo=True)
    return {
        "assignments": Assignment.objects.filter(application__cycle__is_demo=True, active=True).count(),
        NOT_STARTED: drafts.filter(version=1).count(),
        DRAFT: drafts.filter(version__gt=1).count(),
        SUBMITTED: reviews.filter(status=Review.Status.SUBMITTED).count(),
        "decisions": decisions.count(),
        "published": decisions.exclude(published_at=None).count(),
        "questions": questions.count(),
        "open questions": questions.filter(answered_at=None).count(),
        "pending appeals": Appeal.objects.filter(
            application__cycle__is_demo=True, outcome=Appeal.Outcome.PENDING
        ).count(),
    }


@transaction.atomic
def reset():
    """Delete the demo, its panel's work with it; returns the number of applications deleted.

    Reviews protect their assignments, and certificates their decisions, so they go first; the assignments,
    questions, decisions and appeals go with their applications (``assessment.demo.reset``), the panel
    settings with their cycles.
    Raises ``assessment.demo.DemoError`` if something outside the demo still refers to a demo object.
    """
    Certificate.objects.filter(decision__application__in=applications_demo.applications()).delete()
    Review.objects.filter(assignment__application__in=applications_demo.applications()).delete()
    return applications_demo.reset()
