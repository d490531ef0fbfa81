"""What the review panel does. Each function checks the transition, writes the audit record."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from assessment.domain import ApplicationError, audit  # noqa: F401  (audit is used by the views too)
from assessment.models import Application, EvidenceDocument, User
from assessment.templatetags.zones import in_zone
from review.conflicts import conflicts_by_reviewer
from review.models import Assignment, DeclaredConflict, Review, settings_for


class ReviewError(ApplicationError):
    """A refused panel action, with a message for the user."""


def reviewers():
    return User.objects.filter(role=User.Role.REVIEWER, is_active=True).select_related("jurisdiction")


def _notify_assignment(assignment):
    application = assignment.application
    deadline = settings_for(application.cycle).review_deadline
    when = f" The review deadline is {in_zone(deadline, application.cycle.time_zone)}." if deadline else ""
    send_mail(
        f"New review: {application.jurisdiction} ({application.cycle})",
        f"You have been asked to review the application of {application.jurisdiction} for {application.cycle}.{when}\n",
        None,
        [assignment.reviewer.email],
        fail_silently=True,
    )


def assign(application, reviewer, by):
    """Assign one reviewer by hand. Refused for conflicts, drafts and duplicates."""
    if not reviewer.is_reviewer:
        raise ReviewError(f"{reviewer} is not a reviewer.")
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError("Only submitted applications are reviewed.")
    if application.jurisdiction_id in conflicts_by_reviewer([reviewer])[reviewer.pk]:
        raise ReviewError(f"{reviewer} has a conflict of interest with {application.jurisdiction}.")
    with transaction.atomic():
        if Assignment.objects.filter(application=application, reviewer=reviewer, active=True).exists():
            raise ReviewError(f"{reviewer} is already assigned to this application.")
        assignment = Assignment.objects.create(application=application, reviewer=reviewer, assigned_by=by)
        Review.objects.create(assignment=assignment)
        audit(by, "review.assigned", f"Assigned {reviewer} to review", application, reviewer=reviewer.pk)
        transaction.on_commit(lambda: _notify_assignment(assignment))
    return assignment


def _fitting(reason, limit):
    """A reason typed into a plain text box, as its column can store it: no NUL (PostgreSQL refuses it)."""
    reason = reason.replace("\x00", "").strip()
    if len(reason) > limit:
        raise ReviewError(f"Keep the reason to {limit} characters; it has {len(reason)}.")
    return reason


def unassign(assignment, by, reason):
    """End an assignment; it and any review stay on record."""
    if not assignment.active:
        raise ReviewError("This assignment has already ended.")
    reason = _fitting(reason, 300)
    if not reason:
        raise ReviewError("Say why the reviewer is taken off this application.")
    assignment.active = False
    assignment.ended_at = timezone.now()
    assignment.ended_by = by
    assignment.end_reason = reason
    assignment.save(update_fields=["active", "ended_at", "ended_by", "end_reason"])
    audit(
        by,
        "review.unassigned",
        f"Took {assignment.reviewer} off: {reason}",
        assignment.application,
        reviewer=assignment.reviewer_id,
    )
    return assignment


def auto_assign(cycle, by):
    """Give every submitted application its reviewers, balancing the load.

    The most constrained applications (fewest eligible reviewers) go first;
    each takes the eligible reviewers with the lightest load, never over the
    cap and never with a conflict. Returns (assignments made, shortfalls),
    a shortfall being (application, how many reviewers it still lacks).
    """
    config = settings_for(cycle)
    panel = list(reviewers())
    conflicts = conflicts_by_reviewer(panel)
    applications = list(
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).select_related("jurisdiction")
    )
    current = {}
    load = {r.pk: 0 for r in panel}
    for application_id, reviewer_id in Assignment.objects.filter(application__cycle=cycle, active=True).values_list(
        "application_id", "reviewer_id"
    ):
        current.setdefault(application_id, set()).add(reviewer_id)
        load[reviewer_id] = load.get(reviewer_id, 0) + 1

    def eligible(application):
        taken = current.get(application.pk, set())
        return [r for r in panel if r.pk not in taken and application.jurisdiction_id not in conflicts[r.pk]]

    made, shortfalls = [], []
    applications.sort(key=lambda a: (len(eligible(a)), a.jurisdiction.name))
    with transaction.atomic():
        for application in applications:
            needed = config.reviewers_per_application - len(current.get(application.pk, set()))
            if needed <= 0:
                continue
            candidates = [r for r in eligible(application) if load[r.pk] < config.max_per_reviewer]
            candidates.sort(key=lambda r: (load[r.pk], r.username))
            for reviewer in candidates[:needed]:
                made.append(assign(application, reviewer, by))
                load[reviewer.pk] += 1
                current.setdefault(application.pk, set()).add(reviewer.pk)
            missing = needed - min(needed, len(candidates))
            if missing:
                shortfalls.append((application, missing))
        audit(
            by,
            "review.auto_assigned",
            f"Automatic assignment: {len(made)} assignments, {len(shortfalls)} short",
            cycle=cycle,
        )
    return made, shortfalls


def declare_conflict(reviewer, jurisdiction, reason, by):
    """Record a conflict; active assignments it touches end, submitted reviews are excluded (kept)."""
    reason = _fitting(reason, 250)  # 250: it is stored again after "Conflict of interest found after scoring: "
    if not reason:
        raise ReviewError("Describe the conflict.")
    with transaction.atomic():
        DeclaredConflict.objects.get_or_create(
            reviewer=reviewer, jurisdiction=jurisdiction, defaults={"reason": reason}
        )
        audit(by, "review.conflict_declared", f"{reviewer} declared a conflict with {jurisdiction}: {reason}")
        conflicted = conflicts_by_reviewer([reviewer])[reviewer.pk]
        for assignment in Assignment.objects.filter(
            reviewer=reviewer, active=True, application__jurisdiction_id__in=conflicted
        ).select_related("application", "review"):
            review = assignment.review
            if review.is_submitted:
                review.excluded = True
                review.excluded_reason = f"Conflict of interest found after scoring: {reason}"
                review.save(update_fields=["excluded", "excluded_reason"])
                audit(
                    by,
                    "review.excluded",
                    f"Excluded {reviewer}'s review: conflict of interest",
                    assignment.application,
                    reviewer=reviewer.pk,
                )
            unassign(assignment, by, f"Conflict of interest: {reason}")


def staff_to_mail(jurisdiction_ids):
    """The applicant staff of these jurisdictions who get the program's e-mails.

    Only applicants: a reviewer whose own jurisdiction it is belongs to it too,
    and must not receive its questions or its decision.
    """
    return User.objects.filter(jurisdiction_id__in=jurisdiction_ids, role=User.Role.APPLICANT, is_active=True).exclude(
        email=""
    )


def _mail_staff(application, subject, body):
    emails = list(staff_to_mail([application.jurisdiction_id]).values_list("email", flat=True))
    if emails:
        send_mail(subject, body, None, emails, fail_silently=True)


def ask_clarification(application, question, by):
    """A reviewer or organizer asks the applicant a question; the thread is part of the record."""
    from review.models import Clarification

    question = question.strip()
    if not question:
        raise ReviewError("Write the question.")
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError("Questions can be asked only about submitted applications.")
    with transaction.atomic():
        clarification = Clarification.objects.create(application=application, asked_by=by, question=question)
        audit(by, "clarification.asked", f"Asked: {question[:200]}", application)
        transaction.on_commit(
            lambda: _mail_staff(
                application,
                f"A question about your {application.cycle} application",
                f"The review panel asks:\n\n{question}\n\nAnswer it on your application's page. "
                "Your application itself stays as submitted.\n",
            )
        )
    return clarification


ALREADY_ANSWERED = "This question has already been answered; your answer was not sent."


def answer_clarification(clarification, answer, by, upload=None, checked=None):
    """The applicant answers once, with text and optionally a PDF (added to the evidence, audited).

    Once only, also under parallel requests: the answer claims the question with
    ``UPDATE … WHERE answered_at IS NULL`` before anything else is written, so a
    second answer finds nothing to claim and stores no document. A file stored by
    a transaction that then fails is removed again.
    """
    from review.models import Clarification

    answer = answer.strip()
    if not answer:
        raise ReviewError("Write your answer.")
    if clarification.answered_at:
        raise ReviewError(ALREADY_ANSWERED)
    with _atomic_removing_files_on_failure() as stored:
        claimed = Clarification.objects.filter(pk=clarification.pk, answered_at=None).update(
            answer=answer, answered_by=by, answered_at=timezone.now()
        )
        if not claimed:
            raise ReviewError(ALREADY_ANSWERED)
        document = None
        if upload is not None:
            from assessment.evidence import store_document

            document = store_document(clarification.application, "other", upload, checked, by, answering=True)
            stored.append(document.file)
            Clarification.objects.filter(pk=clarification.pk).update(document=document)
        clarification.refresh_from_db()
        audit(by, "clarification.answered", f"Answered: {answer[:200]}", clarification.application)
        asker = clarification.asked_by
        if asker and asker.email:
            transaction.on_commit(
                lambda: send_mail(
                    f"Answered: your question to {clarification.application.jurisdiction}",
                    f"Your question:\n{clarification.question}\n\nTheir answer:\n{answer}\n",
                    None,
                    [asker.email],
                    fail_silently=True,
                )
            )
    return clarification


@contextmanager
def _atomic_removing_files_on_failure():
    """``transaction.atomic()``; the stored files put in the list it yields are deleted if it does not commit.

    A file is written to storage before the row that names it; when the
    transaction rolls back (a refusal, an error, a lost race), nothing would name it.
    """
    stored = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for file in stored:
            file.storage.delete(file.name)
        raise


# Reviewing ------------------------------------------------------------------


class StaleReview(ReviewError):
    pass


def check_review(rubric, judged, adjustments, submitting):
    """Problems with a review's scores, as messages; empty when it may be saved (or submitted)."""
    problems = []
    by_code = {c.code: c for c in rubric.criteria}
    for code, points in judged.items():
        criterion = by_code.get(code)
        if criterion is None or not criterion.is_judged:
            problems.append(f"{code} is not a criterion reviewers judge.")
        elif not 0 <= float(points) <= criterion.points:
            problems.append(f"{code}: give 0 to {criterion.points:g} points.")
    for code, adjustment in adjustments.items():
        criterion = by_code.get(code)
        if criterion is None or criterion.is_judged:
            problems.append(f"{code} is not a rule-scored criterion.")
            continue
        if not 0 <= float(adjustment["points"]) <= criterion.points:
            problems.append(f"{code} {criterion.title}: an adjusted score must be 0 to {criterion.points:g}.")
        if not (adjustment.get("reason") or "").strip():
            problems.append(f"{code} {criterion.title}: say why you adjust the rule score.")
    if submitting:
        for criterion in rubric.criteria:
            if criterion.is_judged and judged.get(criterion.code) is None:
                problems.append(f"{criterion.code} {criterion.title}: score it before submitting.")
    return problems


