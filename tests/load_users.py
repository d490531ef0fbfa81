"""Fifty people on one installation at the same time, through the real pages over HTTP.

Applicants sign in, start their jurisdiction's draft and save wizard steps
(pairs of colleagues share a draft and save different steps of the version they both opened: both
saves are kept; a conflict page would be counted apart), reviewers save draft reviews of their assignments, organizers download
the cycle's Excel and CSV exports. Each user makes a fixed number of requests.
Afterwards the database must hold, for every draft and review, the last value
its users were told was saved, and no request may have failed.

Shared by tests/test_load.py (few requests, asserts) and bench/load.py (more
requests, prints the figures). Plain threads and urllib: the load is bounded
and on loopback, so Locust (and gevent) would add nothing.
"""

import csv
import io
import json
import math
import re
import threading
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.load_browser import (
    Browser,
    Recorder,
    csrf_of,
    version_of,
)
from tests.load_seed import (
    CONFLICT,
    FINAL_STATE,
    REVIEW_CONFLICT,
    SERVER_TROUBLE,
    seed,
)

# The users -----------------------------------------------------------------------


class Applicant:
    """Starts the jurisdiction's draft, then saves one step again and again, a counter in one text field."""

    def __init__(self, plan, cycle, pair_barrier=None):
        self.plan = plan
        self.username = plan["username"]
        self.cycle = cycle
        self.pair_barrier = pair_barrier
        self.application = None
        self.url = None
        self.typed = 0
        self.saved = []  # values the user was told were saved, in order
        self.conflicts = 0

    def run(self, browser, budget):
        home = browser.fetch("home", "/")
        if home is None:
            return
        self.together()  # colleagues press Start at the same moment: both must land in the one draft
        form = {"prefill": "no", "csrfmiddlewaretoken": csrf_of(home.text)}
        started = browser.fetch("start", f"/cycles/{self.cycle}/apply/", form, expect=(302,))
        match = started and re.fullmatch(r"/applications/([0-9a-f-]{36})/steps/profile/", started.location)
        if not match:
            browser.recorder.error(self.username, f"Start led to {started and started.location}")
            return
        self.application = match.group(1)
        self.url = f"/applications/{self.application}/steps/{self.plan['step']}/"
        page = browser.fetch("wizard page", self.url)
        self.together()  # both have the same version open, then both save: one of them gets the conflict page
        while page is not None and browser.count < budget:
            if budget - browser.count < 2:  # no room for a save and its redirect: a reload
                page = browser.fetch("wizard page", self.url)
            else:
                page = self.save(browser, page)

    def together(self):
        if self.pair_barrier:
            self.pair_barrier.wait(timeout=120)

    def save(self, browser, page):
        self.typed += 1
        value = f"{self.username} save {self.typed}"
        form = {**self.plan["form"], "version": version_of(page.text), "csrfmiddlewaretoken": csrf_of(page.text)}
        form[self.plan["field"]] = value
        response = browser.fetch("wizard save", self.url, form, expect=(200, 302))
        if response is None:
            return None
        if response.status == 200:
            if CONFLICT not in response.text:
                browser.recorder.error(self.username, f"save answered 200 without a conflict: {response.text[:300]!r}")
                return None
            self.conflicts += 1
            return response  # the conflict page carries the new version: the user saves again from it
        if response.location != self.url:
            browser.recorder.error(self.username, f"save redirected to {response.location}")
            return None
        self.saved.append(value)  # the wizard comes back to the step only once the draft is stored
        page = browser.fetch("wizard page", self.url)
        if page is not None and "Saved." not in page.text:
            browser.recorder.error(self.username, "the page after a save does not say Saved.")
            return None
        return page


class Reviewer:
    """Saves draft reviews of both assignments in turn: a counter in the comments, a judged score."""

    def __init__(self, plan, judged):
        self.username = plan["username"]
        self.reviews = plan["reviews"]
        self.judged = judged
        self.typed = 0
        self.saved = defaultdict(list)  # review pk: (comments, points) the user was told were saved
        self.conflicts = 0

    def run(self, browser, budget):
        pages = {}
        turn = 0
        while browser.count < budget:
            review = self.reviews[turn % len(self.reviews)]
            turn += 1
            url = f"/reviews/{review['pk']}/"
            if pages.get(url) is None or budget - browser.count < 2:
                pages[url] = browser.fetch("review page", url)
            else:
                pages[url] = self.save(browser, url, review["pk"], pages[url])

    def save(self, browser, url, pk, page):
        self.typed += 1
        comments, points = f"{self.username} save {self.typed}", self.typed % (self.judged["points"] + 1)
        form = {
            "version": version_of(page.text),
            "csrfmiddlewaretoken": csrf_of(page.text),
            "action": "save",
            f"judged_{self.judged['code']}": str(points),
            "comments_for_applicant": comments,
            "private_notes": "",
        }
        response = browser.fetch("review save", url, form, expect=(200, 302))
        if response is None:
            return None
        if response.status == 200:  # saved meanwhile in another tab: the comparison, with the new version
            if REVIEW_CONFLICT not in response.text:
                browser.recorder.error(
                    self.username, f"review save answered 200 without a conflict: {response.text[:300]!r}"
                )
                return None
            self.conflicts += 1
            return response
        if response.location != url:
            browser.recorder.error(self.username, f"review save redirected to {response.location}")
            return None
        page = browser.fetch("review page", url)
        if page is None:
            return None
        if "Your review draft is saved." in page.text:
            self.saved[pk].append((comments, points))
        else:
            browser.recorder.error(self.username, "the page after a review save does not say it is saved")
            return None
        return page


