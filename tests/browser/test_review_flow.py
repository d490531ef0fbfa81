"""Two reviewers review one application in Chromium, then an organizer decides."""

import pytest

from review.assignment import assign
from review.models import Decision
from tests.browser import choose, sign_in, submit_review
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def review(page, axe, reviewer, scores, comment):
    sign_in(page, reviewer)
    axe(page)
    page.click("a:text('Harbor City')")
    assert "Rule-based scores" in page.inner_text("main")
    axe(page)
    for code, points in scores.items():
        choose(page, f"judged_{code}", points)
    page.fill("#id_comments_for_applicant", comment)
    submit_review(page, axe)
    axe(page)


def test_two_reviewers_review_and_the_organizer_decides(page, axe):
    cycle = make_cycle(name="2026–2028")
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    organizer = make_organizer()
    ada, bo = make_reviewer(username="ada"), make_reviewer(username="bo")
    assign(application, ada, organizer)
    assign(application, bo, organizer)

    review(page, axe, ada, {"D7": 4, "F6": 2, "H3": 3}, "Clear figures throughout.")
    assert "No other review is submitted yet." in page.inner_text("main")
    review(page, axe, bo, {"D7": 2, "F6": 2, "H3": 1}, "Publish open data weekly.")
    # Bo now sees Ada's total beside his own.
    assert "ada" in page.inner_text("main").split("The other reviewers")[1]

    sign_in(page, organizer)
    page.click("a:text('Review panel of 2026–2028')")
    axe(page)
    row = page.locator("tr", has_text="Harbor City")
    assert "2 of 2" in row.inner_text()
    page.click("a:text('Harbor City')")
    axe(page)
    main = page.inner_text("main")
    assert "Combined: 77 of 100" in main
    assert "Suggested: Designated — Designated with Distinction" in main
    # The suggestion is pre-filled; the organizer writes the rationale.
    assert page.is_checked('[name="outcome"][value="designated"]')
    assert page.input_value("#id_decision_level") == "Designated with Distinction"
    page.fill("#id_decision_rationale", "Strong on every category; narratives well evidenced.")
    page.click("button:text('Record the decision')")
    page.wait_for_selector("text=The decision is recorded")
    axe(page)
    decision = Decision.objects.get()
    assert (decision.outcome, decision.level, decision.decided_by) == (
        "designated",
        "Designated with Distinction",
        organizer,
    )
