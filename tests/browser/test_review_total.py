"""The reviewer's running total follows what they choose, in Chromium, and the page passes axe on a wide
screen and on a phone."""

import pytest

from review.assignment import assign
from tests.browser import choose, sign_in
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def totals(page):
    return page.locator("[data-review-total]").all_inner_texts()


def test_choosing_an_anchor_and_adjusting_update_the_total_live(page, axe):
    application = submitted(make_jurisdiction(name="Harbor City"), make_cycle(name="2026–2028"))
    reviewer = make_reviewer(username="ada")
    review = assign(application, reviewer, make_organizer()).review
    sign_in(page, reviewer)
    page.goto(f"/reviews/{review.pk}/")
    start = "Your total: 70 of 100 (rule 70 + judged 0, adjustments 0)"
    assert totals(page) == [start, start]

    choose(page, "judged_D7", 4)
    choose(page, "judged_F6", 3)
    assert totals(page)[0] == "Your total: 77 of 100 (rule 70 + judged 7, adjustments 0)"
    choose(page, "judged_F6", 1)  # another anchor replaces the first
    assert totals(page)[1] == "Your total: 75 of 100 (rule 70 + judged 5, adjustments 0)"

    page.click("#rule-A summary")
    page.fill("#id_adjust_A1", "4.5")
    assert totals(page)[0] == "Your total: 73.5 of 100 (rule 70 + judged 5, adjustments −1.5)"
    page.fill("#id_adjust_A1", "60")  # more than A1 can earn: left out, as the server leaves it out
    assert totals(page)[0] == "Your total: 75 of 100 (rule 70 + judged 5, adjustments 0)"
    page.fill("#id_adjust_A1", "4.5")
    page.fill("#id_reason_A1", "Web chat is a pilot only.")

    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        axe(page)
    # Saved, the page the server writes adds up the same.
    page.click("button:text('Save draft')")
    page.wait_for_selector("text=Your review draft is saved.")
    assert totals(page)[0] == "Your total: 73.5 of 100 (rule 70 + judged 5, adjustments −1.5)"
    assert page.locator("#rule-A").get_attribute("open") is not None  # adjusted: open
    for size in (PHONE, WIDE):
        page.set_viewport_size(size)
        axe(page)
