"""The leak test's world (tests/test_leaks.py): the routes opened for every object of it, and the world
itself, built through the product's own domain functions."""

from datetime import date, timedelta

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from assessment import domain as applying
from assessment.evidence import store_document
from assessment.forms import STEPS
from assessment.models import Application, Cycle
from reports import cycle_summary, tasks
from review import appeals, certificates, clarifications, decisions, queries, reminders, reviewing, summary
from review import assignment as assigning
from review.models import Appeal, Assignment, Decision, Review, settings_for
from scoring.domain import explain_application, rubric_for
from tests.access_rows_rubric import rubric_leak_routes
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer, make_user, pdf_bytes
from tests.factories.answers import wizard_state
from tests.leak_table import (
    A2_LEVEL,
    A2_OVERRIDE,
    A2_RATIONALE,
    APPEAL_NOTES,
    APPEAL_STATEMENT,
    CONFLICT_REASON,
    END_REASON,
    EXTRA,
    GIVEN,
    ORG,
    REVIEWERS,
    Judged,
    Number,
    Text,
    markers_of,
    person_markers,
    review_label,
    review_markers,
)

# --- The routes, each opened for every object of the world ----------------------------------------

APPS = ["A1", "A2", "B2"]
CYCLES = ["C1", "C2"]
STEP_NAMES = [name for name, _form in STEPS]


def _each(objects):
    return [(label, {"pk": obj.pk}) for label, obj in objects.items()]


# name → world → [(label, url kwargs[, query string])]
ROUTES = {
    "health": lambda w: [("", {})],
    "switch_language": lambda w: [("en", {"code": "en"})],  # "fr" would leave the world's people reading French
    "home": lambda w: [("", {})],
    "login": lambda w: [("", {})],
    "logout": lambda w: [("", {})],
    "password_reset": lambda w: [("", {})],
    "password_reset_done": lambda w: [("", {})],
    "password_reset_confirm": lambda w: [("bad token", {"uidb64": "MQ", "token": "bad-token"})],
    "password_reset_complete": lambda w: [("", {})],
    "accept_invitation": lambda w: [("bad token", {"uidb64": "MQ", "token": "bad-token"})],
    "application_start": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "application_detail": lambda w: _each(w.apps),
    "application_step": lambda w: [(a, {"pk": w.apps[a].pk, "step": s}) for a in APPS for s in STEP_NAMES],
    "document_upload": lambda w: _each(w.apps),
    "document_download": lambda w: _each(w.documents),
    "document_delete": lambda w: _each(w.documents),
    "clarification_ask": lambda w: _each(w.apps),
    "clarification_answer": lambda w: _each(w.clarifications),
    "review_edit": lambda w: _each(w.reviews),
    "review_conflict": lambda w: _each(w.reviews),
    "review_submit": lambda w: _each(w.reviews),
    "appeal_file": lambda w: _each(w.apps),
    "panel_cycle": lambda w: _each(w.cycles),
    "cycle_applications": lambda w: _each(w.cycles),
    "panel_auto_assign": lambda w: _each(w.cycles),
    "panel_bulk_decide": lambda w: _each(w.cycles),
    "panel_publish": lambda w: _each(w.cycles),
    "panel_application": lambda w: _each(w.apps),
    "panel_assign": lambda w: _each(w.apps),
    "panel_decide": lambda w: _each(w.apps),
    "panel_unassign": lambda w: _each(w.assignments),
    "appeal_decide": lambda w: _each(w.appeals),
    "jurisdiction_list": lambda w: [("", {})],
    "jurisdiction_create": lambda w: [("", {})],
    "jurisdiction_detail": lambda w: _each(w.jurisdictions),
    "invite": lambda w: [("", {})],
    "grant_extension": lambda w: _each(w.apps),
    "cycle_detail": lambda w: _each(w.cycles),
    "cycle_create": lambda w: [("", {})],
    "cycle_edit": lambda w: _each(w.cycles),
    "cycle_phase": lambda w: [(c, {"pk": w.cycles[c].pk, "word": "review"}) for c in CYCLES],
    "cycle_exports": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_designees_xlsx": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_designees_csv": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_analysis_xlsx": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "export_analysis_csv": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "public_designees": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_designees_csv": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_designees_json": lambda w: [("", {}), *((c, {}, f"?cycle={w.cycles[c].pk}") for c in CYCLES)],
    "public_seal": lambda w: [
        (f"{c}/{j}", {"cycle_id": w.cycles[c].pk, "jurisdiction_id": w.jurisdictions[j].pk})
        for c in CYCLES
        for j in w.jurisdictions
    ],
    "application_report_pdf": lambda w: _each(w.apps),
    "application_submission_record": lambda w: _each(w.apps),
    "cycle_summary_pdf": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batches": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batch_start": lambda w: [(c, {"cycle_id": w.cycles[c].pk}) for c in CYCLES],
    "report_batch": lambda w: _each(w.batches),
    "report_batch_status": lambda w: _each(w.batches),
    "report_batch_resume": lambda w: _each(w.batches),
    "report_batch_retry": lambda w: _each(w.batch_items),
    **rubric_leak_routes(CYCLES),  # the organizer's rubric pages (tests/access_rows_rubric.py)
    "verify_form": lambda w: [("", {})],
    "verify_certificate": lambda w: [("A1", {"code": w.certificate.display_code}), ("unknown", {"code": "7KQ2MX9PDT"})],
    "designation_withdraw": lambda w: _each(w.apps),
}
# Routes this test does not open, each with the reason. (Django's admin is outside named_routes():
# it checks is_staff itself, and only organizers, who may read everything, are staff.)
NOT_OPENED = {}