def save_review(review, by, expected_version, judged, adjustments, comments, notes, submit=False):
    """Save a review draft (and submit it, once). Raises StaleReview when someone saved in between."""
    from scoring.domain import rubric_for

    application = review.assignment.application
    if review.assignment.reviewer_id != by.pk:
        raise ReviewError("Only the assigned reviewer can change this review.")
    if not review.assignment.active:
        raise ReviewError("This assignment has ended; the review can no longer change.")
    rubric = rubric_for(application.cycle).to_engine()
    problems = check_review(rubric, judged, adjustments, submit)
    if problems:
        raise ReviewError(" ".join(problems))
    now = timezone.now()
    with transaction.atomic():
        fields = {
            "judged": judged,
            "adjustments": adjustments,
            "comments_for_applicant": comments,
            "private_notes": notes,
            "version": expected_version + 1,
            "updated_at": now,
        }
        if submit:
            fields.update(status=Review.Status.SUBMITTED, submitted_at=now)
        updated = Review.objects.filter(pk=review.pk, version=expected_version, status=Review.Status.DRAFT).update(
            **fields
        )
        if not updated:
            current = Review.objects.get(pk=review.pk)
            if current.is_submitted:
                raise ReviewError("This review was already submitted; it can no longer change.")
            raise StaleReview(
                f"This review was saved at {timezone.localtime(current.updated_at):%H:%M}, after you opened the "
                "page (another tab or window?). Your changes were not saved; the page now shows the saved review."
            )
        # The scores stay in the review (and in ``data`` for the record); the line says what happened.
        action = "review.submitted" if submit else "review.saved"
        audit(
            by,
            action,
            "Submitted a review" if submit else "Saved a review draft",
            application,
            judged=judged,
            adjustments=adjustments,
        )
    review.refresh_from_db()
    return review


