"""PDF reports: what the application around WeasyPrint costs, and what a second core buys a batch.

1. One report end to end (database → HTML → PDF in the render process → file
   and cache row), next to WeasyPrint alone on the same HTML in this process.
   Goal: at most 1.15×.
2. A batch of reports (100 by default) made by one ``db_worker`` process, next
   to two sharing the queue (both cores). Goal: at most 0.6×. The same two-
   against-one ratio of plain CPU work is printed beside it: the floor this
   machine allows.

Run: make bench (or .venv/bin/python bench/bench_report.py [count]).
Everything happens on a temporary SQLite database and media folder.

Nothing runs at import: the render process (multiprocessing "spawn") imports
this file as ``__mp_main__`` and must not set anything up.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 9


def configure():
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix="bench-report-")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SQLITE_PATH", f"{workdir}/bench.sqlite3")  # the tuned SQLite settings (WAL, timeout)
    os.environ.setdefault("MEDIA_ROOT", f"{workdir}/media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()


def setup(count):
    """A cycle of ``count`` submitted applications, each with two reviews, half of them decided."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from assessment.models import Application, Cycle, Jurisdiction
    from review.models import Assignment, Decision, Review
    from tests.factories import make_reviewer
    from tests.factories.answers import complete_answers
    from tests.factories.reviews import JUDGED

    call_command("migrate", verbosity=0)
    now = timezone.now()
    cycle = Cycle.objects.create(
        name="Bench", opens_at=now, closes_at=now, status="review", valid_from=now.date().replace(month=1, day=1)
    )
    answers = complete_answers()
    jurisdictions = Jurisdiction.objects.bulk_create(
        Jurisdiction(name=f"Bench City {i}", kind="city", state="VA", population=50_000 + 1000 * i)
        for i in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(jurisdiction=j, cycle=cycle, answers=answers, status="submitted", submitted_at=now)
        for j in jurisdictions
    )
    reviewers = [make_reviewer(username=f"bench-reviewer-{n}") for n in range(2)]
    assignments = Assignment.objects.bulk_create(
        Assignment(application=a, reviewer=r) for a in applications for r in reviewers
    )
    Review.objects.bulk_create(
        Review(
            assignment=s,
            status="submitted",
            judged=JUDGED,
            submitted_at=now,
            comments_for_applicant="The callback option cut the average speed of answer; publish the dashboard weekly.",
            private_notes="Not for the applicant.",
        )
        for s in assignments
    )
    Decision.objects.bulk_create(
        Decision(
            application=a,
            outcome="designated",
            level="Designated with Distinction",
            total=Decimal("81"),
            rationale="Bench.",
            snapshot={"judged": JUDGED},
            published_at=now,
        )
        for a in applications[::2]
    )
    return cycle, applications


def forget_reports():
    """Empty the cache, so every report is made again."""
    from reports.models import ReportFile

    for report in ReportFile.objects.all():
        if report.file:
            report.file.delete(save=False)
    ReportFile.objects.all().delete()


def paired(first, second, before_second):
    """Medians of REPEAT runs of each, taken in turns so a shared machine's changing speed hits both alike."""
    times = ([], [])
    for _ in range(REPEAT):
        start = time.perf_counter()
        first()
        times[0].append(time.perf_counter() - start)
        before_second()
        start = time.perf_counter()
        second()
        times[1].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def one_report(application):
    from assessment.models import Application
    from reports import application_report, render

    def end_to_end():
        fresh = Application.objects.select_related("jurisdiction", "cycle").get(pk=application.pk)
        report = application_report.report_file(fresh)
        assert not report.reused and report.pages > 1

    html = application_report.html(application_report.gather(application))
    roots = render.static_roots()
    forget_reports()
    end_to_end()  # warm up: starts the render process
    render.html_to_pdf(html, roots)  # warm up WeasyPrint in this process too
    return paired(lambda: render.html_to_pdf(html, roots), end_to_end, before_second=forget_reports)


def with_workers(cycle, count):
    """Queue the cycle's reports, run ``count`` `manage.py db_worker --batch` processes; seconds until all are made.

    Workers start cold (Django, then their render process), as a deployed worker does once.
    """
    from reports import render, tasks

    render.shutdown_renderers()
    forget_reports()
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--interval", "0"]
    command += ["--no-startup-delay", "--no-reload", "-v", "0"]
    start = time.perf_counter()
    batch = tasks.start_batch(cycle)
    workers = [subprocess.Popen([*command, "--worker-id", f"bench-{n}"], cwd=ROOT) for n in range(count)]
    for worker in workers:
        worker.wait()
    seconds = time.perf_counter() - start
    batch.refresh_from_db()
    assert batch.done == batch.total, tasks.progress(batch)
    return seconds


def _burn(_=None):
    total = 0
    for i in range(20_000_000):
        total += i
    return total


def cpu_ceiling(rounds=3):
    """The machine's own limit: two pure-Python jobs in two processes at once, next to one process doing both.

    0.5× is two real cores; 1.0× is one core's worth, however many the machine reports.
    The best of a few rounds, as a shared machine's speed wanders.
    """
    from concurrent.futures import ProcessPoolExecutor

    def run(workers):
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_burn, range(workers)))  # start the processes
            start = time.perf_counter()
            list(pool.map(_burn, range(2)))
            return time.perf_counter() - start

    one = min(run(1) for _ in range(rounds))
    two = min(run(2) for _ in range(rounds))
    return two / one


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    configure()
    from django.db import connection

    cycle, applications = setup(count)
    alone, full = one_report(applications[0])
    print(f"cores: {os.cpu_count()}  database: {connection.vendor}  reports: {count}")
    print(f"WeasyPrint alone, same HTML:          {alone:7.3f} s")
    print(f"one report end to end:                {full:7.3f} s")
    print(f"ratio:                                {full / alone:7.2f}×   (goal ≤ 1.15×)")
    one = with_workers(cycle, 1)
    two = with_workers(cycle, 2)
    print(f"{count} reports, one worker process:    {one:7.2f} s   ({count / one:.2f} reports/s)")
    print(f"{count} reports, two worker processes:  {two:7.2f} s   ({count / two:.2f} reports/s)")
    print(f"ratio:                                {two / one:7.2f}×   (goal ≤ 0.6×)")
    ceiling = cpu_ceiling()
    print(f"floor of this machine (CPU work, 2 processes vs 1): {ceiling:.2f}×   (0.5× on two real cores)")


if __name__ == "__main__":
    main()