# What must be found where it is allowed: if one of these is missing, the test can no longer see the
# kind of text it searches (a PDF, a workbook, a review form, a number): fix the test, not the product.
POSITIVE = {
    "organizer": [
        ("panel_application", "A2", "reviewer_done@A2 comments for the applicant"),
        ("panel_application", "A2", "reviewer_done@A2 scores and notes"),
        ("application_report_pdf", "A2", "A2 unpublished decision"),
        ("application_report_pdf", "A2", "reviewer_done@A2 scores and notes"),
        ("export_analysis_xlsx", "C2", "reviewer_done@A2 scores and notes"),
    ],
    "applicant_a": [
        ("application_report_pdf", "A1", "reviewer_done@A1 comments for the applicant"),
        ("application_detail", "A1", "reviewer_extra@A1 comments for the applicant"),
    ],
    "reviewer_draft": [("review_edit", "reviewer_draft@A2", "reviewer_draft@A2 scores and notes")],
    "reviewer_done": [("review_edit", "reviewer_done@A1", "reviewer_extra name")],
}
# Pages each role must really get (200, not a sign-in page): the searches above read something.
OPENS = {
    "anonymous": [("public_designees", ""), ("public_seal", "C1/A"), ("verify_certificate", "A1")],
    "applicant_a": [("application_detail", "A1"), ("application_report_pdf", "A1"), ("application_detail", "A2")],
    "colleague_a": [("application_detail", "A1"), ("application_report_pdf", "A1"), ("application_detail", "A2")],
    "applicant_b": [("application_detail", "B2")],
    "reviewer_draft": [("review_edit", "reviewer_draft@A2"), ("application_report_pdf", "A2")],
    "reviewer_done": [("review_edit", "reviewer_done@A1"), ("review_edit", "reviewer_done@A2")],
    "reviewer_conflicted": [("home", "")],
    "reviewer_unassigned": [("review_edit", "reviewer_unassigned@B2"), ("application_report_pdf", "B2")],
    "organizer": [("panel_application", "A2"), ("export_analysis_xlsx", "C2"), ("cycle_summary_pdf", "C1")],
}
# Kinds of marker each positive control must find (so that every way of searching is exercised).
POSITIVE_KINDS = {
    ("organizer", "panel_application", "A2", "reviewer_done@A2 scores and notes"): {Number, Text},
    ("organizer", "application_report_pdf", "A2", "A2 unpublished decision"): {Text},
    ("organizer", "application_report_pdf", "A2", "reviewer_done@A2 scores and notes"): {Judged, Number},
    ("organizer", "export_analysis_xlsx", "C2", "reviewer_done@A2 scores and notes"): {Number},
    ("reviewer_draft", "review_edit", "reviewer_draft@A2", "reviewer_draft@A2 scores and notes"): {
        Judged,
        Number,
        Text,
    },
}


