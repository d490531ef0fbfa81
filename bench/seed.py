"""A realistic installation, seeded fast: the data the page benchmark and the load run on.

``populate`` adds ``count`` submitted applications to a cycle as the product would have made them,
written with ``bulk_create`` (a constant number of queries per thousand rows): jurisdictions of every
population band across states, their staff, complete answers (a few variants, so totals, levels and
outcomes differ), evidence document rows, stored scores (``rescore_cycle``), reviewers with two
assignments per application and reviews in every state (not started, draft, submitted), decisions
(designated at levels or not) and the audit trail. ``build`` is the page benchmark's installation: last
cycle's applications all decided and published (the public designees page lists many), this cycle's
open with as many submitted applications, a few drafts, and the people the benchmark signs in as.

Runs in a process with Django set up (``Stack.run``): ``from bench.seed import build; emit(build(100))``.
"""

import itertools
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from assessment.audit import audience_of
from assessment.domain import answers_from_state
from assessment.models import Application, AuditEvent, Cycle, EvidenceDocument, Jurisdiction, User
from review.models import Assignment, Decision, Review, settings_for
from scoring.domain import freeze_rubric, rescore_application, rescore_cycle, rubric_for
from scoring.models import Criterion, ScoreResult
from tests.factories.answers import COMPLETE, post_data, wizard_state

PASSWORD = "bench-password-2026"
FIRST = ["Harbor", "Maple", "Cedar", "River", "Oak", "Pine", "Lake", "Stone", "Bay", "Fair", "Spring", "Elm"]
SECOND = ["ton", "ville", "field", "port", "wood", "burg", "dale", "crest"]
STATES = [
    ("VA", "America/New_York"),
    ("NC", "America/New_York"),
    ("OH", "America/New_York"),
    ("TX", "America/Chicago"),
    ("IL", "America/Chicago"),
    ("MN", "America/Chicago"),
    ("CO", "America/Denver"),
    ("AZ", "America/Phoenix"),
    ("CA", "America/Los_Angeles"),
    ("WA", "America/Los_Angeles"),
]
# Populations of every band (assessment.models.POPULATION_BANDS), smaller places more common.
POPULATIONS = [24_000, 61_000, 88_000, 135_000, 210_000, 380_000, 640_000, 910_000, 1_450_000]
KINDS = [Jurisdiction.Kind.CITY] * 5 + [Jurisdiction.Kind.TOWN, Jurisdiction.Kind.CITY_COUNTY]
# Every tenth review state, by application: both submitted, one in draft, not started.
REVIEW_STATES = [("submitted", "submitted")] * 6 + [("submitted", "draft")] * 2 + [("draft", "new"), ("new", "new")]
DOCUMENTS = [
    ["technology_plan", "sla", "performance_report", "social_media_policy", "continuity_plan"],
    ["technology_plan", "performance_report", "continuity_plan"],
    ["technology_plan", "sla"],
    ["performance_report"],
    [],
]


def _changed(step, **values):
    return {**COMPLETE[step], **values}


def variants():
    """Typed answers of complete applications, strongest first: (wizard state, answers, document kinds)."""
    weaker = {
        "channels": _changed("channels", channels=["live_phone", "web_form", "email"], self_service=["request_online"]),
        "performance": _changed("performance", asa_seconds="95", abandonment_pct="11", fcr_pct="52"),
        "technology": _changed("technology", crm_integrations=["telephony"]),
    }
    weakest = {
        **weaker,
        "accountability": _changed("accountability", written_slas="no", residents_told_completion="no"),
        "participation": _changed("participation", feedback_tools=["annual_survey"], social_platforms=["facebook"]),
        "workforce": _changed("workforce", continuity_plan="no", quality_monitoring="no", training_hours="4"),
    }
    typed = [
        {},
        {"performance": _changed("performance", asa_seconds="58", service_level_pct="70")},
        {"channels": weaker["channels"]},
        weaker,
        weakest,
    ]
    made = []
    for changes, documents in zip(typed, DOCUMENTS, strict=True):
        state = wizard_state({**COMPLETE, **changes})
        made.append((state, answers_from_state(state), documents))
    return made


def hashed_password(password=PASSWORD):
    """Hashed once for everyone: one hash per user would cost longer than the rest of the seeding."""
    return make_password(password)