class Organizer:
    """Downloads the cycle's four exports in turn, checking each is whole."""

    def __init__(self, username, cycle, applications, designees):
        """``applications``: the fewest and most rows the analysis may have (drafts are being started)."""
        self.username = username
        base = f"/organize/cycles/{cycle}/exports/"
        self.exports = [
            (f"{base}analysis.xlsx", None),
            (f"{base}analysis.csv", applications),
            (f"{base}designees.xlsx", None),
            (f"{base}designees.csv", (designees, designees)),
        ]
        self.downloads = 0

    def run(self, browser, budget):
        while browser.count < budget:
            path, rows = self.exports[browser.count % len(self.exports)]
            excel = path.endswith(".xlsx")
            response = browser.fetch("export xlsx" if excel else "export csv", path)
            if response is None:
                continue
            if excel and not whole_workbook(response.body):
                browser.recorder.error(self.username, f"{path} is not a whole workbook")
            elif not excel and not rows[0] <= data_rows(response.body) <= rows[1]:
                browser.recorder.error(self.username, f"{path} does not have {rows[0]} to {rows[1]} rows")
            else:
                self.downloads += 1


def whole_workbook(body):
    """A workbook is a zip archive: every member must be there, its checksum right."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "xl/workbook.xml" in archive.namelist() and archive.testzip() is None
    except zipfile.BadZipFile:
        return False


def data_rows(body):
    """The rows of a CSV export, header left out."""
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


# The run ------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    users: int
    requests_per_user: int
    workers: int
    threads: int
    applications: int = 0
    think: float = 0.0
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    lost: list = field(default_factory=list)
    saves: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)
    downloads: int = 0
    pairs: int = 0

    @property
    def requests(self):
        return sum(len(times) for times in self.timings.values())

    def report(self):
        """The figures as text: server settings, latency per kind of request, throughput, outcomes."""
        lines = [
            f"{self.database}: {self.users} users, {self.requests_per_user} requests each after signing in, "
            f"{self.applications} more submitted applications in the cycle, {self.think:g} s mean pause per click; "
            f"gunicorn {self.workers} workers x {self.threads} threads",
            f"{'request':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}",
        ]
        for kind, times in sorted(self.timings.items()):
            times = sorted(times)
            lines.append(
                f"{kind:<14}{len(times):>7}{percentile(times, 50) * 1000:>9.0f}"
                f"{percentile(times, 95) * 1000:>9.0f}{times[-1] * 1000:>9.0f}"
            )
        every = sorted(t for times in self.timings.values() for t in times)
        lines += [
            f"{'all':<14}{len(every):>7}{percentile(every, 50) * 1000:>9.0f}"
            f"{percentile(every, 95) * 1000:>9.0f}{every[-1] * 1000:>9.0f}",
            f"{self.requests} requests in {self.seconds:.1f} s: {self.requests / self.seconds:.1f} requests/s",
            f"longest wait: {every[-1]:.2f} s; requests that waited over 5 s: {sum(t > 5 for t in every)}",
            f"saves: {self.saves}; conflict pages: {self.conflicts}; export downloads: {self.downloads}",
            f"errors: {len(self.errors)}; lost saves: {len(self.lost)}",
            *self.errors[:20],
            *self.lost[:20],
        ]
        return "\n".join(lines)


def percentile(ordered, p):
    """Nearest-rank percentile of an ordered list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_load(stack, users=50, requests_per_user=10, workers=4, threads=4, applications=0, think=0.0):
    """Seed a migrated stack (``applications``: that many more submitted applications, bench/seed.py), serve it
    with gunicorn (settings: bench/load.py), run every user at once; the Result. ``think``: each person's mean
    pause before a click, the first one (signing in) included, so arrivals spread over the first pause."""
    plan = seed(stack, users, applications=applications)
    recorder = Recorder()
    barriers = defaultdict(lambda: threading.Barrier(2))
    applicants = [
        Applicant(p, plan["cycle"], barriers[p["pair"]] if p["pair"] is not None else None) for p in plan["applicants"]
    ]
    reviewers = [Reviewer(p, plan["judged"]) for p in plan["reviewers"]]
    rows = (plan["submitted"], plan["submitted"] + plan["drafts"])  # before and after every draft is started
    organizers = [Organizer(u, plan["cycle"], rows, plan["designees"]) for u in plan["organizers"]]
    people = [*applicants, *reviewers, *organizers]
    result = Result(
        stack.kind, len(people), requests_per_user, workers, threads, applications, think, pairs=len(barriers)
    )

    with stack.server(workers=workers, threads=threads) as url:
        server = stack.processes[-1]
        start = threading.Barrier(len(people))

        def live(person):
            browser = Browser(url, person.username, recorder, think=think)
            try:
                start.wait(timeout=120)
                if browser.sign_in(person.username):
                    browser.count = 0  # the fixed number counts the work, not the signing in
                    person.run(browser, requests_per_user)
            except Exception as failure:  # a broken barrier, a parsing slip: an error, never a hang
                recorder.error(person.username, repr(failure))
            finally:
                if getattr(person, "pair_barrier", None):
                    person.pair_barrier.abort()  # a colleague who stopped early must not keep the other waiting

        threads_ = [threading.Thread(target=live, args=(person,), daemon=True) for person in people]
        started = time.perf_counter()
        for thread in threads_:
            thread.start()
        for thread in threads_:
            thread.join()
        result.seconds = time.perf_counter() - started
    log = Path(server.log_path).read_text(errors="replace")
    recorder.errors += [f"server log: {line}" for line in log.splitlines() if any(s in line for s in SERVER_TROUBLE)]

    drafts_of_pair = defaultdict(set)
    for applicant in applicants:
        if applicant.plan["pair"] is not None and applicant.application:
            drafts_of_pair[applicant.plan["pair"]].add(applicant.application)
    recorder.errors += [
        f"colleagues started two drafts: {sorted(pks)}" for pks in drafts_of_pair.values() if len(pks) > 1
    ]

    result.timings = dict(recorder.timings)
    result.errors = recorder.errors
    result.saves = {
        "wizard": sum(len(a.saved) for a in applicants),
        "review": sum(len(s) for r in reviewers for s in r.saved.values()),
    }
    result.conflicts = {"wizard": sum(a.conflicts for a in applicants), "review": sum(r.conflicts for r in reviewers)}
    result.downloads = sum(o.downloads for o in organizers)
    result.lost = lost_saves(stack, plan, applicants, reviewers)
    return result


