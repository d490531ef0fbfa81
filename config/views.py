"""Pages of the installation itself: the health check and the sign-in lockout.

The health check, which a load balancer or uptime monitor polls, answers
without a login and without touching sessions: 200 when the database answers
and the upload folder is writable, 503 (with which part failed) when not. It
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

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _media():
    return os.path.isdir(settings.MEDIA_ROOT) and os.access(settings.MEDIA_ROOT, os.W_OK)


CHECKS = {"database": _database, "media": _media}


@login_not_required
@never_cache
@require_safe
def health(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "failing"
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "failing"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **results}, status=200 if healthy else 503)


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows instead of signing in once an account is locked out here (429)."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
