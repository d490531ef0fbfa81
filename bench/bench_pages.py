"""The product's main pages and a wizard save against a bare signed-in Django view, on the same server.

For each size (submitted applications per cycle; bench/seed.py builds the installation) one gunicorn
worker with one thread serves the project with DEBUG off, beside a bare view that loads the session and
the user (bench/urls.py: everything else identical, middleware, sessions, database). For each page, batches
of sequential requests alternate with batches of the bare view, signed in as the same person (bare, page,
bare, page, ...); the worker's CPU time (utime + stime from /proc) over a batch, divided by its requests,
is the figure. Prints min and median CPU ms per request, the ratio of the medians to the bare view's, and
the goal (5x for pages, 8x for the save), OK or OVER; exits 1 when a page is over its bound or answers
anything but what it should (a non-200 page fails at once, with its body).

Run: .venv/bin/python bench/bench_pages.py [--sizes 100,5000] [--rounds 5] [--database sqlite|postgresql]
PostgreSQL needs DATABASE_URL (any database on the server: a fresh one is created and dropped).
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stack import GUNICORN, Stack, free_port  # noqa: E402

SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-pages-only-" + "k7Qz" * 11,  # 61 characters, as production asks
    "SECURE_SSL_REDIRECT": "0",  # plain http on loopback; the secure cookies are sent back by our client
    "ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}
BARE = "/bench/bare/"
PAGE_BOUND, SAVE_BOUND = 5.0, 8.0
BATCH_SECONDS = 0.5  # each batch lasts about this long: the CPU counters tick every 10 ms
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Page:
    label: str
    who: str  # "applicant", "organizer", "reviewer", or "" (not signed in)
    path: str
    form: dict = None  # a POST (the wizard save)
    bound: float = PAGE_BOUND
    size: int = 0
    status: int = 0
    page_ms: list = field(default_factory=list)
    bare_ms: list = field(default_factory=list)

    @property
    def ratio(self):
        return statistics.median(self.page_ms) / statistics.median(self.bare_ms)


def pages_of(plan):
    draft, cycle = plan["draft"], plan["cycle"]
    return [
        Page("applicant dashboard", "applicant", "/"),
        Page("application detail", "applicant", f"/applications/{plan['submitted']}/"),
        Page("wizard step GET channels", "applicant", f"/applications/{draft}/steps/channels/"),
        Page("wizard step GET review", "applicant", f"/applications/{draft}/steps/review/"),
        Page(
            "wizard save (channels)",
            "applicant",
            f"/applications/{draft}/steps/channels/",
            plan["save_form"],
            SAVE_BOUND,
        ),
        Page("organizer dashboard", "organizer", "/"),
        Page("cycle panel", "organizer", f"/organize/cycles/{cycle}/panel/"),
        Page("application panel", "organizer", f"/organize/applications/{plan['panel_application']}/panel/"),
        Page("exports page", "organizer", f"/organize/cycles/{cycle}/exports/"),
        Page("reviewer home", "reviewer", "/"),
        Page("review page", "reviewer", f"/reviews/{plan['review']}/"),
        Page("public designees", "", "/designees/"),
    ]


class Client:
    """One person's browser: plain http.client, cookies kept by hand (the server marks them Secure)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, path, form=None):
        """(status, Location, body)."""
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            connection.request("POST" if form is not None else "GET", path, body, headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] in ("0", 0):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content

    def sign_in(self, username, password):
        status, _, page = self.request("/login/")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf_of(page)}
        status, location, page = self.request("/login/", form)
        if status != 302 or location != "/":
            sys.exit(f"FAILED: could not sign in as {username}: {status} {location}\n{page[:2000].decode()}")


def csrf_of(html):
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1).decode() if match else ""


def version_of(html):
    match = re.search(rb'name="version" value="(\d+)"', html)
    if not match:
        sys.exit("FAILED: the wizard step has no version field")
    return int(match.group(1))