# The panel's view of applications ---------------------------------------------


def _scores_of(reviews):
    from review.aggregate import ReviewScores

    return [
        ReviewScores(
            reviewer=str(r.assignment.reviewer),
            reviewer_id=r.assignment.reviewer_id,
            judged=r.judged,
            adjustments=r.adjustments,
        )
        for r in reviews
    ]


def application_panel(application):
    """The rule scores, each counted review, their combination and the engine's verdict on it."""
    from review.aggregate import combine
    from scoring import engine
    from scoring.domain import facts_for, rubric_for

    rubric = rubric_for(application.cycle).to_engine()
    kinds = list(application.documents.values_list("kind", flat=True))
    rule = engine.score(rubric, facts_for(application, kinds))
    rule_points = {c["code"]: c["points"] for c in rule["criteria"]}
    reviews = list(
        Review.objects.counted().filter(assignment__application=application).select_related("assignment__reviewer")
    )
    codes = [c.code for c in rubric.criteria]
    judged_codes = {c.code for c in rubric.criteria if c.is_judged}
    margin = settings_for(application.cycle).divergence_margin
    combined = combine(codes, judged_codes, rule_points, _scores_of(reviews), margin)
    result = rule
    if reviews:
        result = engine.score(rubric, facts_for(application, kinds, combined.judged, combined.adjusted))
    return {"rubric": rubric, "rule": rule, "reviews": reviews, "combined": combined, "result": result}


