"""A demo applicant completes every step in Chromium, leaves, comes back and submits."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from pypdf import PdfWriter

from assessment.forms import STEPS
from assessment.models import Application
from tests.factories.answers import COMPLETE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-2026"


def a_pdf(path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page, axe, username):
    page.goto("/")
    assert "/login/" in page.url
    axe(page)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url("**/")


def set_box(page, box, checked):
    """USWDS draws its own radios and check boxes: click the label, as a person does."""
    if box.is_checked() != checked:
        page.click(f'label[for="{box.get_attribute("id")}"]')


def fill_step(page, step):
    values = COMPLETE[step]
    if step == "metrics":
        for index, row in enumerate(values):
            for key, value in row.items():
                selector = f'[name="metrics-{index}-{key}"]'
                if key == "kind":
                    page.select_option(selector, value)
                else:
                    page.fill(selector, value)
        return
    for field, value in values.items():
        name = f"{step}-{field}"
        inputs = page.locator(f'[name="{name}"]')
        kind = inputs.first.get_attribute("type")
        if isinstance(value, list):
            for box in inputs.all():
                set_box(page, box, box.get_attribute("value") in value)
        elif kind == "radio":
            set_box(page, page.locator(f'[name="{name}"][value="{value}"]'), True)
        elif kind == "checkbox":
            set_box(page, inputs.first, True)
        elif inputs.first.evaluate("e => e.tagName") == "SELECT":
            page.select_option(f'[name="{name}"]', value)
        else:
            inputs.first.fill(value)


def test_demo_applicant_applies_leaves_returns_and_submits(page, axe, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO = True
    call_command("load_demo", verbosity=0)
    application = Application.objects.get(jurisdiction__name="Demo: Harbor City", cycle__status="open")
    assert application.is_draft

    sign_in(page, axe, "applicant")
    axe(page)
    page.click("a.usa-button:text('Continue')")
    page.goto(f"/applications/{application.pk}/steps/profile/")

    for step, _form in STEPS[:-1]:
        assert page.url.endswith(f"/steps/{step}/"), page.url
        fill_step(page, step)
        if step == "evidence":
            page.select_option("#id_kind", "technology_plan")
            page.set_input_files("#id_file", str(a_pdf(tmp_path / "Technology plan 2025.pdf")))
            page.click("button:text('Upload')")
            page.wait_for_selector("a:text('Technology plan 2025.pdf')")
            axe(page)
            fill_step(page, step)
        axe(page)
        if step == "workforce":
            # Leave in the middle: save and exit, sign out, come back.
            page.click("button:text('Save and exit')")
            page.wait_for_url("**/")
            assert "are saved" in page.inner_text("main")
            page.click("button:text('Sign out')")
            page.wait_for_url("**/login/")
            sign_in(page, axe, "applicant")
            page.click("a.usa-button:text('Continue')")
            assert page.url.endswith("/steps/workforce/")
            assert page.input_value('[name="workforce-training_hours"]') == "40"
            assert page.is_checked('[name="workforce-remote_call_takers"][value="yes"]')
        page.click("button:text('Save and continue')")
        page.wait_for_load_state()

    assert page.url.endswith("/steps/review/")
    assert "Every required answer is there." in page.inner_text("main"), page.inner_text("main")[:3000]
    # Where they stand: an estimate by rule, with what would raise it.
    standing = page.inner_text("section.standing")
    assert "Where you stand" in standing and "estimate" in standing
    assert "Changes that would raise your score most" in standing
    page.click("section.standing summary")
    assert "A1 Channels that take service requests" in page.inner_text("section.standing details")
    fill_step(page, "review")
    axe(page)
    page.click("button:text('Submit application')")
    page.wait_for_url(f"**/applications/{application.pk}/")
    main = page.inner_text("main")
    assert "Your application has been submitted." in main
    assert "This is what was submitted; it can no longer be changed." in main
    assert "Technology plan 2025.pdf" in main
    axe(page)

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    receipts = [m for m in mail.outbox if m.subject.startswith("Received: Demo: Harbor City")]
    assert {m.to[0] for m in receipts} >= {"applicant@demo.example"}
