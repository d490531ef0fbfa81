"""A browser for the load (tests/load_users.py): plain urllib with cookies, no redirects followed, every
request timed and recorded."""

import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from http.cookiejar import CookieJar

from tests.load_seed import (
    PASSWORD,
)

# A browser -----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self):
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the user follows redirects itself, each one timed as its own request


class Recorder:
    """Every request's timing, and every error, from all users' threads."""

    def __init__(self):
        self.timings = defaultdict(list)
        self.errors = []
        self.lock = threading.Lock()

    def time(self, kind, seconds):
        with self.lock:
            self.timings[kind].append(seconds)

    def error(self, who, message):
        with self.lock:
            self.errors.append(f"{who}: {message}")


class Browser:
    """One person's browser: its own cookies (session, CSRF, messages); counts its requests."""

    def __init__(self, base_url, who, recorder, think=0.0):
        """``think``: the mean pause, in seconds, of a person reading the page before the next click (uniform
        between half and one and a half times it); 0 for a browser that clicks as fast as the server answers."""
        self.base_url = base_url
        self.who = who
        self.recorder = recorder
        self.think = think
        self.count = 0
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def fetch(self, kind, path, form=None, expect=(200,)):
        """GET (or POST ``form``) ``path``; the Response, or None after recording why it is an error."""
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=data)
        if self.think:
            time.sleep(random.uniform(0.5, 1.5) * self.think)  # not timed: the person, not the server
        self.count += 1
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as raw:
                response = Response(raw.status, dict(raw.headers), raw.read())
        except urllib.error.HTTPError as raw:  # 3xx (not followed here), 4xx, 5xx
            response = Response(raw.code, dict(raw.headers), raw.read())
        except OSError as failure:  # refused, reset, timed out
            self.recorder.error(self.who, f"{kind} {path}: {failure!r}")
            return None
        finally:
            self.recorder.time(kind, time.perf_counter() - started)
        if response.status not in expect or b"database is locked" in response.body:
            self.recorder.error(self.who, f"{kind} {path}: status {response.status} {response.text[:300]!r}")
            return None
        return response

    def sign_in(self, username):
        page = self.fetch("login", "/login/")
        if page is None:
            return False
        form = {"username": username, "password": PASSWORD, "next": "", "csrfmiddlewaretoken": csrf_of(page.text)}
        signed_in = self.fetch("login", "/login/", form, expect=(302,))
        if signed_in is None or signed_in.location.startswith("/login"):
            self.recorder.error(self.who, "could not sign in")
            return False
        return True


def csrf_of(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def version_of(html):
    match = re.search(r'name="version" value="(\d+)"', html)
    if not match:  # without it the save would be a conflict, not an error: stop this user instead
        raise ValueError("the page has no version field")
    return int(match.group(1))
