"""An organizer generates a cycle's reports in Chromium and watches the progress bar fill up.

The tasks are queued in the database backend (the default) and run by the
real ``db_worker``, one task at a time from the test, so each step of the
progress can be seen by the page's polling script (static/reports/batch.js).
"""

import io
import signal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import ReportBatch
from tests.factories import PASSWORD, make_cycle, make_jurisdiction, make_organizer
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import make_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_worker(tasks):
    """Run ``tasks`` queued tasks with the real worker, in this process (its signal handlers restored after)."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker",
            batch=True,
            max_tasks=tasks,
            interval=0,
            startup_delay=False,
            reload=False,
            stdout=io.StringIO(),
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def progress(page):
    return page.eval_on_selector("#batch-progress-bar", "bar => [bar.value, bar.max]")


def test_an_organizer_starts_a_batch_and_watches_it_finish(page, axe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cycle = make_cycle(name="2026–2028")
    for name in ("Alder", "Birch", "Cedar"):
        application = make_submitted(jurisdiction=make_jurisdiction(name=name), cycle=cycle)
        make_review(application, comments=f"Comment for {name}.")
    decide(application)
    organizer = make_organizer()

    page.goto("/login/")
    page.fill("#id_username", organizer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url("**/")
    page.goto(f"/organize/cycles/{cycle.pk}/reports/")
    assert "3 submitted applications" in page.inner_text("main")
    axe(page)

    page.click("button:text('Generate all reports')")
    batch = ReportBatch.objects.get()
    page.wait_for_url(f"**/organize/report-batches/{batch.pk}/")
    assert "Making 3 reports of 2026–2028." in page.inner_text("main")
    assert progress(page) == [0, 3]
    assert page.inner_text("#batch-progress-text") == "0 of 3 reports made"
    axe(page)

    run_worker(1)
    expect(page.locator("#batch-progress-text")).to_have_text("1 of 3 reports made")
    assert progress(page) == [1, 3]

    run_worker(2)
    # The script sees the batch finish and reloads the page with the downloads.
    page.wait_for_selector("text=3 of 3 reports made. Finished.")
    page.wait_for_selector("table >> text=Alder")
    assert progress(page) == [3, 3]
    main = page.inner_text("main")
    assert "Reports that failed" not in main
    assert main.count("Ready") == 3
    axe(page)

    # A report downloads from the list.
    with page.expect_download() as download:
        page.click("a:has-text('PDF of Alder')")
    assert download.value.suggested_filename == "alder-va-2026-2028-designation-report.pdf"
