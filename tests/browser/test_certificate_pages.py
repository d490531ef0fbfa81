"""The certificates' pages in a browser: the public verification page (valid, unknown, the form with a bad
code) and the organizer's page that withdraws a designation pass axe-core, and read as a person reads them."""

from datetime import date

import pytest

from review import certificates
from tests.browser import sign_in
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer
from tests.factories.decisions import decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_verification_page_reads_well_and_is_accessible(page, axe):
    cycle = make_cycle(name="2026–2028", valid_from=date(2026, 7, 1), signatory_name="Morgan T. Reyes")
    application = make_application(jurisdiction=make_jurisdiction(name="Harbor City"), cycle=cycle, status="submitted")
    certificate = certificates.issue(decide(application, level="Exemplary"))
    page.goto(f"/verify/{certificate.code.lower()}/")
    assert page.inner_text(".usa-alert__heading") == "This certificate is valid"
    assert "Harbor City, VA" in page.inner_text("main") and certificate.number in page.inner_text("h1")
    axe(page)
    page.fill("#id_code", "7KQ2M-X9PDU")
    page.click("button:text('Verify')")
    assert "This is not a certificate code" in page.inner_text("main")
    assert page.input_value("#id_code") == "7KQ2M-X9PDU"
    axe(page)
    page.fill("#id_code", "7kq2m x9pdt")
    page.click("button:text('Verify')")
    assert page.inner_text(".usa-alert__heading") == "No certificate has this code"
    axe(page)


def test_the_withdrawal_page_is_accessible(page, axe):
    cycle = make_cycle(name="2026–2028")
    application = make_application(jurisdiction=make_jurisdiction(name="Harbor City"), cycle=cycle, status="submitted")
    certificates.issue(decide(application, level="Exemplary"))
    sign_in(page, make_organizer())
    page.goto(f"/applications/{application.pk}/")
    page.click("text=Withdraw the designation…")
    assert page.inner_text("h1") == "Withdraw the designation of Harbor City, VA"
    axe(page)
    page.click("button:text('Withdraw the designation')")  # no reason given: the page again, with the error
    assert "Write the reason for withdrawing the designation." in page.inner_text("main")
    axe(page)
