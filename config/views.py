"""Pages of the installation itself: the health check and the sign-in lockout.

The health check, which a load balancer or uptime monitor polls, answers
without a login and without touching sessions: 200 when the database answers
and the upload folder is writable, 503 (with which part failed) when not. It
also says whether a task worker has been seen lately ("ok", "not seen", or "not
applicable" when the tasks go to Redis), without changing the status: a web
server without a worker still serves every page, only batch reports wait. It
never says more than that about the installation.
"""

import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.tasks import worker_status

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _media():
    return os.path.isdir(settings.MEDIA_ROOT) and os.access(settings.MEDIA_ROOT, os.W_OK)


def _worker():
    return worker_status()


def _disk():
    """Whether the uploads' file system, and the SQLite database's, have DISK_FREE_MIN_BYTES free.

    "low" when either has less (free for this unprivileged process): saves and uploads will fail soon.
    """
    paths = [settings.MEDIA_ROOT]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        paths.append(os.path.dirname(os.path.abspath(database["NAME"])))
    for path in paths:
        path = os.path.abspath(path)
        while not os.path.exists(path):  # a missing upload folder is the media check's to report
            path = os.path.dirname(path)
        usage = os.statvfs(path)
        if usage.f_bavail * usage.f_frsize < settings.DISK_FREE_MIN_BYTES:
            return "low"
    return True


CHECKS = {"database": _database, "media": _media, "worker": _worker, "disk": _disk}
# Reported, but not counted in the status: what they return ("ok", "not seen", ...) is shown as it is.
ADVISORY = {"worker"}


@login_not_required
@never_cache
@require_safe
def health(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            outcome = check()
            results[name] = outcome if isinstance(outcome, str) else "ok" if outcome else "failing"
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "unknown" if name in ADVISORY else "failing"
    healthy = all(value == "ok" for name, value in results.items() if name not in ADVISORY)
    return JsonResponse({"status": "ok" if healthy else "failing", **results}, status=200 if healthy else 503)


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows instead of signing in once an account is locked out here (429)."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form refused by the CSRF check gets a page that says what to do (403).

    The reason is logged by Django (django.security.csrf), not shown: it means nothing to the person.
    """
    return render(request, "403_csrf.html", status=403)