def applicant_comments(application):
    """Comments the reviewers wrote for the applicant, from counted reviews only.

    Only that one column is read, so private notes never reach a page or a report.
    """
    comments = (
        Review.objects.counted()
        .filter(assignment__application=application)
        .order_by("assignment__assigned_at", "assignment_id")
        .values_list("comments_for_applicant", flat=True)
    )
    return [text.strip() for text in comments if text and text.strip()]


def suggestion(result):
    from review.models import Decision

    if result["eligible"]:
        return Decision.Outcome.DESIGNATED, result["level"] or ""
    return Decision.Outcome.NOT_DESIGNATED, ""


def current_decision(application):
    return application.decisions.filter(superseded_at=None).first()


class DecidedMeanwhile(ReviewError):
    """Another decision became the current one after the page that decides was opened."""


# ``decide(replaces=ANY)``: supersede whatever decision is current (a deliberate second decision).
ANY = object()


def _meanwhile(current):
    """The refusal of a decision that lost the race (or was made on a page that is out of date)."""
    if current is None:
        return DecidedMeanwhile(
            "The decision changed after you opened the page; yours was not recorded. Read it, then decide again."
        )
    label = current.get_outcome_display() + (f" — {current.level}" if current.level else "")
    by = f" by {current.decided_by}" if current.decided_by else ""
    return DecidedMeanwhile(
        f"A decision was recorded after you opened the page: {label}{by} at "
        f"{timezone.localtime(current.decided_at):%H:%M}. Yours was not recorded; read it, and decide again "
        "if it should change."
    )


