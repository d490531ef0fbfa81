"""Rescoring a cycle of 10,000 applications, next to only reading the same rows (the floor).

Goal: at most 3× the floor, with a constant number of queries.
Run: make bench (or .venv/bin/python bench/bench_rescore.py [count]).
"""

import os
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="bench-rescore-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.models import Application, Cycle, EvidenceDocument, Jurisdiction  # noqa: E402
from scoring.domain import rescore_cycle  # noqa: E402
from tests.factories.answers import complete_answers  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000


def setup():
    call_command("migrate", verbosity=0)
    now = timezone.now()
    cycle = Cycle.objects.create(name="Bench", opens_at=now, closes_at=now, status="open", valid_from=now.date())
    answers = complete_answers()
    jurisdictions = Jurisdiction.objects.bulk_create(
        Jurisdiction(name=f"Bench {i}", kind="city", state="VA", population=50_000 + i) for i in range(COUNT)
    )
    apps = Application.objects.bulk_create(
        Application(jurisdiction=j, cycle=cycle, answers=answers, status="submitted") for j in jurisdictions
    )
    EvidenceDocument.objects.bulk_create(
        EvidenceDocument(
            application=a, kind="technology_plan", file="x.pdf", original_name="x.pdf", size=1, sha256="0", pages=1
        )
        for a in apps[::2]
    )
    return cycle


def floor(cycle):
    docs = list(EvidenceDocument.objects.filter(application__cycle=cycle).values_list("application_id", "kind"))
    rows = list(Application.objects.filter(cycle=cycle).values_list("pk", "answers").iterator(chunk_size=1000))
    return len(rows) + len(docs)


def timed(fn, repeat=3):
    """The best of ``repeat`` runs, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def main():
    cycle = setup()
    rescore_cycle(cycle)  # warm up
    floor_s = timed(lambda: floor(cycle))
    rescore_s = timed(lambda: rescore_cycle(cycle))
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        rescore_cycle(cycle)
    print(f"applications: {COUNT}  database: {connection.vendor}")
    print(f"floor (read the rows):   {floor_s:7.3f} s")
    print(f"rescore the cycle:       {rescore_s:7.3f} s   ({COUNT / rescore_s:,.0f} applications/s)")
    print(f"ratio:                   {rescore_s / floor_s:7.2f}×   (goal ≤ 3×)")
    print(f"queries:                 {len(captured)}   (rows are read and written in batches; none per application)")


if __name__ == "__main__":
    main()