def places(count, start=0):
    """``count`` jurisdictions of every kind, band and state; every sixth city lies in a county of the set."""
    made = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            name=f"{FIRST[n % len(FIRST)]}{SECOND[n // len(FIRST) % len(SECOND)]} {n // 96 + 1}",
            kind=Jurisdiction.Kind.COUNTY if n % 9 == 4 else KINDS[n % len(KINDS)],
            state=STATES[n % len(STATES)][0],
            time_zone=STATES[n % len(STATES)][1],
            population=POPULATIONS[n % len(POPULATIONS)] + n % 997,
        )
        for n in range(start, start + count)
    )
    counties = [place for place in made if place.kind == Jurisdiction.Kind.COUNTY]
    cities = [place for n, place in enumerate(made) if place.kind == Jurisdiction.Kind.CITY and n % 6 == 0]
    for n, city in enumerate(cities if counties else []):
        city.county = counties[n % len(counties)]
    Jurisdiction.objects.bulk_update(cities, ["county"], batch_size=1000)
    return made


def people(usernames, role, hashed, jurisdictions=None):
    """Users with the one password hash; applicants' jurisdictions in ``jurisdictions``, in order."""
    jurisdictions = jurisdictions or itertools.repeat(None)
    return User.objects.bulk_create(
        User(
            username=name,
            email=f"{name}@example.gov",
            first_name=name.split("-")[-1].title(),
            last_name="Seeded",
            role=role,
            jurisdiction=place,
            password=hashed,
        )
        for name, place in zip(usernames, jurisdictions, strict=False)
    )


def _event(actor, action, summary, application, at, **data):
    return AuditEvent(
        actor=actor,
        action=action,
        summary=summary,
        audience=audience_of(action),
        application=application,
        cycle_id=application.cycle_id,
        at=at,
        data=data,
    )


def _submit(cycle, jurisdictions, staff, when):
    """Submitted applications, one per jurisdiction, their documents and events; (applications, variant of each)."""
    kinds = variants()
    chosen = [n * 7 % 10 % len(kinds) for n in range(len(jurisdictions))]
    applications = Application.objects.bulk_create(
        (
            Application(
                jurisdiction=place,
                cycle=cycle,
                status=Application.Status.SUBMITTED,
                wizard_state=kinds[variant][0],
                answers=kinds[variant][1],
                version=14,
                created_by=person,
                updated_by=person,
                submitted_by=person,
                submitted_at=when,
            )
            for place, person, variant in zip(jurisdictions, staff, chosen, strict=True)
        ),
        batch_size=500,
    )
    EvidenceDocument.objects.bulk_create(
        (
            EvidenceDocument(
                application=application,
                kind=kind,
                file=f"evidence/{application.pk}/{kind}.pdf",
                original_name=f"{kind.replace('_', '-')}-{cycle.valid_from.year}.pdf",
                size=180_000 + n * 37 % 90_000,
                sha256=f"{n:064x}",
                pages=4 + n % 30,
                uploaded_by=application.submitted_by,
            )
            for n, (application, variant) in enumerate(zip(applications, chosen, strict=True))
            for kind in kinds[variant][2]
        ),
        batch_size=1000,
    )
    events = []
    for application in applications:
        person = application.submitted_by
        events.append(_event(person, "application.started", f"Started the {cycle} application", application, when))
        events.append(_event(person, "application.submitted", f"Submitted the {cycle} application", application, when))
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return applications, chosen


