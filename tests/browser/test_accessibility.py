"""Every page each role reaches passes axe-core (no serious or critical violations)."""

from urllib.parse import urlsplit

import pytest

from assessment import domain
from assessment.forms import STEPS
from tests.browser import sign_in
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_pages_are_accessible(page, axe):
    jurisdiction = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=jurisdiction)
    application = domain.start_application(jurisdiction, make_cycle(name="2026–2028"), applicant)
    page.goto("/login/")
    axe(page)
    page.goto("/password-reset/")
    axe(page)
    sign_in(page, applicant)
    axe(page)
    for step, _form in STEPS:
        page.goto(f"/applications/{application.pk}/steps/{step}/")
        axe(page)
    # A step with errors shown.
    page.goto(f"/applications/{application.pk}/steps/performance/")
    page.fill('[name="performance-abandonment_pct"]', "120")
    page.click("button:text('Save and continue')")
    assert "A percentage cannot be above 100." in page.inner_text("main")
    axe(page)
    page.goto(f"/applications/{application.pk}/")
    axe(page)


def test_organizer_pages_are_accessible(page, axe):
    jurisdiction = make_jurisdiction(name="Harbor City")
    cycle = make_cycle(name="2026–2028")
    application = domain.start_application(jurisdiction, cycle, make_user(jurisdiction=jurisdiction))
    sign_in(page, make_organizer())
    for path in [
        "/",
        "/organize/jurisdictions/",
        "/organize/jurisdictions/new/",
        f"/organize/jurisdictions/{jurisdiction.pk}/",
        "/organize/invite/",
        f"/applications/{application.pk}/",
        f"/organize/cycles/{cycle.pk}/panel/",
        f"/organize/applications/{application.pk}/panel/",
        f"/organize/cycles/{cycle.pk}/exports/",
    ]:
        response = page.goto(path)
        # The organizer's page itself, not the sign-in page a refused sign-in or a lost session leads to.
        assert (response.status, urlsplit(page.url).path) == (200, path)
        axe(page)


def test_public_pages_are_accessible(page, axe):
    make_cycle(name="2026–2028")
    page.goto("/designees/")
    assert "/login/" not in page.url
    axe(page)