def decide(application, outcome, level, rationale, by, override_reason="", panel=None, published=False, replaces=ANY):
    """Record the panel's decision, frozen with what it was made on. Overriding the engine needs a reason.

    ``replaces`` is the current decision the decider saw (its pk, or None when
    there was none); if another one is current by the time this one is written,
    it is refused with ``DecidedMeanwhile`` instead of silently superseding it.
    Under parallel requests the application's row is locked (PostgreSQL) or the
    whole transaction is (SQLite, ``IMMEDIATE``), so exactly one of them records.
    """
    from django.db import IntegrityError

    from review.models import Decision

    rationale = (rationale or "").strip()
    override_reason = (override_reason or "").strip()
    panel = panel or application_panel(application)
    if not panel["reviews"]:
        raise ReviewError("No submitted review counts yet: the panel decides after reviewing.")
    result = panel["result"]
    if result["pending"]:
        raise ReviewError("Some judged criteria have no score yet.")
    if outcome not in Decision.Outcome.values:
        raise ReviewError("Choose designated or not designated.")
    level_names = [name for name, _minimum in panel["rubric"].levels]
    if outcome == Decision.Outcome.DESIGNATED and level not in level_names:
        raise ReviewError(f"Choose the level: {', '.join(level_names)}.")
    if outcome == Decision.Outcome.NOT_DESIGNATED:
        level = ""
    if not rationale:
        raise ReviewError("Write the rationale for the decision.")
    suggested_outcome, suggested_level = suggestion(result)
    if (outcome, level) != (suggested_outcome, suggested_level) and not override_reason:
        raise ReviewError(
            "The decision differs from the engine's suggestion "
            f"({Decision.Outcome(suggested_outcome).label}{' — ' + suggested_level if suggested_level else ''}): "
            "give the reason for overriding it."
        )
    combined = panel["combined"]
    snapshot = {
        "rubric_version": panel["rubric"].version,
        "total": result["total"],
        "categories": {c["code"]: c["points"] for c in result["categories"]},
        "criteria": {c["code"]: c["points"] for c in result["criteria"]},
        "prerequisites": {p["code"]: p["met"] for p in result["prerequisites"]},
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
        label = decision.get_outcome_display() + (f" — {level}" if level else "")
        summary = f"Recorded the decision: {label} ({result['total']:g} points)"
        if override_reason:
            summary += f"; overrides the suggestion: {override_reason}"
        audit(by, "decision.recorded", summary, application, decision=decision.pk, superseded=previous and previous.pk)
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
        from review.models import Decision

        return sum(1 for _a, _p, outcome, _l in self.to_decide if outcome == Decision.Outcome.DESIGNATED)

    @property
    def not_designated(self):
        return len(self.to_decide) - self.designated


def bulk_plan(cycle):
    """The decisions ``bulk_decide`` would record now, by the rubric's threshold."""
    from review.models import Decision

    required = settings_for(cycle).reviewers_per_application
    applications = Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED).select_related(
        "jurisdiction", "cycle"
    )
    decided = set(
        Decision.objects.filter(application__cycle=cycle, superseded_at=None).values_list("application_id", flat=True)
    )
    to_decide, not_reviewed = [], []
    for application in applications:
        if application.pk in decided:
            continue
        panel = application_panel(application)
        if len(panel["reviews"]) < required or panel["result"]["pending"]:
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
        rationale = f"Decided by the rubric's threshold: total {panel['result']['total']:g}."
        try:
            made.append(decide(application, outcome, level, rationale, by, panel=panel, replaces=None))
        except DecidedMeanwhile:
            continue
    audit(by, "decision.bulk", f"Bulk decision: {len(made)} decided, {len(skipped)} not yet reviewed", cycle=cycle)
    return made, skipped


def _when(moment):
    """'January 15, 2027 at 23:59 EST': in the current zone (TIME_ZONE), with its abbreviation."""
    return in_zone(moment)


def _names(items, limit=10):
    names = [str(item) for item in items]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return ", ".join(names)


def _count(n, one, many):
    return f"{n} {one if n == 1 else many}"


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
        parts.append(f"the deadline is {_when(cycle.closes_at)}")
    # Drafts only: a submitted application can no longer use its extension.
    extended = (
        Application.objects.filter(
            cycle=cycle, status=Application.Status.DRAFT, extension_until__gte=now, extension_until__gt=cycle.closes_at
        )
        .select_related("jurisdiction")
        .order_by("extension_until", "jurisdiction__name")
    )
    parts += [f"{a.jurisdiction} has an extension until {_when(a.extension_until)}" for a in extended]
    if not parts:
        return None
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"The cycle is still open: {listed}."


