"""Real Chromium (Debian's package) driven by Playwright, with axe-core checks."""

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which this closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Chromium reports what the Content-Security-Policy blocked on the console:
    # a page that needs an inline script or style fails the test that opened it.
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    yield page
    context.close()
    assert blocked == [], "\n".join(blocked)


class AccessibilityChecker:
    """Runs axe on a page; fails on serious or critical violations."""

    def __init__(self):
        self.axe = Axe()
        self.pages_checked = []

    def __call__(self, page):
        results = self._run(page)
        serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        self.pages_checked.append(page.url)
        assert serious == [], (
            "\n".join(
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in serious
            )
            + f"\non {page.url}"
        )

    def _run(self, page, attempts=3):
        # A click on a link returns before the browser has left the page; axe
        # started in between finds the old document gone. It then checks the
        # page the click led to, once that page has loaded.
        for attempt in range(attempts):
            page.wait_for_load_state("load")
            try:
                return self.axe.run(page)
            except PlaywrightError as error:
                navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
                if not navigated or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")


@pytest.fixture
def axe():
    return AccessibilityChecker()
