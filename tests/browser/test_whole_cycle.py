"""A whole cycle in the product's own pages, in Chromium, with axe on every page: an organizer creates the
cycle and tunes its rubric, jurisdictions submit, the organizer closes it and assigns reviewers automatically,
two reviewers review, the organizer decides by threshold, marks the cycle decided and publishes, each
irreversible step after its confirmation page."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from assessment.models import Cycle
from review.models import Decision, Review
from scoring.models import Rubric
from tests.browser import choose, sign_in, submit_review
from tests.factories import make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACES = ["Harbor City", "Cedar Falls"]


def moment(when):
    """A time as the form's date-and-time box takes it, on the new cycle's clock (the default zone)."""
    return when.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


def go(page, axe, text):
    """Follow the link or button-styled link whose words are ``text``, then check the page with axe."""
    page.click(f"main a:text-is('{text}')")
    axe(page)


def confirm(page, axe, button, said):
    """On a confirmation page: check it, press its button, wait for what the next page says."""
    axe(page)
    page.click(f"main button:text-is('{button}')")
    page.wait_for_selector(f"text={said}")
    axe(page)


def review_everything(page, axe, reviewer, scores):
    sign_in(page, reviewer)
    axe(page)
    for place in PLACES:
        page.click(f"main a:has-text('{place}')")
        axe(page)
        for code, points in scores.items():
            choose(page, f"judged_{code}", points)
        page.fill("#id_comments_for_applicant", f"Comments of {reviewer.username} for {place}.")
        submit_review(page, axe)
        axe(page)
        page.goto("/")


def test_an_organizer_runs_a_whole_cycle_in_the_products_pages(page, axe):
    organizer = make_organizer(username="org")
    now = timezone.now()

    # Create the cycle.
    sign_in(page, organizer)
    axe(page)
    go(page, axe, "New cycle")
    page.fill("#id_name", "2028–2030")
    page.fill("#id_opens_at", moment(now - timedelta(hours=2)))
    page.fill("#id_closes_at", moment(now + timedelta(days=30)))
    page.fill("#id_valid_from", "2029-01-01")
    page.click("button:text('Create the cycle')")
    page.wait_for_selector("h1:text('Cycle 2028–2030')")
    axe(page)
    cycle = Cycle.objects.get(name="2028–2030")
    assert cycle.status == Cycle.Status.UPCOMING and cycle.valid_until.isoformat() == "2031-01-01"

    # Tune its rubric before anyone submits.
    go(page, axe, "Rubric")
    go(page, axe, "Change the threshold, share and levels")
    page.fill("#id_threshold", "55")
    page.click("button:text('Save the threshold and levels')")
    page.wait_for_url(f"**/organize/cycles/{cycle.pk}/rubric/")
    axe(page)
    rubric = Rubric.objects.get(cycle=cycle)
    assert rubric.threshold == 55 and rubric.version > 1

    # Open it; jurisdictions submit (the first submission freezes the rubric).
    page.goto(f"/organize/cycles/{cycle.pk}/")
    go(page, axe, "Open the cycle…")
    confirm(page, axe, "Open the cycle", "Applications close on")
    for place in PLACES:
        submitted(make_jurisdiction(name=place), Cycle.objects.get(pk=cycle.pk))
    page.goto(f"/organize/cycles/{cycle.pk}/rubric/")
    axe(page)
    assert "is frozen: an application was submitted" in page.inner_text("main")
    assert page.locator("main a:text('Change the threshold, share and levels')").count() == 0

    # The deadline comes forward to now, then the cycle is closed for review.
    page.goto(f"/organize/cycles/{cycle.pk}/")
    go(page, axe, "Edit the settings")
    page.fill("#id_closes_at", moment(timezone.now() - timedelta(minutes=1)))
    page.click("button:text('Save the settings')")
    page.wait_for_selector("h1:text('Cycle 2028–2030')")
    go(page, axe, "Close for review…")
    confirm(page, axe, "Close for review", "2 submitted applications need reviewers.")

    # Automatic assignment fills every slot.
    ada, bo = make_reviewer(username="ada"), make_reviewer(username="bo")
    go(page, axe, "Assign reviewers")
    page.click("button:text('Assign reviewers automatically')")
    page.wait_for_selector("text=4 assignments made.")
    axe(page)

    review_everything(page, axe, ada, {"D7": 4, "F6": 4, "H3": 3})
    review_everything(page, axe, bo, {"D7": 2, "F6": 2, "H3": 2})
    assert Review.objects.filter(status=Review.Status.SUBMITTED).count() == 4

    # Decide by threshold, mark the cycle decided, publish.
    sign_in(page, organizer)
    page.goto(f"/organize/cycles/{cycle.pk}/")
    axe(page)
    assert "2 applications are fully reviewed and waiting for a decision." in page.inner_text("main")
    go(page, axe, "Record decisions")
    go(page, axe, "Decide all reviewed by threshold…")
    confirm(page, axe, "Record 2 decisions", "2 decided by threshold; 0 not fully reviewed yet.")
    page.goto(f"/organize/cycles/{cycle.pk}/")
    go(page, axe, "Mark the cycle decided…")
    confirm(page, axe, "Mark decided", "2 decisions are ready to be published.")
    assert Decision.objects.filter(published_at__isnull=False).count() == 0
    go(page, axe, "Publish designees…")
    confirm(page, axe, "Publish 2 decisions", "2 decisions are published")
    assert Decision.objects.filter(published_at__isnull=False).count() == 2
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED
    page.goto(f"/organize/cycles/{cycle.pk}/")
    axe(page)
    assert "The designees are published: 2 decisions in all." in page.inner_text("main")
    assert len(axe.pages_checked) >= 25