def lost_saves(stack, plan, applicants, reviewers):
    """Every way the database disagrees with what users were told was saved."""
    drafts = {a.application: plan["first_version"] for a in applicants if a.application}
    reviews = {r["pk"]: r["version"] for p in plan["reviewers"] for r in p["reviews"]}
    spec = {"applications": list(drafts), "reviews": list(reviews)}
    final = stack.run(f"SPEC = {json.dumps(spec)!r}\n" + FINAL_STATE)
    lost = []
    saves_per_draft = defaultdict(int)
    for applicant in applicants:
        if not applicant.application:
            continue  # never started: already an error
        pk, step, name = applicant.application, applicant.plan["step"], applicant.plan["field"]
        saves_per_draft[pk] += len(applicant.saved)
        if not applicant.saved:
            continue
        stored = final["applications"][pk]
        last = applicant.saved[-1]
        if stored["step_data"].get(step, {}).get(name) != [last]:
            lost.append(
                f"{applicant.username}: {name} holds {stored['step_data'].get(step, {}).get(name)}, not {last!r}"
            )
        if stored["answers"].get(step, {}).get(name.removeprefix(f"{step}-")) != last:
            lost.append(f"{applicant.username}: the answers of {step} do not hold {last!r}")
    for pk, first_version in drafts.items():
        stored = final["applications"][pk]["version"]
        if stored != first_version + saves_per_draft[pk]:
            lost.append(f"draft {pk}: version {stored} after {saves_per_draft[pk]} saves from version {first_version}")
    for reviewer in reviewers:
        for review in reviewer.reviews:
            saved = reviewer.saved.get(review["pk"], [])
            stored = final["reviews"][str(review["pk"])]
            if stored["version"] != review["version"] + len(saved) or stored["status"] != "draft":
                lost.append(
                    f"review {review['pk']}: {stored['status']} version {stored['version']} after {len(saved)} saves"
                )
            if saved:
                comments, points = saved[-1]
                if stored["comments"] != comments or stored["judged"] != {plan["judged"]["code"]: points}:
                    lost.append(
                        f"review {review['pk']}: holds {stored['comments']!r} {stored['judged']}, not {comments!r}"
                    )
    return lost
