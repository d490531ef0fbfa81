"""Two tabs, two colleagues, in Chromium: a conflict only when the same step was saved meanwhile."""

import pytest

from assessment import domain
from assessment.models import Application
from tests.browser import sign_in
from tests.factories import make_cycle, make_jurisdiction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answers_of(application):
    return Application.objects.get(pk=application.pk).answers


def test_two_tabs_then_two_colleagues_on_one_step(page, chromium, live_server, axe):
    harbor = make_jurisdiction(name="Harbor City")
    pat = make_user(jurisdiction=harbor, first_name="Pat", last_name="Rivera")
    sam = make_user(jurisdiction=harbor, first_name="Sam", last_name="Okafor")
    application = domain.start_application(harbor, make_cycle(name="2026–2028"), pat)
    steps = f"/applications/{application.pk}/steps"

    # Pat opens two steps in two tabs, then saves both: no conflict, both kept.
    sign_in(page, pat)
    other_tab = page.context.new_page()
    page.goto(f"{steps}/technology/")
    other_tab.goto(f"{steps}/planning/")
    page.fill('[name="technology-crm_product"]', "Salesforce Public Sector, from tab one")
    other_tab.fill('[name="planning-challenges"]', "Staffing the contact center, from tab two")
    page.click("button:text('Save and exit')")
    other_tab.click("button:text('Save and exit')")
    assert "Not saved" not in other_tab.inner_text("main")
    answers = answers_of(application)
    assert answers["technology"]["crm_product"] == "Salesforce Public Sector, from tab one"
    assert answers["planning"]["challenges"] == "Staffing the contact center, from tab two"
    other_tab.close()

    # Sam and Pat open the same step; Sam saves first.
    sams = chromium.new_context(base_url=live_server.url)
    sams_page = sams.new_page()
    sign_in(sams_page, sam)
    sams_page.goto(f"{steps}/technology/")
    page.goto(f"{steps}/technology/")
    sams_page.fill('[name="technology-crm_product"]', "Dynamics 365, Sam's answer")
    sams_page.click("button:text('Save and exit')")
    sams.close()

    page.fill('[name="technology-crm_product"]', "Salesforce, Pat's answer")
    page.click("button:text('Save and continue')")
    main = page.inner_text("main")
    assert "Not saved: Sam Okafor changed this page" in main
    row = page.locator("table.conflict-table tbody tr")
    assert row.count() == 1
    assert row.locator("th").inner_text() == "CRM product"
    assert row.locator("td").nth(0).inner_text() == "Dynamics 365, Sam's answer"
    assert row.locator("td").nth(1).inner_text() == "Salesforce, Pat's answer"
    assert page.input_value('[name="technology-crm_product"]') == "Salesforce, Pat's answer"
    axe(page)

    page.click("button:text('Keep my answers')")
    assert "Saved." in page.inner_text("main")
    assert answers_of(application)["technology"]["crm_product"] == "Salesforce, Pat's answer"
