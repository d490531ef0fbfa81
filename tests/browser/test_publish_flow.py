"""An organizer decides by threshold and publishes, each after a confirmation page; an appeal changes a decision."""

from datetime import timedelta

import pytest
from django.utils import timezone

from review.appeals import file_appeal
from review.assignment import assign
from review.models import Appeal, Decision, settings_for
from review.queries import current_decision
from review.reviewing import save_review
from tests.browser import sign_in
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted
from tests.factories.reviews import FULL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_decide_by_threshold_publish_and_change_a_decision_on_appeal(page, axe):
    cycle = make_cycle(name="2026–2028")
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    applicant = application.jurisdiction.staff.get()
    organizer = make_organizer(username="org")
    reviewer = make_reviewer(username="ada")
    config = settings_for(cycle)
    config.reviewers_per_application = 1
    config.save()
    review = assign(application, reviewer, organizer).review
    save_review(review, reviewer, review.version, FULL, {}, "Clear figures.", "", submit=True)

    sign_in(page, organizer)
    page.click("a:text('Review panel of 2026–2028')")
    page.click("a:text('Decide all reviewed by threshold…')")
    axe(page)
    assert "1 application will be decided: 1 designated and 0 not designated." in page.inner_text("main")
    page.click("button:text('Record 1 decision')")
    page.wait_for_selector("text=1 decided by threshold; 0 not fully reviewed yet.")

    # The deadline is ahead: the confirmation page says so and has no button.
    page.click("a:text('Publish decisions…')")
    axe(page)
    assert "The cycle is still open: the deadline is" in page.inner_text("main")
    assert page.locator("button:text('Publish')").count() == 0
    cycle.closes_at = timezone.now() - timedelta(minutes=1)
    cycle.save()
    page.reload()
    axe(page)
    assert "make 1 designee public" in page.inner_text("main")
    page.click("button:text('Publish 1 decision')")
    page.wait_for_selector("text=1 decision is published; 1 designee is now public")
    assert Decision.objects.get().published_at is not None

    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    file_appeal(application, "Our CSAT is 91 %.", applicant)
    page.goto("/")
    axe(page)
    page.click("a:text('Uphold or change the decision')")
    axe(page)
    page.select_option("#id_appeal_outcome", "changed")
    page.click('label[for="id_appeal_designated"]')  # USWDS hides the box itself behind its label
    page.select_option("#id_appeal_level", "Exemplary")
    page.fill("#id_appeal_notes", "New CSAT evidence.")
    page.click("button:text('Record the outcome')")
    page.wait_for_selector(
        "text=The appeal is decided: the decision is changed to Designated — Exemplary, and the new decision is published."
    )
    axe(page)
    assert Appeal.objects.get().outcome == Appeal.Outcome.CHANGED
    assert current_decision(application).level == "Exemplary"
