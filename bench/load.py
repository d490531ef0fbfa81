"""The bounded load test: 100 people at once on a realistic installation served by gunicorn, on loopback.

Before the users start, the cycle gets 1,000 submitted applications (bench/seed.py: reviewed by a pool
of reviewers, some decided, with documents, scores and history), so every page and export works on a
cycle of realistic size, not an empty one. Applicants save wizard steps (pairs of colleagues share a draft and save
different steps of the same version, both kept), reviewers save draft reviews, organizers download the exports;
each user makes a fixed number of requests after signing in. Prints latency
per kind of request (p50/p95/max, sign-ins included), throughput, the longest wait, the machine's load
average at the start and the end, and fails (exit 1) on any error or lost save. The users are
tests/load_users.py, shared with tests/test_load.py.

Run: .venv/bin/python bench/load.py [--users 100] [--applications 1000] [--requests-per-user 40]
     [--database sqlite|postgresql] [--workers 4] [--threads 4]
PostgreSQL needs DATABASE_URL (any database on the server: a fresh one is created and dropped).

Server default: 2 gunicorn workers x 4 threads on 2 cores (the README's recommendation). Django's work
is CPU-bound under the GIL, so the processes give the parallelism, one per core; the threads cover
waits on the database (SQLite's write lock, PostgreSQL round trips) and slow clients. With 100 people
on 1,000 applications, 4 x 4 measured the same latency with twice the processes.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.load_users import run_load  # noqa: E402
from tests.stack import Stack  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--applications", type=int, default=1000, help="submitted before the users start")
    parser.add_argument("--requests-per-user", type=int, default=40, help="after signing in (default 40: 4,000 in all)")
    parser.add_argument(
        "--think", type=float, default=2.5, help="a person's mean pause before each click, s (0: no pause)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("--database postgresql needs DATABASE_URL, e.g. postgres://ci:ci@127.0.0.1:5432/postgres")

    folder = tempfile.mkdtemp(prefix="bench-load-")
    stack = Stack(Path(folder) / "stack")
    print("load average at the start (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    try:
        started = time.perf_counter()
        stack.manage("migrate")
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
        result = run_load(
            stack,
            users=args.users,
            requests_per_user=args.requests_per_user,
            workers=args.workers,
            threads=args.threads,
            applications=args.applications,
            think=args.think,
        )
        print(result.report())
        print("load average at the end (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    finally:
        stack.close()
        shutil.rmtree(folder, ignore_errors=True)
    if result.errors or result.lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