def _review(cycle, applications, reviewers, organizer, when, states):
    """Two assignments per application; reviews in ``states`` (by application); the reviews, by application."""
    judged = list(Criterion.objects.filter(rubric__cycle=cycle, kind="judged").values_list("code", "points"))
    pairs = [(app, reviewers[(2 * n + k) % len(reviewers)]) for n, app in enumerate(applications) for k in (0, 1)]
    assignments = Assignment.objects.bulk_create(
        (Assignment(application=app, reviewer=who, assigned_by=organizer, assigned_at=when) for app, who in pairs),
        batch_size=1000,
    )
    reviews, events = [], []
    for n, assignment in enumerate(assignments):
        app, who = assignment.application, assignment.reviewer
        state = states[n // 2 % len(states)][n % 2]
        scores = {code: (n + i) % (int(points) + 1) for i, (code, points) in enumerate(judged)}
        review = Review(assignment=assignment, version=1)
        events.append(_event(organizer, "review.assigned", f"Assigned {who} to review", app, when, reviewer=who.pk))
        if state == "draft":
            review.version, review.judged = 3, dict(list(scores.items())[:1])
            review.comments_for_applicant = "Strong channels; I still need to read the performance report."
        elif state == "submitted":
            review.version, review.judged, review.status = 4, scores, Review.Status.SUBMITTED
            review.submitted_at = when + timedelta(days=3)
            review.comments_for_applicant = f"Clear plans and published metrics. Points to improve: {n % 7 + 1}."
            review.private_notes = "Checked the performance report against the answers."
            events.append(_event(who, "review.submitted", "Submitted a review", app, review.submitted_at))
        reviews.append(review)
    Review.objects.bulk_create(reviews, batch_size=1000)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    by_application = {}
    for review in reviews:
        by_application.setdefault(review.assignment.application_id, []).append(review)
    return by_application


def _decide(cycle, applications, reviews, organizer, when, published):
    """A decision on every application both reviewers have submitted (every one when ``published``)."""
    scores = {
        pk: (total, eligible, level, version)
        for pk, total, eligible, level, version in ScoreResult.objects.filter(application__cycle=cycle)
        .values_list("application_id", "total", "eligible", "level", "rubric_version")
        .iterator(chunk_size=2000)
    }
    samples = {}  # the engine's result of one application per total: the snapshot's scores
    decisions, events = [], []
    for n, application in enumerate(applications):
        panel = reviews.get(application.pk, [])
        reviewed = all(r.status == Review.Status.SUBMITTED for r in panel)
        if not published and (not reviewed or n % 3 == 2):  # a third of the reviewed ones still undecided
            continue
        total, eligible, level, version = scores[application.pk]
        if total not in samples:
            samples[total] = ScoreResult.objects.get(application=application).result
        result = samples[total]
        outcome = Decision.Outcome.DESIGNATED if eligible else Decision.Outcome.NOT_DESIGNATED
        level = level if eligible else ""
        snapshot = {
            "rubric_version": version,
            "total": result["total"],
            "categories": result.get("categories"),
            "criteria": result.get("criteria"),
            "prerequisites": result.get("prerequisites"),
            "judged": panel[0].judged if panel else {},
            "adjusted": {},
            "reviews": [
                {"reviewer": str(r.assignment.reviewer), "reviewer_id": r.assignment.reviewer_id, "total": float(total)}
                for r in panel
            ],
            "spread": 0,
        }
        decisions.append(
            Decision(
                application=application,
                outcome=outcome,
                level=level,
                total=total,
                rationale="As the rubric and both reviews say.",
                suggested_outcome=outcome,
                suggested_level=level,
                snapshot=snapshot,
                decided_by=organizer,
                decided_at=when,
                published_at=when + timedelta(days=2) if published else None,
            )
        )
        label = outcome.label + (f" — {level}" if level else "")
        events.append(
            _event(
                organizer, "decision.recorded", f"Recorded the decision: {label} ({total:g} points)", application, when
            )
        )
        if published:
            events.append(
                _event(organizer, "decision.published", f"Published: {outcome.label}", application, when + timedelta(2))
            )
    Decision.objects.bulk_create(decisions, batch_size=500)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return decisions


def populate(cycle, count, organizer, hashed, prefix="seed", places_staff=None, reviewers=None, published=False):
    """``count`` submitted applications in ``cycle``, reviewed, some decided (all, and published, when
    ``published``); new jurisdictions and their staff unless ``places_staff`` gives both (two lists).

    Returns a summary: the applications' primary keys, how many decided and designated.
    """
    rubric_for(cycle)
    settings_for(cycle)
    when = cycle.opens_at + timedelta(days=20)
    if places_staff is None:
        jurisdictions = places(count)
        staff = people([f"{prefix}-staff-{p.pk}" for p in jurisdictions], User.Role.APPLICANT, hashed, jurisdictions)
    else:
        jurisdictions, staff = places_staff
    if reviewers is None:
        names = [f"{prefix}-reviewer-{n}" for n in range(max(2, count // 4))]  # 8 assignments each
        reviewers = people(names, User.Role.REVIEWER, hashed)
    applications, _variants = _submit(cycle, jurisdictions, staff, when)
    freeze_rubric(cycle, when)
    states = [("submitted", "submitted")] if published else REVIEW_STATES
    reviews = _review(cycle, applications, reviewers, organizer, when + timedelta(days=1), states)
    rescore_cycle(cycle)
    decisions = _decide(cycle, applications, reviews, organizer, when + timedelta(days=30), published)
    return {
        "applications": [str(a.pk) for a in applications],
        "decided": len(decisions),
        "designated": sum(d.outcome == Decision.Outcome.DESIGNATED for d in decisions),
    }


def drafts(cycle, jurisdictions, staff, when):
    """A draft per jurisdiction, every step but the attestation typed (what the wizard pages show)."""
    typed = {step: values for step, values in COMPLETE.items() if step != "review"}
    state = wizard_state(typed, step="planning")
    made = Application.objects.bulk_create(
        Application(
            jurisdiction=place,
            cycle=cycle,
            wizard_state=state,
            answers=answers_from_state(state),
            version=9,
            created_by=person,
            updated_by=person,
        )
        for place, person in zip(jurisdictions, staff, strict=True)
    )
    AuditEvent.objects.bulk_create(
        _event(a.created_by, "application.started", f"Started the {cycle} application", a, when) for a in made
    )
    return made


def build(size, password=PASSWORD):
    """The page benchmark's installation: ``size`` applications in each of two cycles (last one's
    published, this one's open), drafts, and the people it signs in as; what the benchmark needs to know."""
    hashed = hashed_password(password)
    now = timezone.now()
    [organizer] = people(["organizer"], User.Role.ORGANIZER, hashed)
    last = Cycle.objects.create(
        name="2024–2026",
        opens_at=now - timedelta(days=730),
        closes_at=now - timedelta(days=670),
        status=Cycle.Status.PUBLISHED,
        valid_from=(now - timedelta(days=600)).date(),
    )
    current = Cycle.objects.create(
        name="2026–2028",
        opens_at=now - timedelta(days=40),
        closes_at=now + timedelta(days=30),
        status=Cycle.Status.OPEN,
        valid_from=(now + timedelta(days=120)).date(),
    )
    harbor = Jurisdiction.objects.create(name="Harbor City", kind="city", state="VA", population=310_000)
    applicant, _colleague = people(["applicant", "colleague"], User.Role.APPLICANT, hashed, [harbor, harbor])
    jurisdictions = places(size)
    staff = people([f"staff-{p.pk}" for p in jurisdictions], User.Role.APPLICANT, hashed, jurisdictions)
    names = ["reviewer", *(f"reviewer-{n}" for n in range(1, max(2, size // 4)))]  # 8 assignments a cycle each
    reviewers = people(names, User.Role.REVIEWER, hashed)
    before = [harbor, *jurisdictions[: size - 1]], [applicant, *staff[: size - 1]]
    populate(last, size, organizer, hashed, places_staff=before, reviewers=reviewers, published=True)
    made = populate(current, size, organizer, hashed, places_staff=(jurisdictions, staff), reviewers=reviewers)
    others = places(4, start=size)
    others_staff = people([f"staff-{p.pk}" for p in others], User.Role.APPLICANT, hashed, others)
    [draft, *_] = drafts(current, [harbor, *others], [applicant, *others_staff], now - timedelta(days=2))
    for application in Application.objects.filter(cycle=current, status=Application.Status.DRAFT):
        rescore_application(application)  # the drafts' estimates, as every save stores them

    review = (
        Review.objects.filter(assignment__reviewer=reviewers[0], assignment__application__cycle=current)
        .order_by("status", "-version")
        .first()
    )
    decided = Decision.objects.filter(application__cycle=current).order_by("application__jurisdiction__name").first()
    return {
        "size": size,
        "password": password,
        "users": {"applicant": applicant.username, "organizer": organizer.username, "reviewer": reviewers[0].username},
        "cycle": current.pk,
        "last_cycle": last.pk,
        "submitted": Application.objects.filter(cycle=last, jurisdiction=harbor).values_list("pk", flat=True).get(),
        "draft": draft.pk,
        "review": review.pk,
        "panel_application": decided.application_id,
        "save_form": post_data("channels", action="save"),
        "decided": made["decided"],
        "designees": Decision.objects.filter(published_at__isnull=False, outcome="designated").count(),
    }
