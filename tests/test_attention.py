"""What needs attention, on the organizer's dashboard and on a cycle's page: each waiting thing a link with its
count, there while it waits and gone once done; and the pages' queries, the same at two sizes."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application, Cycle
from review.appeals import decide_appeal
from review.assignment import assign
from review.clarifications import answer_clarification, ask_clarification
from review.decisions import publish_decisions
from review.models import Appeal, Review, settings_for
from tests.factories import (
    as_user,
    close_cycle,
    make_application,
    make_cycle,
    make_jurisdiction,
    make_organizer,
    make_reviewer,
)
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import assigned_panel, make_review, submit_both

pytestmark = pytest.mark.django_db

ITEM = re.compile(r"<li>(.*?)<a href=\"([^\"]*)\">(.*?)</a></li>", re.S)


def attention(client, url=None):
    """[(the item's words, where its link goes)] of the page's "What needs attention" list."""
    page = client.get(url or reverse("home")).content.decode()
    section = page[page.index("<h2>What needs attention</h2>") :]
    section = section[: section.index("<h2", 5)]
    if "Nothing needs you now." in section:
        return []
    return [(unescape(before + text).strip(), unescape(href)) for before, href, text in ITEM.findall(section)]


@pytest.fixture
def organizer():
    return as_user(make_organizer())


@pytest.fixture
def panel():
    return assigned_panel()


def test_nothing_waiting_says_so(organizer):
    make_cycle(name="2026–2028")
    page = organizer.get(reverse("home")).content.decode()
    assert "Nothing needs you now." in page and attention(organizer) == []


def test_drafts_near_their_deadline_extensions_counted_until_submitted(organizer):
    soon = make_cycle(name="2026–2028", closes_in=timedelta(days=3))
    draft = make_application(cycle=soon)
    make_application(cycle=make_cycle(name="Later", closes_in=timedelta(days=30)))
    closed = make_cycle(name="Closed", closes_in=timedelta(days=-1))
    make_application(cycle=closed, extension_until=timezone.now() + timedelta(days=2))
    make_application(cycle=closed)  # its deadline passed: nothing to do for it
    make_application(cycle=closed, extension_until=timezone.now() - timedelta(hours=1))

    assert sorted(attention(organizer)) == [
        ("2026–2028: 1 draft is due within 7 days", reverse("cycle_applications", args=[soon.pk]) + "?status=draft"),
        ("Closed: 1 draft is due within 7 days", reverse("cycle_applications", args=[closed.pk]) + "?status=draft"),
    ]
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.SUBMITTED)
    # Submitted while the cycle is open: its reviewers are assigned once applications close.
    assert sorted(text for text, _ in attention(organizer)) == ["Closed: 1 draft is due within 7 days"]


def test_applications_without_enough_reviewers_until_assigned(organizer):
    cycle = make_cycle(name="2026–2028")
    application = make_submitted(cycle=cycle)
    assert attention(organizer) == []  # applications are still coming in
    close_cycle(cycle)
    boss = make_organizer()
    assign(application, make_reviewer(), boss)
    assert attention(organizer) == [
        ("2026–2028: 1 submitted application needs reviewers", reverse("panel_cycle", args=[cycle.pk]))
    ]
    assign(application, make_reviewer(), boss)
    assert attention(organizer) == []


def test_a_published_cycle_waits_only_for_its_appeals(organizer):
    # An archive cycle (as the demo's 2013–2015): submitted applications, public designees, no panel on record.
    cycle = make_cycle(name="2013–2015", closes_in=timedelta(days=-1))
    make_submitted(cycle=cycle)
    assert attention(organizer) == [
        ("2013–2015: 1 submitted application needs reviewers", reverse("panel_cycle", args=[cycle.pk]))
    ]
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    assert attention(organizer) == []


def test_overdue_reviews_until_they_are_in(organizer, panel):
    config = settings_for(panel["cycle"])
    config.review_deadline = timezone.now() - timedelta(hours=1)
    config.save()
    assert attention(organizer) == [
        ("2026–2028: 2 reviews are overdue", reverse("panel_cycle", args=[panel["cycle"].pk]))
    ]
    submit_both(panel)
    assert "2026–2028: 2 reviews are overdue" not in [text for text, _ in attention(organizer)]


def test_reviewed_applications_wait_for_a_decision_then_for_publishing(organizer, panel):
    cycle = panel["cycle"]
    config = settings_for(cycle)
    config.disagreement_margin = 1  # the second reviewer's total is 4 points below the first's
    config.save()
    submit_both(panel)
    listed = reverse("cycle_applications", args=[cycle.pk])
    assert attention(organizer) == [
        (
            "2026–2028: 1 application is fully reviewed and waiting for a decision",
            reverse("panel_cycle", args=[cycle.pk]),
        ),
        ("2026–2028: 1 application has reviewers who disagree", f"{listed}?status=submitted&disagree=on"),
    ]
    decide(panel["application"], published=False)
    assert attention(organizer) == []  # decided; the cycle is still open
    close_cycle(cycle)
    publish = reverse("panel_publish", args=[cycle.pk])
    assert attention(organizer) == [("2026–2028: 1 decision is ready to publish", publish)]
    assert attention(organizer, reverse("cycle_detail", args=[cycle.pk])) == [
        ("1 decision is ready to publish", publish)
    ]
    publish_decisions(cycle, panel["organizer"])
    assert attention(organizer) == []


def test_questions_to_applicants_until_answered(organizer, panel):
    submit_both(panel)
    decide(panel["application"], published=False)
    question = ask_clarification(panel["application"], "Which CRM do you use?", panel["organizer"])
    listed = reverse("cycle_applications", args=[panel["cycle"].pk])
    assert attention(organizer) == [("2026–2028: 1 question to an applicant is not answered yet", listed)]
    answer_clarification(question, "Salesforce.", panel["applicant"])
    assert attention(organizer) == []


def test_pending_appeals_until_ruled_on(organizer, panel):
    submit_both(panel)
    decide(panel["application"], published=True)
    Cycle.objects.filter(pk=panel["cycle"].pk).update(status=Cycle.Status.PUBLISHED)
    appeal = Appeal.objects.create(application=panel["application"], statement="Look again.")
    link = reverse("panel_application", args=[panel["application"].pk]) + "#appeals"
    assert attention(organizer) == [("2026–2028: 1 appeal is pending", link)]
    Appeal.objects.create(
        application=make_submitted(cycle=panel["cycle"], jurisdiction=make_jurisdiction()), statement="."
    )
    assert attention(organizer)[0] == ("2026–2028: 2 appeals are pending", reverse("home") + "#appeals")
    decide_appeal(appeal, Appeal.Outcome.UPHELD, "The scores stand.", panel["organizer"])
    assert attention(organizer)[0] == (
        "2026–2028: 1 appeal is pending",
        reverse("panel_application", args=[Appeal.objects.get(outcome="pending").application_id]) + "#appeals",
    )


# --- Queries --------------------------------------------------------------------------------------------------


def world(size):
    """An open cycle with ``size`` drafts due and ``size`` submitted without reviewers, a cycle under review
    whose ``size`` applications each have two counted reviews (so the panel's summary is read), and ``size``
    published cycles."""
    due = make_cycle(name="Open", closes_in=timedelta(days=2))
    review = make_cycle(name="Review")
    config = settings_for(review)
    config.disagreement_margin = 1
    config.save()
    for n in range(size):
        make_application(cycle=due, jurisdiction=make_jurisdiction(name=f"Draft {n}"))
        make_submitted(cycle=due, jurisdiction=make_jurisdiction(name=f"Waiting {n}"))
        reviewed = make_submitted(cycle=review, jurisdiction=make_jurisdiction(name=f"Reviewed {n}"))
        make_review(reviewed)
        Review.objects.filter(pk=make_review(reviewed).pk).update(judged={})  # 8 points below: they disagree
        published = make_cycle(name=f"Published {n}")
        Cycle.objects.filter(pk=published.pk).update(status=Cycle.Status.PUBLISHED)
    return due, review


@pytest.mark.parametrize("size", [1, 4])
def test_the_dashboard_reads_what_needs_attention_in_a_constant_number_of_queries(
    organizer, django_assert_num_queries, size
):
    due, review = world(size)
    organizer.get(reverse("home"))  # the panel's summary of the cycle under review is then kept
    # 11: the session, the user; the applications of open cycles (count, page's pairs, their rows); the cycles
    # with their panel settings and rubrics; every cycle's counts (one query, compiled once); the pending
    # appeals; the summary's fingerprint (2); the decisions among the applications whose reviewers disagree.
    with django_assert_num_queries(11):
        items = attention(organizer)
    assert (f"Open: {size} drafts are due within 7 days" if size > 1 else "Open: 1 draft is due within 7 days") in [
        text for text, _ in items
    ]
    assert any(text.startswith(f"Review: {size} application") and "fully reviewed" in text for text, _ in items)
    assert any(text.startswith(f"Review: {size} application") and "disagree" in text for text, _ in items)


@pytest.mark.parametrize("size", [1, 4])
def test_the_cycle_page_in_a_constant_number_of_queries(organizer, django_assert_num_queries, size):
    due, review = world(size)
    url = reverse("cycle_detail", args=[review.pk])
    organizer.get(url)
    # 8: the session, the user; the cycle with its panel settings and rubric; the cycles' counts; its pending
    # appeals; the summary's fingerprint (2); the decisions among the applications whose reviewers disagree.
    with django_assert_num_queries(8):
        page = organizer.get(url).content.decode()
    assert f'<th scope="row">Submitted</th><td>{size}</td>' in page