def cpu_seconds(pids):
    """User and system CPU time of the processes so far (fields 14 and 15 of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def workers_of(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if not children:
        sys.exit("FAILED: gunicorn has no worker")
    return [int(pid) for pid in children]


class Bench:
    """The server's worker and a client per person; runs and checks batches of one page."""

    def __init__(self, port, workers, plan):
        self.workers = workers
        self.plan = plan
        self.clients = {"": Client(port)}
        for role, username in plan["users"].items():
            self.clients[role] = Client(port)
            self.clients[role].sign_in(username, plan["password"])
        self.version, self.csrf = None, ""

    def once(self, page):
        """One request of the page, checked: its body."""
        client = self.clients[page.who]
        if page.form is None:
            status, location, body = client.request(page.path)
            if status != 200:
                sys.exit(f"FAILED: {page.label} {page.path} answered {status} {location}\n{body[:3000].decode()}")
            return body
        if self.version is None:  # the draft's version, from the step's page; each save then raises it by one
            _, _, html = client.request(page.path)
            self.version, self.csrf = version_of(html), csrf_of(html)
        form = {**page.form, "version": self.version, "csrfmiddlewaretoken": self.csrf}
        status, location, body = client.request(page.path, form)
        if status != 302 or location != page.path:
            sys.exit(f"FAILED: the wizard save answered {status} {location} (not saved)\n{body[:3000].decode()}")
        self.version += 1
        client.cookies.pop("messages", None)  # "Saved.", shown by the next page view, which is not measured
        return body

    def batch(self, page, count, path=None):
        """CPU ms per request of ``count`` requests (of the bare view, as the page's person, with ``path``)."""
        target = Page(page.label, page.who or "applicant", path) if path else page
        before = cpu_seconds(self.workers)
        for _ in range(count):
            self.once(target)
        return (cpu_seconds(self.workers) - before) * 1000 / count

    def measure(self, page, rounds):
        body = self.once(page)
        page.size, page.status = len(body), 302 if page.form else 200
        self.once(Page("bare", page.who or "applicant", BARE))
        started = time.perf_counter()
        self.once(page)
        seconds = time.perf_counter() - started
        count = max(2, min(80, round(BATCH_SECONDS / seconds)))
        started = time.perf_counter()
        self.once(Page("bare", page.who or "applicant", BARE))
        bare_count = max(10, min(150, round(BATCH_SECONDS / (time.perf_counter() - started))))
        rounds = rounds if seconds < 2 else min(rounds, 3)  # a page of seconds: fewer rounds, same pairing
        for _ in range(rounds):
            page.bare_ms.append(self.batch(page, bare_count, BARE))
            page.page_ms.append(self.batch(page, count))
        page.bare_ms.append(self.batch(page, bare_count, BARE))


def collect_static(stack, static_root):
    env = {**SERVER_ENV, "BENCH_STATIC_ROOT": str(static_root)}
    stack.manage("collectstatic", "--noinput", "--verbosity=0", env=env, timeout=600)


def run_size(folder, size, rounds, static_root):
    stack = Stack(folder / f"size-{size}")
    try:
        started = time.perf_counter()
        stack.manage("migrate")
        plan = stack.run(f"from bench.seed import build\nemit(build({size}))", timeout=900)
        print(
            f"\n{size} applications a cycle ({stack.kind}): seeded in {time.perf_counter() - started:.0f} s", flush=True
        )
        if not static_root.exists():
            collect_static(stack, static_root)
        port = free_port()
        env = {**SERVER_ENV, "BENCH_STATIC_ROOT": str(static_root)}
        options = ["--workers=1", "--threads=1", "--timeout=600", f"--bind=127.0.0.1:{port}"]
        process = stack.spawn([GUNICORN, "config.wsgi", *options], env=env)
        url = f"http://127.0.0.1:{port}"
        stack.wait_healthy(url, process)
        bench = Bench(port, workers_of(process.pid), plan)
        pages = pages_of(plan)
        print(f"{'page':<27}{'status':>7}{'bytes':>10}{'min ms':>9}{'med ms':>9}{'bare ms':>9}{'ratio':>8}  goal")
        for page in pages:
            bench.measure(page, rounds)
            verdict = "OK" if page.ratio <= page.bound else "OVER"
            print(
                f"{page.label:<27}{page.status:>7}{page.size:>10}{min(page.page_ms):>9.1f}"
                f"{statistics.median(page.page_ms):>9.1f}{statistics.median(page.bare_ms):>9.1f}"
                f"{page.ratio:>7.1f}x  <= {page.bound:g}x {verdict}",
                flush=True,
            )
        troubles = [line for line in stack.log(process).splitlines() if "Traceback" in line or "[ERROR]" in line]
        if troubles:
            sys.exit("FAILED: the server logged errors:\n" + stack.log(process))
        return [page for page in pages if page.ratio > page.bound]
    finally:
        stack.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,5000", help="submitted applications per cycle (default 100,5000)")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of batches per page (default 5)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL"):
        sys.exit("--database postgresql needs DATABASE_URL, e.g. postgres://ci:ci@127.0.0.1:5432/postgres")
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    print(f"gunicorn 1 worker x 1 thread, DEBUG off; load average {os.getloadavg()[0]:.2f}", flush=True)
    over = []
    try:
        for size in [int(size) for size in args.sizes.split(",")]:
            over += [f"{page.label} at {size}" for page in run_size(folder, size, args.rounds, folder / "static")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}", flush=True)
    if over:
        sys.exit("OVER the bound: " + ", ".join(over))
    print("Every page within its bound.")


if __name__ == "__main__":
    main()
