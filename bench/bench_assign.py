"""Automatic assignment's solver (review.matching.match) on 1,000 applications × 40 reviewers.

The minimum-cost maximum flow that fills every slot caps and conflicts allow, balances the load and then
prefers reviewers from a place of the applicant's population band. The cycle is made up: two reviewers per
application, a cap of 60, one reviewer in twenty conflicted on any application, some reviewers already
carrying work, a quarter of the pairs preferred. It runs the solver several times and prints the min and
median (wall clock, the CPU time of this process beside it), the slots filled and the spread of the load;
it exits with 1 when the median is over the goal. Plain Python and networkx: no database, no Django.
Run: make bench (or .venv/bin/python bench/bench_assign.py [applications] [reviewers] [rounds]).
"""

import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review.matching import Need, Reviewer, match, shortfalls  # noqa: E402

APPLICATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
REVIEWERS = int(sys.argv[2]) if len(sys.argv) > 2 else 40
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
PER_APPLICATION, CAP = 2, 60
GOAL = 10  # seconds: an organizer waits for the page after pressing "Assign automatically"


def cycle(seed=1):
    """(needs, reviewers, eligible pairs, preference) of a made-up cycle, the same every run."""
    rng = random.Random(seed)
    needs = [Need(i, PER_APPLICATION) for i in range(APPLICATIONS)]
    reviewers = [Reviewer(j, rng.choice([0, 0, 0, 5, 10]), CAP) for j in range(REVIEWERS)]
    band_of_application = {n.id: rng.randrange(4) for n in needs}
    band_of_reviewer = {r.id: rng.randrange(4) for r in reviewers}
    eligible = [(n.id, r.id) for n in needs for r in reviewers if rng.random() >= 0.05]
    preference = {(a, r): 1 for a, r in eligible if band_of_application[a] == band_of_reviewer[r]}
    return needs, reviewers, eligible, preference


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of one run of ``fn``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main():
    needs, reviewers, eligible, preference = cycle()
    runs = [timed(lambda: match(needs, reviewers, eligible, preference)) for _ in range(ROUNDS)]
    walls, cpus, made = [w for w, _, _ in runs], [c for _, c, _ in runs], runs[0][2]
    assert all(result == made for _, _, result in runs), "the solver gave different answers to the same input"
    given = Counter(r for _a, r in made)
    totals = [r.load + given[r.id] for r in reviewers]
    slots = sum(n.slots for n in needs)
    print(f"applications: {APPLICATIONS}  reviewers: {REVIEWERS}  eligible pairs: {len(eligible)}  rounds: {ROUNDS}")
    print(
        f"solve:                   wall min {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s   "
        f"CPU min {min(cpus):6.3f} s  median {statistics.median(cpus):6.3f} s   (goal ≤ {GOAL:g} s)"
    )
    print(f"slots filled:            {len(made)} of {slots}  ({len(shortfalls(needs, made))} applications short)")
    print(f"load after (min–max):    {min(totals)}–{max(totals)}  (cap {CAP})")
    print(f"preferred pairs given:   {sum(1 for pair in made if pair in preference)} of {len(made)}")
    print(f"load average:            {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if statistics.median(walls) > GOAL:
        print(f"OVER the goal of {GOAL:g} s", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
