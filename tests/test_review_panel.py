"""Reviewing, combining, deciding, publishing and appealing."""

import html
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application, AuditEvent, Cycle
from review import aggregate
from review.assignment import assign, declare_conflict
from review.decisions import decide, publish_decisions
from review.models import Assignment, Decision, Review, settings_for
from review.queries import PER_PAGE, application_panel, current_decision
from review.reminders import send_reminders
from review.reviewing import save_review
from scoring import engine
from tests.factories import as_user, close_cycle, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.answers import complete_answers
from tests.factories.applications import submitted
from tests.factories.reviews import FULL, submit_both

pytestmark = pytest.mark.django_db


def review_url(review):
    return reverse("review_edit", args=[review.pk])


def review_post(version, judged=None, adjust=None, action="save", comments="", notes=""):
    data = {"version": str(version), "action": action, "comments_for_applicant": comments, "private_notes": notes}
    for code, points in (judged or {}).items():
        data[f"judged_{code}"] = str(points)
    for code, (points, reason) in (adjust or {}).items():
        data[f"adjust_{code}"] = str(points)
        data[f"reason_{code}"] = reason
    return data


def submit(client, review, version, judged):
    """Submit a review as a reviewer does: "Submit review…" (saving it as a draft), then the confirmation."""
    client.post(review_url(review), review_post(version, judged, action="submit"))
    return client.post(reverse("review_submit", args=[review.pk]), {"version": str(version + 1)})


