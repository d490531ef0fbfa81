"""Exporting a cycle of 10,000 applications to Excel, next to bare openpyxl writing the same cells (the floor).

Goals: the analysis export at most 1.3× the floor; peak memory (tracemalloc)
for 10,000 applications within 1.5× of that for 1,000 (memory stays flat:
rows stream from the database into a write-only workbook).
Run: make bench (or .venv/bin/python bench/bench_export.py [count]).
"""

import atexit
import os
import shutil
import sys
import tempfile
import timeit
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="bench-export-")
atexit.register(shutil.rmtree, workdir, ignore_errors=True)
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from assessment.models import Application, Cycle, Jurisdiction  # noqa: E402
from reports.export_tables import analysis_table, designee_table  # noqa: E402
from reports.exports import local_naive, write_xlsx  # noqa: E402
from review.models import Decision  # noqa: E402
from scoring.domain import rescore_cycle  # noqa: E402
from tests.factories.answers import complete_answers  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SMALL = max(COUNT // 10, 1)
SNAPSHOT = {
    "rubric_version": 1,
    "categories": {"A": 14, "B": 9, "C": 13, "D": 17, "E": 8, "F": 12, "G": 6, "H": 5},
    "prerequisites": {"P1": True, "P2": True, "P3": True, "P4": True, "P5": True},
}


def answers():
    return complete_answers()


def make_cycle(name, count, answers):
    """A cycle of ``count`` submitted, scored applications; every other one designated and published."""
    now = timezone.now()
    cycle = Cycle.objects.create(name=name, opens_at=now, closes_at=now, status="review", valid_from=now.date())
    jurisdictions = Jurisdiction.objects.bulk_create(
        Jurisdiction(name=f"{name} City {i}", kind="city", state="VA", population=20_000 + i * 97) for i in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(
            jurisdiction=j,
            cycle=cycle,
            status="submitted",
            submitted_at=now,
            answers={**answers, "profile": {**answers["profile"], "contact_email": f"contact{i}@example.gov"}},
        )
        for i, j in enumerate(jurisdictions)
    )
    rescore_cycle(cycle)
    Decision.objects.bulk_create(
        Decision(
            application=a,
            outcome="designated",
            level="Designated",
            total=72,
            rationale="Bench",
            snapshot=SNAPSHOT,
            published_at=now,
        )
        for a in applications[::2]
    )
    return cycle


def export(table_of, cycle, path):
    write_xlsx(path, [table_of(cycle)])


def floor_cells(table_of, cycle):
    """The cells the export writes, computed beforehand, in the form bare openpyxl accepts."""
    table = table_of(cycle)
    headers = [c.header for c in table.columns]
    rows = [[local_naive(v) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row] for row in table.rows]
    return headers, rows


def bare_openpyxl(headers, rows, path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Applications")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def timed(fn, repeat=3):
    """The best of ``repeat`` runs, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def peak_memory(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    call_command("migrate", verbosity=0)
    data = answers()
    big = make_cycle("Big", COUNT, data)
    small = make_cycle("Small", SMALL, data)
    path = Path(workdir) / "export.xlsx"
    export(analysis_table, small, path)  # warm up: imports, caches

    print(f"applications: {COUNT}  database: {connection.vendor}")
    for label, table_of in (("analysis", analysis_table), ("designees", designee_table)):
        headers, rows = floor_cells(table_of, big)
        cells = len(headers) * (len(rows) + 1)
        floor_s = timed(lambda headers=headers, rows=rows: bare_openpyxl(headers, rows, path))
        export_s = timed(lambda table_of=table_of: export(table_of, big, path))
        size = path.stat().st_size
        print(f"-- {label}: {len(rows):,} rows × {len(headers)} columns = {cells:,} cells, {size / 1e6:.1f} MB")
        print(f"   bare openpyxl (floor):   {floor_s:7.3f} s")
        print(f"   export:                  {export_s:7.3f} s   ({len(rows) / export_s:,.0f} rows/s)")
        print(f"   ratio:                   {export_s / floor_s:7.2f}×   (goal ≤ 1.3×)")
        del headers, rows

    small_peak = peak_memory(lambda: export(analysis_table, small, path))
    big_peak = peak_memory(lambda: export(analysis_table, big, path))
    print("-- peak memory of the analysis export (tracemalloc)")
    print(f"   {SMALL:>6,} applications:    {small_peak / 1e6:7.2f} MB")
    print(f"   {COUNT:>6,} applications:    {big_peak / 1e6:7.2f} MB")
    print(f"   ratio:                   {big_peak / small_peak:7.2f}×   (goal ≤ 1.5×)")


if __name__ == "__main__":
    main()
