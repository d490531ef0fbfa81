"""Browser tests: real Chromium through Playwright (fixtures in conftest.py)."""

from urllib.parse import urlsplit

from tests.factories import PASSWORD


def sign_in(page, user):
    """Sign in through the real page as ``user``, after signing whoever was in out (their cookies go).

    Waits for the home page the sign-in leads to: a refused sign-in stays on /login/ and fails here."""
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def choose(page, name, value):
    """Tick the radio button or box ``name`` = ``value`` through its label (USWDS hides the input behind it)."""
    box = page.locator(f'[name="{name}"][value="{value}"]')
    page.click(f'label[for="{box.get_attribute("id")}"]')


def submit_review(page, axe):
    """Submit the review on the page: "Submit review…" saves the draft and asks; the confirmation submits it."""
    page.click("button:text('Submit review')")
    page.wait_for_selector("text=Submitting cannot be undone.")
    axe(page)
    page.click("button:text('Submit the review')")
    page.wait_for_selector("text=Your review is submitted.")