def test_a_reviewer_scores_judged_criteria_saves_a_draft_and_submits_once(panel):
    client = as_user(panel["first"])
    page = client.get(review_url(panel["r1"])).content.decode()
    assert "D7 Year-on-year improvement (0 to 4)" in page
    assert "4 — Sustained improvement over several measures" in page
    assert "Average speed of answer fell from 75 s to 41 s" in page  # the answers are on the page
    assert "A1 Channels that take service requests" in page  # rule scores with reasons
    assert "6 of 6 points: Live agent by phone" in page

    response = client.post(review_url(panel["r1"]), review_post(1, {"D7": 3}, comments="Clear figures."))
    assert response.status_code == 302
    review = Review.objects.get(pk=panel["r1"].pk)
    assert review.judged == {"D7": 3} and not review.is_submitted and review.version == 2

    response = client.post(review_url(review), review_post(2, {"D7": 3}, action="submit"), follow=True)
    assert "F6 An example of data changing a service: score it before submitting." in response.content.decode()
    assert not Review.objects.get(pk=review.pk).is_submitted

    # "Submit review…" saves what was typed and asks first: nothing is submitted before the confirmation.
    response = client.post(review_url(review), review_post(2, FULL, action="submit"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("review_submit", args=[review.pk])
    assert "Submitting cannot be undone." in page and "D7 Year-on-year improvement" in page
    review.refresh_from_db()
    assert not review.is_submitted and review.judged == FULL and review.version == 3
    response = client.post(reverse("review_submit", args=[review.pk]), {"version": "3"}, follow=True)
    assert "Your review is submitted." in response.content.decode()
    review.refresh_from_db()
    assert review.is_submitted and review.judged == FULL

    response = client.post(review_url(review), review_post(4, {"D7": 0}, action="save"), follow=True)
    assert "it can no longer change" in response.content.decode()
    assert Review.objects.get(pk=review.pk).judged == FULL
    actions = list(AuditEvent.objects.filter(application=panel["application"]).values_list("action", flat=True))
    assert actions.count("review.saved") == 2 and actions.count("review.submitted") == 1


def test_adjusting_a_rule_score_needs_a_written_reason(panel):
    client = as_user(panel["first"])
    response = client.post(review_url(panel["r1"]), review_post(1, adjust={"A1": (4, "")}))
    assert response.status_code == 200
    assert "Say why you adjust A1 from 6 points." in response.content.decode()
    assert Review.objects.get(pk=panel["r1"].pk).adjustments == {}
    client.post(review_url(panel["r1"]), review_post(1, adjust={"A1": (4, "Web chat is a pilot only.")}))
    assert Review.objects.get(pk=panel["r1"].pk).adjustments == {
        "A1": {"points": 4.0, "reason": "Web chat is a pilot only."}
    }


def test_the_second_of_two_concurrent_saves_is_compared_answer_by_answer_and_can_be_kept(panel):
    tab1, tab2 = as_user(panel["first"]), as_user(panel["first"])
    tab1.post(review_url(panel["r1"]), review_post(1, {"D7": 4}, comments="First tab."))
    response = tab2.post(review_url(panel["r1"]), review_post(1, {"D7": 1}, comments="Second tab."))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Not saved: you changed this review in another tab or window" in page
    assert "You saved this review in another tab or window at" in page
    table = page[page.index("conflict-table") :]
    table = table[: table.index("</table>")]
    rows = table.split('<th scope="row" data-label="Question">')[1:]
    assert [row.split("</th>")[0].split(" ")[0] for row in rows] == ["Comments", "D7"]  # only what differs
    assert rows[0].index("First tab.") < rows[0].index("Second tab.")  # saved, then typed
    assert "Second tab.</textarea>" in page  # what was typed is still in the form
    review = Review.objects.get(pk=panel["r1"].pk)
    assert review.judged == {"D7": 4} and review.comments_for_applicant == "First tab."
    # The page carries the saved version: "Keep what I typed" saves the form as typed.
    assert f'name="version" value="{review.version}"' in page
    tab2.post(review_url(panel["r1"]), review_post(review.version, {"D7": 1}, comments="Second tab."))
    review.refresh_from_db()
    assert review.judged == {"D7": 1} and review.comments_for_applicant == "Second tab."


def test_reviews_are_independent_until_your_own_is_submitted(panel):
    second = as_user(panel["second"])
    submit(second, panel["r2"], 1, {"D7": 2, "F6": 2, "H3": 1})
    first = as_user(panel["first"])
    page = first.get(review_url(panel["r1"])).content.decode()
    assert "You see the other reviewers' scores once you have submitted yours." in page
    assert "Bo" not in page.split("The other reviewers")[-1] if "The other reviewers" in page else True
    # The application page does not show them either.
    detail = first.get(reverse("application_detail", args=[panel["application"].pk])).content.decode()
    assert "Private" not in detail and "reviewers disagree" not in detail
    submit(first, panel["r1"], 1, FULL)
    page = first.get(review_url(panel["r1"])).content.decode()
    assert "The other reviewers" in page and str(panel["second"]) in page


def test_another_reviewer_or_a_conflicted_one_cannot_open_the_review(panel):
    outsider = make_reviewer()
    assert as_user(outsider).get(review_url(panel["r1"])).status_code == 404
    assert as_user(panel["second"]).get(review_url(panel["r1"])).status_code == 404
    declare_conflict(panel["first"], panel["application"].jurisdiction, "My sister works there", panel["first"])
    assert as_user(panel["first"]).get(review_url(panel["r1"])).status_code == 404
    detail = as_user(panel["first"]).get(reverse("application_detail", args=[panel["application"].pk]))
    assert detail.status_code == 404


def test_combined_scores_are_the_mean_of_reviewers_with_adjustments_and_spread(panel):
    submit_both(panel, adjust_first={"A1": {"points": 3, "reason": "Chat is a pilot."}})
    result = application_panel(panel["application"])
    combined = result["combined"]
    # Rule total 70 (tests/test_scoring.py). Ada: 70 - 3 (A1) + 4 + 2 + 3 = 76; Bo: 70 + 2 + 2 + 1 = 75.
    assert combined.totals == {panel["first"].pk: 76.0, panel["second"].pk: 75.0}
    assert combined.judged == {"D7": 3.0, "F6": 2.0, "H3": 2.0}
    assert combined.adjusted == {"A1": 4.5}
    assert combined.spread == 1.0
    assert result["result"]["total"] == 75.5
    # A1 went from 6 to 3: more than the divergence margin of 2.
    assert combined.divergences == [(str(panel["first"]), "A1", 6.0, 3.0, "Chat is a pilot.")]
    page = as_user(panel["organizer"]).get(reverse("panel_application", args=[panel["application"].pk]))
    text = page.content.decode()
    assert "Combined: <strong>75.50</strong>" in text and "spread between reviewers 1 points" in text
    assert "Seemed rushed." in text  # organizers read the private notes


def test_an_excluded_review_no_longer_counts(panel):
    submit_both(panel)
    declare_conflict(panel["second"], panel["application"].jurisdiction, "Former employer", panel["organizer"])
    review = Review.objects.get(pk=panel["r2"].pk)
    assert review.excluded and review.is_submitted  # kept, not deleted
    combined = application_panel(panel["application"])["combined"]
    assert list(combined.totals) == [panel["first"].pk]
    assert AuditEvent.objects.filter(action="review.excluded").count() == 1


def test_the_aggregation_arithmetic_by_hand():
    totals = [(1, "a", 70.0), (2, "a", 80.0), (1, "b", 60.0), (2, "b", 64.0), (3, "b", 62.0)]
    # Application a: mean 75, reviewer 1 is -5, reviewer 2 is +5. b: mean 62: -2, +2, 0.
    assert aggregate.leniency(totals) == {1: -3.5, 2: 3.5, 3: 0.0}
    # Spreads 10 (a) and 4 (b): one of two within 5 points; pairwise differences 10, 4, 2, 2.
    assert aggregate.agreement(totals, 5) == (50.0, 4.5)
    normalised = aggregate.normalised_totals(totals)
    assert set(normalised) == {"a", "b"}
    # Reviewer 3 has one review: shifted by their offset only (62 - 62 + overall mean 67.2).
    assert aggregate.normalised_totals([(3, "b", 62.0)]) == {"b": 62.0}
    assert engine.level_for(74.9, [("Designated", 60), ("Distinction", 75)], 60) == "Designated"
    assert engine.level_for(59, [("Designated", 60)], 60) is None


def test_a_decision_that_overrides_the_suggestion_needs_a_reason_and_freezes_its_basis(panel):
    submit_both(panel)
    client = as_user(panel["organizer"])
    url = reverse("panel_decide", args=[panel["application"].pk])
    page = client.get(reverse("panel_application", args=[panel["application"].pk])).content.decode()
    assert "Suggested: <strong>Designated — Designated with Distinction</strong>" in page
    response = client.post(
        url, {"outcome": "designated", "level": "Exemplary", "rationale": "Outstanding."}, follow=True
    )
    assert "give the reason for overriding it" in response.content.decode()
    assert Decision.objects.count() == 0
    client.post(
        url,
        {
            "outcome": "designated",
            "level": "Exemplary",
            "rationale": "Outstanding.",
            "override_reason": "The site visit showed more than the answers say.",
        },
    )
    decision = Decision.objects.get()
    assert (decision.level, decision.suggested_level) == ("Exemplary", "Designated with Distinction")
    assert decision.snapshot["judged"] == {"D7": 3.0, "F6": 2.0, "H3": 2.0}
    assert decision.snapshot["total"] == 77 and len(decision.snapshot["reviews"]) == 2
    # A later decision supersedes it; the first stays.
    decide(panel["application"], "designated", "Designated with Distinction", "On reflection.", panel["organizer"])
    assert Decision.objects.filter(superseded_at=None).count() == 1 and Decision.objects.count() == 2
    events = AuditEvent.objects.filter(action="decision.recorded").order_by("at", "id")
    assert "overrides the suggestion: The site visit" in events[0].summary


def test_bulk_decisions_are_recorded_one_by_one(panel):
    other = submitted(make_jurisdiction(name="Riverton"), panel["cycle"])
    submit_both(panel)
    client = as_user(panel["organizer"])
    url = reverse("panel_bulk_decide", args=[panel["cycle"].pk])
    page = client.get(url).content.decode()
    assert "1 application will be decided: 1 designated and 0 not designated." in page
    assert Decision.objects.count() == 0  # the page only says what will happen
    response = client.post(url, {"confirm": "decide"}, follow=True)
    assert "1 decided by threshold; 1 not fully reviewed yet." in response.content.decode()
    assert Decision.objects.get().application == panel["application"]
    assert not Decision.objects.filter(application=other).exists()
    assert AuditEvent.objects.filter(action="decision.recorded").count() == 1


def test_publishing_tells_applicants_who_then_see_decision_and_comments_but_never_private_notes(
    panel, django_capture_on_commit_callbacks
):
    submit_both(panel)
    decide(panel["application"], "designated", "Designated with Distinction", "Strong.", panel["organizer"])
    applicant = as_user(panel["applicant"])
    detail = reverse("application_detail", args=[panel["application"].pk])
    assert "The panel's decision" not in applicant.get(detail).content.decode()
    close_cycle(panel["cycle"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(panel["organizer"]).post(reverse("panel_publish", args=[panel["cycle"].pk]), {"confirm": "publish"})
    assert Cycle.objects.get(pk=panel["cycle"].pk).status == Cycle.Status.PUBLISHED
    assert [m.subject for m in mail.outbox] == ["Decision on your 2026–2028 application"]
    page = applicant.get(detail).content.decode()
    assert "Designated — Designated with Distinction" in page
    assert "Good work." in page and "Keep going." in page
    assert "Seemed rushed." not in page


def test_appeals_within_the_window_and_a_changed_decision_is_audited(panel):
    submit_both(panel)
    decide(panel["application"], "designated", "Designated with Distinction", "Strong.", panel["organizer"])
    close_cycle(panel["cycle"])
    publish_decisions(panel["cycle"], panel["organizer"])
    applicant = as_user(panel["applicant"])
    url = reverse("appeal_file", args=[panel["application"].pk])
    response = applicant.post(url, {"statement": "Our CSAT is 91 %."}, follow=True)
    assert "Appeals are not open for this cycle." in response.content.decode()
    config = settings_for(panel["cycle"])
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    response = applicant.post(url, {"statement": "Our CSAT is 91 %."}, follow=True)
    assert "Your appeal is filed." in response.content.decode()
    appeal = panel["application"].appeals.get()
    as_user(panel["organizer"]).post(
        reverse("appeal_decide", args=[appeal.pk]),
        {"outcome": "changed", "designated": "on", "level": "Exemplary", "notes": "New CSAT evidence."},
    )
    current = current_decision(panel["application"])
    assert current.level == "Exemplary" and current.published_at is not None
    assert current.override_reason == "Appeal: New CSAT evidence."
    assert AuditEvent.objects.filter(action="appeal.decided", summary__contains="changed").exists()
    config.appeal_deadline = timezone.now() - timedelta(days=1)
    config.save()
    response = applicant.post(url, {"statement": "Again."}, follow=True)
    assert "The appeal window is closed." in response.content.decode()


def test_reviewers_get_assignment_and_reminder_emails(panel, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assign(panel["application"], make_reviewer(email="cy@example.gov"), panel["organizer"])
    assert mail.outbox[0].subject == "New review: Harbor City, VA (2026–2028)"
    config = settings_for(panel["cycle"])
    config.review_deadline = timezone.now() + timedelta(days=2)
    config.save()
    mail.outbox.clear()
    save_review(panel["r1"], panel["first"], 1, FULL, {}, "", "", True)
    assert send_reminders() == 2  # the second reviewer and the new one; the first has submitted
    assert all(m.subject.startswith("Reminder: 1 review due") for m in mail.outbox)


# Dashboards: a constant number of queries -------------------------------------


def many_applications(cycle, count, reviewers):
    jurisdictions = [make_jurisdiction() for _ in range(count)]
    answers = complete_answers()
    apps = Application.objects.bulk_create(
        Application(jurisdiction=j, cycle=cycle, answers=answers, status="submitted") for j in jurisdictions
    )
    assignments = Assignment.objects.bulk_create(Assignment(application=a, reviewer=r) for a in apps for r in reviewers)
    Review.objects.bulk_create(
        Review(assignment=a, status="submitted", judged=FULL, submitted_at=timezone.now()) for a in assignments
    )


@pytest.mark.parametrize("page", ["organizer", "reviewer"])
def test_dashboards_use_the_same_number_of_queries_for_10_or_200_applications(page):
    organizer = make_organizer()
    reviewers = [make_reviewer(), make_reviewer()]

    def queries(count):
        cycle = make_cycle()
        many_applications(cycle, count, reviewers)
        client = as_user(organizer if page == "organizer" else reviewers[0])
        url = reverse("panel_cycle", args=[cycle.pk]) if page == "organizer" else reverse("home")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    # At either size. The organizer's cycle panel (24): the session, the user, the cycle; the cycle's review
    # settings (read, and created on first use: a savepoint, the insert, its release); the rubric, its
    # categories, criteria and levels; the cycle-wide figures (review.summary: two aggregate queries for their
    # fingerprint, which count the applications too; the counted reviews' compact rows, the reviewed
    # applications' stored scores, and for those without a current stored score — all of them here — their
    # evidence kinds and answers; the reviewers ever assigned); the page of applications (with jurisdictions
    # and stored totals), its assignments (with reviewers and reviews), current decisions, and the rule totals
    # of its applications without a current stored score (evidence kinds, answers); the reviewers' names. The reviewer's dashboard (5): the
    # session, the user, the number of their assignments, a page of them (with applications and reviews), the
    # judged criteria of their rubrics.
    expected = 24 if page == "organizer" else 5
    few, few_html = queries(10)
    many, html = queries(200)
    assert few == expected
    assert many == expected
    if page == "organizer":  # a page of applications at a time, the figures of the whole cycle
        assert few_html.count('/panel/">') == 10 and html.count('/panel/">') == PER_PAGE
        assert "200 submitted applications, 200 with a counted review" in html and 'aria-label="Page 4"' in html
