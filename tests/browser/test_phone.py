"""Every applicant and public page works on a phone 390 px wide: nothing scrolls sideways, the metrics
step's fields are wide enough to use, and axe-core passes."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessment import domain
from assessment.evidence import store_document
from assessment.forms import STEPS
from assessment.invitations import invitation_token_generator
from review.models import settings_for
from tests.browser import sign_in
from tests.factories import make_cycle, make_jurisdiction, make_user, pdf_bytes
from tests.factories.answers import COMPLETE, wizard_state
from tests.factories.applications import make_submitted, submitted
from tests.factories.decisions import decide
from tests.factories.reviews import make_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
USABLE_FIELD = 200  # px: a select this wide shows the metric's name, not its first letter
LONG_NAME = "Technology plan 2025–2027, contact center, CRM and 311 integration roadmap (final).pdf"
LONG_COMMENT = (
    "Clear figures, but the dashboard lacks abandonment per channel: "
    "https://www.harbor-city.example.gov/performance/contact-center/dashboards/2025/annual-report-final.pdf"
)

# What sticks out past the right edge of the window: the page's own width, then each visible element and
# each piece of text whose box ends beyond it. Whatever is inside an element that scrolls sideways on
# purpose (overflow-x auto or scroll, as a wide table in its own container) is left out.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrollsInside = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const shown = (el) => getComputedStyle(el).visibility !== "hidden";
  const name = (el) => `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ""}>`;
  const start = (text) => (text || "").trim().replace(/\\s+/g, " ").slice(0, 40);
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.right > width + 0.5 && shown(el) && !scrollsInside(el)) {
      found.push(`${name(el)} right edge ${Math.round(box.right)} px: "${start(el.innerText)}"`);
    }
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    if (!text.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const box = range.getBoundingClientRect();
    const el = text.parentElement;
    if (box.width && box.right > width + 0.5 && shown(el) && !scrollsInside(el)) {
      found.push(`text in ${name(el)} right edge ${Math.round(box.right)} px: "${start(text.textContent)}"`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, found};
}"""

# The metrics step's selects and text inputs, with their width.
METRIC_FIELDS = """() => [...document.querySelectorAll(".metric-table select, .metric-table input:not([type=hidden])")]
  .map((el) => ({name: el.name, width: el.getBoundingClientRect().width}))"""


def assert_fits(page):
    """Nothing on the page reaches past the window's right edge (the message names what does)."""
    seen = page.evaluate(OVERFLOW)
    assert seen["scrollWidth"] <= seen["width"] and seen["found"] == [], (
        f"{page.url} is {seen['scrollWidth']} px wide in a {seen['width']} px window; sticking out:\n  "
        + "\n  ".join(seen["found"][:15])
    )


def check(page, axe, path=None, status=200):
    """Open ``path`` (or stay on the page shown), then: it fits the phone and axe passes."""
    if path is not None:
        response = page.goto(path)
        assert response.status == status, f"{path}: {response.status}"
    assert_fits(page)
    axe(page)


def link(route, user, generator):
    return reverse(route, args=[urlsafe_base64_encode(force_bytes(user.pk)), generator.make_token(user)])


def test_public_pages_fit_a_phone(page, axe):
    page.set_viewport_size(PHONE)
    cycle = make_cycle(name="2026–2028")
    for name in ["City and County of San Francisco", "Consolidated Government of Columbus and Muscogee County"]:
        decide(make_submitted(make_jurisdiction(name=name, population=800_000), cycle), level="Exemplary")
    alice = make_user(jurisdiction=make_jurisdiction(name="Harbor City"))
    invited = make_user(jurisdiction=alice.jurisdiction)

    check(page, axe, "/login/")
    check(page, axe, "/password-reset/")
    check(page, axe, "/password-reset/sent/")
    page.goto(link("password_reset_confirm", alice, default_token_generator))
    assert page.locator("#id_new_password1").is_visible()
    check(page, axe)
    check(page, axe, "/password-reset/done/")
    page.goto(link("accept_invitation", invited, invitation_token_generator))
    assert page.locator("#id_new_password1").is_visible()
    check(page, axe)
    check(page, axe, "/designees/")
    assert "Consolidated Government of Columbus and Muscogee County" in page.inner_text("main")


def test_applicant_pages_and_every_wizard_step_fit_a_phone(page, axe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jurisdiction = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=jurisdiction, first_name="Alexandra", last_name="Montgomery-Whitfield")
    application = domain.start_application(jurisdiction, make_cycle(name="2026–2028"), applicant)
    application = domain.save_draft(application, wizard_state(COMPLETE), applicant, application.version)
    document = SimpleUploadedFile(LONG_NAME, pdf_bytes(pages=2), content_type="application/pdf")
    store_document(application, "technology_plan", document, None, applicant)
    page.set_viewport_size(PHONE)
    sign_in(page, applicant)

    check(page, axe)  # the dashboard
    for step, _form in STEPS:
        check(page, axe, f"/applications/{application.pk}/steps/{step}/")
        if step == "metrics":
            fields = page.evaluate(METRIC_FIELDS)
            assert len(fields) >= 5 * len(COMPLETE["metrics"])
            narrow = [f for f in fields if f["width"] < USABLE_FIELD]
            assert narrow == [], f"fields narrower than {USABLE_FIELD} px: {narrow[:5]}"
        if step == "evidence":
            assert LONG_NAME in page.inner_text("main")
    # A step shown again with its errors.
    page.goto(f"/applications/{application.pk}/steps/performance/")
    page.fill('[name="performance-abandonment_pct"]', "120")
    page.click("button:text('Save and continue')")
    page.wait_for_selector("text=A percentage cannot be above 100.")
    check(page, axe)
    check(page, axe, f"/applications/{application.pk}/")
    check(page, axe, "/organize/jurisdictions/", status=403)
    check(page, axe, f"/applications/{uuid.uuid4()}/", status=404)


def test_a_published_decision_with_comments_and_the_appeal_form_fits_a_phone(page, axe):
    cycle = make_cycle(name="2026–2028")
    application = submitted(make_jurisdiction(name="Harbor City"), cycle)
    make_review(application, comments=LONG_COMMENT)
    make_review(application, comments="Keep going.")
    decide(application, level="Exemplary", rationale="Strong on every category.\nThe workforce plan stands out.")
    config = settings_for(cycle)
    config.appeal_deadline = timezone.now() + timedelta(days=14)
    config.save()
    page.set_viewport_size(PHONE)
    sign_in(page, application.submitted_by)

    check(page, axe)  # the dashboard, which leads with the decision
    check(page, axe, f"/applications/{application.pk}/")
    main = page.inner_text("main")
    assert "Designated — Exemplary" in main
    assert LONG_COMMENT in main
    assert page.locator("button:text('File the appeal')").is_visible()