# --- Building the world ---------------------------------------------------------------------------


class World:
    pass


def committed(action, *args, **kwargs):
    """Run a domain function and the work it leaves for the commit (e-mails): the world is one transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action(*args, **kwargs)


def build_world():
    w = World()
    now = timezone.now()
    home, other = make_jurisdiction(name="Harbor City"), make_jurisdiction(name="Elsewhere")
    organizer = make_organizer(first_name="Orla", last_name="Organizer")
    people = {
        "applicant_a": make_user(jurisdiction=home, first_name="Alex", last_name="Staff"),
        "colleague_a": make_user(jurisdiction=home, first_name="Casey", last_name="Colleague"),
        "applicant_b": make_user(jurisdiction=other, first_name="Bea", last_name="Other"),
        ORG: organizer,
    }
    for who in REVIEWERS:
        people[who] = make_reviewer(**person_markers(who))

    earlier = make_cycle(name="2024–2026", valid_from=date(now.year - 1, 1, 1))
    Cycle.objects.filter(pk=earlier.pk).update(opens_at=now - timedelta(days=700))
    current = make_cycle(name="2026–2028")
    # C2's highest level is renamed to a marker before anything is submitted (the rubric is still tunable),
    # so that A2's unpublished level is recognised wherever it is written.
    top = rubric_for(current).levels.order_by("-minimum").first()
    top.name = A2_LEVEL
    top.save()
    cycles = {"C1": Cycle.objects.get(pk=earlier.pk), "C2": current}

    def submitted(jurisdiction, cycle, by, saved_by):
        application = applying.start_application(jurisdiction, cycle, saved_by, prefill=False)
        application = applying.save_draft(application, wizard_state(), saved_by, application.version)
        upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), content_type="application/pdf")
        store_document(application, "technology_plan", upload, 1, saved_by)
        return committed(applying.submit_application, Application.objects.get(pk=application.pk), by)

    submitted(home, cycles["C1"], people["applicant_a"], people["colleague_a"])
    submitted(home, cycles["C2"], people["applicant_a"], people["colleague_a"])
    submitted(other, cycles["C2"], people["applicant_b"], people["applicant_b"])
    # Both cycles close: reviews, decisions and publication come after the deadline.
    Cycle.objects.filter(pk__in=[c.pk for c in cycles.values()]).update(closes_at=now - timedelta(hours=1))
    cycles = {label: Cycle.objects.get(pk=c.pk) for label, c in cycles.items()}
    apps = {
        label: Application.objects.select_related("cycle", "jurisdiction").get(jurisdiction=j, cycle=cycles[c])
        for label, j, c in [("A1", home, "C1"), ("A2", home, "C2"), ("B2", other, "C2")]
    }

    assignments = {}

    def assign(who, app):
        assignment = committed(assigning.assign, apps[app], people[who], organizer)
        assignments[review_label(who, app)] = assignment
        return assignment

    def review(who, app):
        given, mine = GIVEN[(who, app)], review_markers(who, app)
        current_review = Review.objects.get(assignment=assignments[review_label(who, app)])
        reviewing.save_review(
            current_review,
            people[who],
            current_review.version,
            dict(sorted(given.judged.items())),
            {given.adjusted: {"points": float(given.points), "reason": mine["reason"]}},
            mine["comments"],
            mine["notes"],
            submit=given.submit,
        )

    # A1: two reviews, a reviewer taken off, decided as the engine suggests, published, appealed.
    assign("reviewer_done", "A1")
    assign(EXTRA, "A1")
    assign("reviewer_draft", "A1")
    review("reviewer_draft", "A1")
    assigning.unassign(assignments[review_label("reviewer_draft", "A1")], organizer, END_REASON)
    review("reviewer_done", "A1")
    review(EXTRA, "A1")
    panel = queries.application_panel(apps["A1"])
    outcome, level = summary.suggestion(panel["result"])
    assert outcome == Decision.Outcome.DESIGNATED, "A1 should be a designee (it has a seal and is public)"
    decisions.decide(apps["A1"], outcome, level, "Strong multi-channel access.", organizer, panel=panel)
    committed(decisions.publish_decisions, cycles["C1"], organizer)
    config = settings_for(cycles["C1"])
    config.appeal_deadline = now + timedelta(days=14)
    config.save()
    appeal = committed(appeals.file_appeal, apps["A1"], APPEAL_STATEMENT, people["applicant_a"])
    committed(appeals.decide_appeal, appeal, Appeal.Outcome.UPHELD, APPEAL_NOTES, organizer)

    # A2: a conflict found after scoring, one submitted review, one draft, a question, a decision not published.
    for who in ("reviewer_conflicted", "reviewer_done", "reviewer_draft"):
        assign(who, "A2")
    review("reviewer_conflicted", "A2")
    assigning.declare_conflict(people["reviewer_conflicted"], home, CONFLICT_REASON, people["reviewer_conflicted"])
    review("reviewer_done", "A2")
    review("reviewer_draft", "A2")
    question = committed(
        clarifications.ask_clarification,
        apps["A2"],
        "Is the contact center staffed on Saturdays?",
        people["reviewer_draft"],
    )
    committed(clarifications.answer_clarification, question, "Yes, from 8 to 12.", people["colleague_a"])
    panel = queries.application_panel(apps["A2"])
    assert summary.suggestion(panel["result"]) != (Decision.Outcome.DESIGNATED, A2_LEVEL)
    decisions.decide(
        apps["A2"], Decision.Outcome.DESIGNATED, A2_LEVEL, A2_RATIONALE, organizer, override_reason=A2_OVERRIDE
    )

    # B2: reviewed by R_unassigned, who is never assigned to A.
    assign("reviewer_unassigned", "B2")
    # The daily reminder: C2's reviews are due in two days (R_draft's and R_unassigned's are not submitted).
    config = settings_for(cycles["C2"])
    config.review_deadline = now + timedelta(days=2)
    config.save()
    assert reminders.send_reminders() == 2

    # "Generate all reports" for both cycles (run in-process), and both summaries: every PDF is cached.
    batches, items = {}, {}
    for label, cycle in cycles.items():
        batch = tasks.start_batch(cycle, organizer, enqueue=False)
        for item in batch.items.select_related("application"):
            tasks.generate_report.call(item.pk)
            app_label = next(a for a, application in apps.items() if application.pk == item.application_id)
            items[app_label] = item
        batches[label] = batch
        cycle_summary.report_file(cycle)

    w.people, w.cycles, w.apps = people, cycles, apps
    w.jurisdictions = {"A": home, "B": other}
    w.assignments = {label: Assignment.objects.get(pk=a.pk) for label, a in assignments.items()}
    w.reviews = {label: a.review for label, a in w.assignments.items()}
    w.documents = {label: application.documents.get() for label, application in apps.items()}
    w.clarifications = {"A2": question}
    w.appeals = {"A1": appeal}
    w.certificate = certificates.current_for(apps["A1"])  # issued when A1's designation was published
    w.batches, w.batch_items = batches, items

    # Each review's own total, by hand: the rule total (judged criteria count nothing by rule), the
    # adjusted criterion's rule points replaced by the adjustment, plus the judged points.
    w.totals = {}
    for (who, app), given in GIVEN.items():
        rule = explain_application(apps[app])
        rule_points = {c["code"]: c["points"] or 0 for c in rule["criteria"]}
        total = rule["total"] - rule_points[given.adjusted] + float(given.points) + sum(given.judged.values())
        w.totals[(who, app)] = f"{total:.2f}"
        assert not w.totals[(who, app)].endswith("0"), "a total must keep its distinctive hundredths"
    rubric = rubric_for(cycles["C2"]).to_engine()
    w.judged_rows = tuple((c.code, c.title, c.points) for c in rubric.criteria if c.is_judged)
    w.markers = markers_of(w)
    w.mails = list(mail.outbox)
    w.urls = [
        (name, spec[0], reverse(name, kwargs=spec[1] or None) + (spec[2] if len(spec) > 2 else ""))
        for name, build in ROUTES.items()
        for spec in build(w)
    ]
    return w


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
