"""Form fuzzing (tests/fuzz_forms.py), reviewers and organizers on the panel: reviews, conflicts, questions
and answers, panel settings, assignments, decisions and appeals. What is refused on the review's or the
panel's page comes back on that page (200), as typed (tests/test_forms_keep_typed.py); what is done redirects."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given, settings
from hypothesis import strategies as st

from assessment.models import EvidenceDocument
from review.decisions import publish_decisions
from review.forms import (
    AnswerForm,
    AppealForm,
    AppealOutcomeForm,
    DecisionForm,
    PanelSettingsForm,
    QuestionForm,
    ReviewForm,
)
from review.models import Appeal, Assignment, Clarification, Decision, DeclaredConflict, Review, settings_for
from review.queries import current_decision
from tests.fuzz_forms import (
    answered,
    form_body,
    fuzz,
    hostile_text,
    moments,
    pdf_upload,
    post,
    rolled_back,
    sent,
    spoil,
    text_edges,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)


def review_row(review_id):
    return Review.objects.filter(pk=review_id).values().get()


# --- Reviewers -------------------------------------------------------------------------------------


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_review_form(world, data):
    client = world.client["reviewer"]
    url = reverse("review_edit", args=[world.review.pk])
    panel = world.panel
    before = review_row(world.review.pk)
    rubric = panel["rubric"]
    # from_form cannot infer a DecimalField without max_digits; a few adjustments, or every one needs a reason.
    rule_scored = [c for c in rubric.criteria if not c.is_judged]
    adjusted = {f"adjust_{c.code}": st.none() for c in rule_scored}
    adjusted |= {f"adjust_{c.code}": st.none() | st.decimals(0, c.points, places=2) for c in rule_scored[:3]}
    kwargs = {"rubric": rubric, "rule": panel["rule"]}
    extra = {"version": str(before["version"]), "action": data.draw(st.sampled_from(["save", "save", "submit"]))}
    body = form_body(data, ReviewForm, extra=extra, form_kwargs=kwargs, **adjusted)
    with rolled_back():
        messages = answered(post(client, url, body), 200, 302)
        after = review_row(world.review.pk)
        event("saved" if after != before else "refused")
        if after != before:
            assert after["version"] == before["version"] + 1
            assert after["comments_for_applicant"] == sent(body, "comments_for_applicant").strip()
        else:
            assert messages  # the reviewer is told why nothing was saved


@fuzz
@given(data=st.data())
def test_conflict_declaration(world, data):
    client = world.client["reviewer"]
    body = spoil(data, {"reason": "My sister works there."}, ["reason", "other"], edges={"reason": text_edges})
    with rolled_back():
        messages = answered(post(client, reverse("review_conflict", args=[world.review.pk]), body), 200, 302)
        declared = DeclaredConflict.objects.filter(reviewer=world.reviewer).first()
        active = Assignment.objects.get(pk=world.review.assignment_id).active
        assert (declared is None) == active
        assert len(messages) == 1
        if declared:
            assert declared.reason == sent(body, "reason").replace("\x00", "").strip() != ""


# --- Questions to the applicant ----------------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_question_to_the_applicant(world, data):
    body = form_body(data, QuestionForm)
    with rolled_back():
        response = post(world.client["organizer"], reverse("clarification_ask", args=[world.application.pk]), body)
        messages = answered(response, 200, 302)  # refused: the page again, the question as typed
        asked = Clarification.objects.filter(application=world.application).exclude(pk=world.question.pk).first()
        assert len(messages) == 1
        if asked:
            assert messages == ["Your question was sent to the applicant."]
            assert asked.question == sent(body, "question").strip()


@fuzz
@given(data=st.data())
def test_answer_to_a_question_with_a_document(world, data):
    body = form_body(data, AnswerForm, extra={"document": pdf_upload(data)}, document=st.none())
    url = reverse("clarification_answer", args=[world.question.pk])
    documents = EvidenceDocument.objects.count()
    with rolled_back():
        messages = answered(post(world.client["applicant"], url, body), 200, 302)
        question = Clarification.objects.get(pk=world.question.pk)
        event("answered" if question.answered_at else "refused")
        assert messages
        if question.answered_at is None:
            assert EvidenceDocument.objects.count() == documents
        else:
            assert messages == ["Your answer was sent to the panel."]
            assert question.answer == sent(body, "answer").strip()
            assert EvidenceDocument.objects.count() == documents + (question.document is not None)


# --- The panel -----------------------------------------------------------------------------------------


def settings_row(cycle):
    return type(settings_for(cycle)).objects.filter(cycle=cycle).values().get()


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_panel_settings_then_automatic_assignment_and_bulk_decision(world, data):
    client = world.client["organizer"]
    before = settings_row(world.cycle)
    body = form_body(data, PanelSettingsForm, review_deadline=st.none() | moments, appeal_deadline=st.none() | moments)
    with rolled_back():
        response = post(client, reverse("panel_cycle", args=[world.cycle.pk]), body)
        messages = answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert "The settings were not saved" in messages[0] and settings_row(world.cycle) == before
            return
        # What was saved works: assignment, the bulk decision and the panel page.
        answered(post(client, reverse("panel_auto_assign", args=[world.cycle.pk]), {}))
        answered(post(client, reverse("panel_bulk_decide", args=[world.cycle.pk]), {"confirm": "decide"}))
        assert client.get(reverse("panel_cycle", args=[world.cycle.pk])).status_code == 200
        assert client.get(reverse("review_edit", args=[world.review.pk])).status_code in (200, 404)


@fuzz
@given(data=st.data())
def test_assigning_a_reviewer(world, data):
    choices = [str(u.pk) for u in (world.spare, world.reviewer, world.organizer, world.applicant)]
    body = spoil(data, {"reviewer": data.draw(st.sampled_from(choices))}, ["reviewer"])
    assigned = set(Assignment.objects.filter(active=True).values_list("pk", flat=True))
    with rolled_back():
        url = reverse("panel_assign", args=[world.application.pk])
        messages = answered(post(world.client["organizer"], url, body), 200, 302)
        now = set(Assignment.objects.filter(active=True).values_list("pk", flat=True))
        assert now >= assigned and len(now - assigned) <= 1 and len(messages) == 1
        if now != assigned:
            assert Assignment.objects.get(pk=(now - assigned).pop()).reviewer == world.spare
            assert sent(body, "reviewer") == str(world.spare.pk)


@fuzz
@given(data=st.data())
def test_taking_a_reviewer_off(world, data):
    body = spoil(data, {"reason": "On leave until June."}, ["reason"], edges={"reason": text_edges})
    url = reverse("panel_unassign", args=[world.review.assignment_id])
    with rolled_back():
        messages = answered(post(world.client["organizer"], url, body), 200, 302)
        assignment = Assignment.objects.get(pk=world.review.assignment_id)
        assert len(messages) == 1
        if not assignment.active:
            assert assignment.end_reason == sent(body, "reason").replace("\x00", "").strip() != ""


def decision_rows(application):
    return list(Decision.objects.filter(application=application).values().order_by("pk"))


@fuzz
@given(data=st.data())
def test_deciding(world, data):
    levels = world.panel["rubric"].levels
    # The page's hidden field names the current decision: mostly as the page sends it, sometimes stale or hostile.
    current = st.sampled_from([str(current_decision(world.application).pk), ""]) | hostile_text
    body = form_body(data, DecisionForm, form_kwargs={"levels": levels}, current=current)
    before = decision_rows(world.application)
    url = reverse("panel_decide", args=[world.application.pk])
    with rolled_back():
        messages = answered(post(world.client["organizer"], url, body), 200, 302)
        after = decision_rows(world.application)
        assert len(messages) == 1
        event("decided" if after != before else "refused")
        if messages[0].startswith("The decision is recorded"):
            assert len(after) == len(before) + 1 and after[-1]["rationale"] == sent(body, "rationale").strip()
        else:
            assert after == before


@pytest.fixture
def published(world):
    """The cycle has closed, its decision is published and appeals are open."""
    world.cycle.closes_at = timezone.now() - timedelta(minutes=1)
    world.cycle.save(update_fields=["closes_at"])
    publish_decisions(world.cycle, world.organizer)
    config = settings_for(world.cycle)
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    return world


@fuzz
@given(data=st.data())
def test_filing_an_appeal(published, data):
    world = published
    body = form_body(data, AppealForm)
    with rolled_back():
        url = reverse("appeal_file", args=[world.application.pk])
        messages = answered(post(world.client["applicant"], url, body), 200, 302)
        appeal = Appeal.objects.filter(application=world.application).first()
        assert len(messages) == 1
        if appeal:
            assert appeal.statement == sent(body, "statement").strip()


@fuzz
@given(data=st.data())
def test_deciding_an_appeal(published, data):
    world = published
    appeal = Appeal.objects.get_or_create(application=world.application, statement="The SLA was overlooked.")[0]
    before = decision_rows(world.application)
    body = form_body(data, AppealOutcomeForm, form_kwargs={"levels": world.panel["rubric"].levels})
    with rolled_back():
        url = reverse("appeal_decide", args=[appeal.pk])
        messages = answered(post(world.client["organizer"], url, body), 200, 302)
        appeal.refresh_from_db()
        after = decision_rows(world.application)
        assert len(messages) == 1
        if appeal.outcome == Appeal.Outcome.PENDING:
            assert after == before
        else:
            assert appeal.outcome_notes == sent(body, "notes").strip()
            assert len(after) == len(before) + (appeal.outcome == Appeal.Outcome.CHANGED)