def publication_plan(cycle, now=None):
    """The decisions publishing would make public now, who would be told, and any reason it cannot happen yet."""
    from review.models import Decision

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
        blockers.append(
            f"{_count(len(undecided), 'submitted application has', 'submitted applications have')} "
            f"no decision yet: {_names(undecided)}."
        )
    decisions = sorted(
        (d for d in current.values() if d.published_at is None), key=lambda d: d.application.jurisdiction.name
    )
    if not decisions and not undecided:
        blockers.append("There are no unpublished decisions in this cycle.")
    # The same people _mail_staff writes to.
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
    from assessment.models import Cycle
    from review.models import Decision

    now = timezone.now()
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        plan = publication_plan(cycle, now)
        if plan.blockers:
            raise ReviewError(" ".join(plan.blockers))
        decisions = plan.decisions
        if expected is not None and expected != len(decisions):
            raise ReviewError(
                f"The decisions changed after you opened the page: {_count(len(decisions), 'decision', 'decisions')} "
                "would be published now. Nothing was published; check the figures and confirm again."
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
            audit(by, "decision.published", f"Published: {decision.get_outcome_display()}", decision.application)
        cycle.status = Cycle.Status.PUBLISHED
        cycle.save(update_fields=["status"])
        audit(
            by,
            "cycle.published",
            f"Published {_count(len(decisions), 'decision', 'decisions')} of {cycle}: "
            f"{_count(plan.designees, 'designee', 'designees')}, {plan.not_designated} not designated; "
            f"{_count(plan.addresses, 'e-mail', 'e-mails')} to {_count(plan.applicants, 'applicant', 'applicants')}",
            cycle=cycle,
        )

        def tell_applicants():
            for decision in decisions:
                _mail_staff(
                    decision.application,
                    f"Decision on your {cycle} application",
                    f"The panel's decision on {decision.application.jurisdiction}'s application is published: "
                    f"{decision.get_outcome_display()}{' — ' + decision.level if decision.level else ''}.\n"
                    "Read it, with the reviewers' comments, on your application's page.\n",
                )

        transaction.on_commit(tell_applicants)
    return decisions


# Appeals ----------------------------------------------------------------------

APPEAL_PENDING = "An appeal of this decision is already pending; the organizers will tell you its outcome."


def file_appeal(application, statement, by, now=None):
    """The applicant appeals the published decision, within the window; one pending appeal at a time.

    The database's one_pending_appeal constraint is what keeps it to one under
    parallel requests. The organizers are e-mailed once it is filed.
    """
    from django.db import IntegrityError

    from review.models import Appeal

    now = now or timezone.now()
    statement = (statement or "").strip()
    decision = current_decision(application)
    if decision is None or decision.published_at is None:
        raise ReviewError("An appeal can be filed only after the decision is published.")
    deadline = settings_for(application.cycle).appeal_deadline
    if deadline is None or now > deadline:
        raise ReviewError("The appeal window is closed." if deadline else "Appeals are not open for this cycle.")
    if not statement:
        raise ReviewError("Write your statement: what should the panel reconsider, and why?")
    if application.appeals.filter(outcome=Appeal.Outcome.PENDING).exists():
        raise ReviewError(APPEAL_PENDING)
    with transaction.atomic():
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(application=application, statement=statement, filed_by=by, filed_at=now)
        except IntegrityError:
            if application.appeals.filter(outcome=Appeal.Outcome.PENDING).exists():
                raise ReviewError(APPEAL_PENDING) from None
            raise
        audit(by, "appeal.filed", f"Appeal filed: {statement[:200]}", application)
        transaction.on_commit(lambda: _tell_organizers_of_appeal(appeal))
    return appeal


def _tell_organizers_of_appeal(appeal):
    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    application = appeal.application
    emails = (
        User.objects.filter(role=User.Role.ORGANIZER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    subject = f"An appeal from {application.jurisdiction} ({application.cycle})"
    body = (
        f"{appeal.filed_by or 'The applicant'} appealed the decision on {application.jurisdiction}'s application "
        f"for {application.cycle} on {_when(appeal.filed_at)}. Their statement:\n\n{appeal.statement}\n\n"
        f"Uphold or change the decision on the panel page: "
        f"{settings.SITE_URL}{reverse('panel_application', args=[application.pk])}\n"
    )
    send_mass_mail([(subject, body, None, [email]) for email in emails], fail_silently=True)


def pending_appeals():
    """Every appeal waiting for the organizers, oldest first, with what the dashboard shows of it."""
    from review.models import Appeal

    return (
        Appeal.objects.filter(outcome=Appeal.Outcome.PENDING)
        .select_related("application__jurisdiction", "application__cycle", "filed_by")
        .order_by("filed_at", "pk")
    )


def decide_appeal(appeal, outcome, notes, by, level="", designated=None):
    """Uphold the decision, or change it (a new decision, published at once, audited like any other).

    A change is refused, with the reason, when the panel could not decide
    (no counted review, criteria without a score, a level that is not the
    rubric's) or when it would not change anything. Once only: the appeal is
    claimed with ``UPDATE … WHERE outcome = 'pending'``.
    """
    from review.models import Appeal, Decision

    if outcome not in (Appeal.Outcome.UPHELD, Appeal.Outcome.CHANGED):
        raise ReviewError("Choose whether the decision is upheld or changed.")
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise ReviewError("This appeal has already been decided.")
    notes = (notes or "").strip()
    if not notes:
        raise ReviewError("Write the reasons for the appeal's outcome.")
    now = timezone.now()
    with transaction.atomic():
        claimed = Appeal.objects.filter(pk=appeal.pk, outcome=Appeal.Outcome.PENDING).update(
            outcome=outcome, outcome_notes=notes, decided_by=by, decided_at=now
        )
        if not claimed:
            raise ReviewError("This appeal has already been decided.")
        if outcome == Appeal.Outcome.CHANGED:
            current = current_decision(appeal.application)
            new_outcome = Decision.Outcome.DESIGNATED if designated else Decision.Outcome.NOT_DESIGNATED
            new_level = level if designated else ""
            if current is None:
                raise ReviewError("There is no decision to change.")
            if (current.outcome, current.level) == (new_outcome, new_level):
                label = current.get_outcome_display() + (f" — {current.level}" if current.level else "")
                raise ReviewError(
                    f"The decision is already {label}. To change it, choose another outcome or level; "
                    "to keep it, uphold it."
                )
            try:
                decide(
                    appeal.application,
                    new_outcome,
                    new_level,
                    f"Changed on appeal: {notes}",
                    by,
                    override_reason=f"Appeal: {notes}",
                    published=True,
                    replaces=current.pk,
                )
            except ReviewError as refused:
                raise ReviewError(f"The decision cannot be changed: {refused}") from None
        appeal.outcome = outcome
        appeal.outcome_notes = notes
        appeal.decided_by = by
        appeal.decided_at = now
        audit(by, "appeal.decided", f"Appeal {appeal.get_outcome_display().lower()}: {notes[:200]}", appeal.application)
    return appeal


# Reminders --------------------------------------------------------------------


def send_reminders(now=None, within_days=3):
    """E-mail reviewers whose reviews are not submitted and whose deadline is within ``within_days``."""
    from datetime import timedelta

    now = now or timezone.now()
    due = (
        Review.objects.filter(
            status=Review.Status.DRAFT,
            assignment__active=True,
            assignment__application__cycle__review_settings__review_deadline__gte=now,
            assignment__application__cycle__review_settings__review_deadline__lte=now + timedelta(days=within_days),
        )
        .select_related("assignment__reviewer", "assignment__application__jurisdiction")
        .select_related("assignment__application__cycle__review_settings")
    )
    by_reviewer = {}
    for review in due:
        by_reviewer.setdefault(review.assignment.reviewer, []).append(review)
    for reviewer, reviews in by_reviewer.items():
        deadline = reviews[0].assignment.application.cycle.review_settings.review_deadline
        lines = "\n".join(
            f"- {r.assignment.application.jurisdiction} ({r.assignment.application.cycle})" for r in reviews
        )
        send_mail(
            f"Reminder: {len(reviews)} review{'s' if len(reviews) != 1 else ''} due "
            f"{in_zone(deadline, reviews[0].assignment.application.cycle.time_zone)}",
            f"These reviews are not submitted yet:\n{lines}\n",
            None,
            [reviewer.email],
            fail_silently=True,
        )
    return sum(len(r) for r in by_reviewer.values())


def cycle_panel(cycle):
    """Every submitted application of a cycle with its panel figures, in a constant number of queries."""
    from review.aggregate import agreement, combine, leniency, level_for, normalised_totals
    from review.models import Decision
    from scoring import engine
    from scoring.domain import rubric_for

    rubric = rubric_for(cycle).to_engine()
    config = settings_for(cycle)
    applications = list(
        Application.objects.filter(cycle=cycle, status=Application.Status.SUBMITTED)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name")
    )
    kinds = {}
    for application_id, kind in EvidenceDocument.objects.filter(application__cycle=cycle).values_list(
        "application_id", "kind"
    ):
        kinds.setdefault(application_id, set()).add(kind)
    assignments = {}
    for assignment in Assignment.objects.filter(application__cycle=cycle).select_related("reviewer", "review"):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    decisions = {d.application_id: d for d in Decision.objects.filter(application__cycle=cycle, superseded_at=None)}
    codes = [c.code for c in rubric.criteria]
    judged_codes = {c.code for c in rubric.criteria if c.is_judged}
    share = rubric.min_category_share / 100
    rows, review_totals, reviewer_names = [], [], {}
    as_of = cycle.opens_at.year
    for application in applications:
        documents = frozenset(kinds.get(application.pk, ()))
        rule = engine.totals(rubric, engine.Facts(application.answers or {}, documents, as_of))
        mine = assignments.get(application.pk, [])
        counted = [a.review for a in mine if a.review.counts]
        for a in mine:
            reviewer_names[a.reviewer_id] = a.reviewer
        combined = combine(codes, judged_codes, rule["criteria"], _scores_of(counted), config.divergence_margin)
        result = rule
        if counted:
            facts = engine.Facts(application.answers or {}, documents, as_of, combined.judged, combined.adjusted)
            result = engine.totals(rubric, facts)
        for reviewer_id, total in combined.totals.items():
            review_totals.append((reviewer_id, application.pk, total))
        other_conditions = all(result["prerequisites"].values()) and all(
            result["categories"][c.code] >= c.points * share - 1e-9 for c in rubric.categories
        )
        rows.append(
            {
                "application": application,
                "assignments": [a for a in mine if a.active],
                "reviews_done": len(counted),
                "rule_total": rule["total"],
                "total": result["total"] if counted else None,
                "level": result["level"] if counted and not result["pending"] else None,
                "eligible": result["eligible"],
                "pending": bool(result["pending"]),
                "spread": combined.spread,
                "disagree": combined.spread > float(config.disagreement_margin),
                "divergences": len(combined.divergences),
                "other_conditions": other_conditions,
                "decision": decisions.get(application.pk),
            }
        )
    normalised = normalised_totals(review_totals)
    for row in rows:
        value = normalised.get(row["application"].pk)
        row["normalised_total"] = value
        row["normalised_level"] = (
            level_for(value, rubric.levels, rubric.threshold, row["other_conditions"]) if value is not None else None
        )
        row["normalisation_changes"] = (
            row["total"] is not None and not row["pending"] and (row["normalised_level"] != row["level"])
        )
    lenient = leniency(review_totals)
    panel = []
    for reviewer_id, reviewer in sorted(reviewer_names.items(), key=lambda item: str(item[1])):
        totals = [t for r, _a, t in review_totals if r == reviewer_id]
        panel.append(
            {
                "reviewer": reviewer,
                "reviews": len(totals),
                "mean_total": round(sum(totals) / len(totals), 2) if totals else None,
                "leniency": lenient.get(reviewer_id),
            }
        )
    within, mean_difference = agreement(review_totals, float(config.disagreement_margin))
    return {
        "rubric": rubric,
        "settings": config,
        "rows": rows,
        "reviewers": panel,
        "agreement": within,
        "mean_difference": mean_difference,
    }
