"""When the database, the disk or the session fails: say so, and lose nothing that was typed.

- ``ServiceUnavailableMiddleware``: a view that finds the database unavailable (``OperationalError``,
  ``InterfaceError``) or the disk full (``OSError`` with ENOSPC or EDQUOT) answers a 503 page that says
  which, with ``Retry-After``, instead of the generic error page. Every other exception goes on as before.
- ``SessionEndedStashMiddleware``: a wizard step posted after the session ended (the person is no longer
  signed in) is held server-side under a random token in a cookie, and the person is sent to sign in with a
  message; the wizard saves it, once, when they open that step again signed in (``take_stash``), through the
  same permission checks and version rules as any save. Nothing is written to an application here.
"""

import errno
import logging
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from assessment import domain
from assessment.forms import STEP_TITLES
from assessment.models import Application

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# SQLITE_FULL, and PostgreSQL's disk_full class (53100) and out-of-space messages.
DISK_FULL_MARKERS = ("database or disk is full", "no space left on device", "disk quota exceeded")


def is_disk_full(exc):
    if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
        return True
    if isinstance(exc, DatabaseError):
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == "53100" or getattr(cause, "pgcode", None) == "53100":
            return True
        return any(marker in str(exc).lower() for marker in DISK_FULL_MARKERS)
    return False


def fault_reason(exc):
    """What failed, in plain words, for a message that begins "the server could not store …"."""
    if is_disk_full(exc):
        return _("its disk is full")
    if isinstance(exc, DatabaseError):
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == "25006" or "readonly database" in str(exc).lower():
            return _("its database is not accepting changes")
        return _("its database is not answering")
    return _("it could not write to its disk")


def with_retry_after(response):
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    """A 503 page for a database that is not answering or a disk that is full; nothing else is caught."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            cause = "disk" if is_disk_full(exception) else "database"
        elif isinstance(exception, OSError) and exception.errno in DISK_FULL_ERRNOS:
            cause = "disk"
        else:
            return None
        logger.error("Service unavailable (%s) on %s %s", cause, request.method, request.path, exc_info=exception)
        context = {"cause": cause, "sent": request.method not in ("GET", "HEAD", "OPTIONS")}
        try:
            # With the header (the signed-in user, messages): that may need the database itself.
            response = render(request, "503.html", context, status=503)
        except Exception:
            # The same page without anything of the request's (no session, no user, no query).
            context.update(SITE_NAME=_(settings.SITE_NAME), DEMO=settings.DEMO)
            response = HttpResponse(render_to_string("503.html", context), status=503)
        return with_retry_after(response)


# --- Sessions that ended in the middle of the wizard ---

STASH_COOKIE = "designation_stash"
STASH_SECONDS = 24 * 60 * 60
STASH_ROUTE = "application_step"
STASH_CACHE = "throttle"  # the database cache, shared by every worker (settings.CACHES)


def stash_cookie():
    """The cookie's name: over https with the __Host- prefix, so that no other (sub)domain can plant one."""
    return f"__Host-{STASH_COOKIE}" if settings.SESSION_COOKIE_SECURE else STASH_COOKIE


def _stash_key(token):
    return f"stash:{token}"


class SessionEndedStashMiddleware:
    """Before LoginRequiredMiddleware: hold a wizard step posted by someone whose session has ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name != STASH_ROUTE:
            return None
        if request.user.is_authenticated:
            return None
        step = view_kwargs.get("step")
        try:
            pk = uuid.UUID(view_kwargs.get("pk", ""))
        except ValueError:
            return None
        # Only for a draft that exists (a made-up address stores nothing), and only what the step's form reads.
        if step not in STEP_TITLES or not Application.objects.filter(pk=pk, status=Application.Status.DRAFT).exists():
            return None
        answers = domain.strip_non_answers(request.POST, step)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        cache = caches[STASH_CACHE]
        old = request.COOKIES.get(stash_cookie())
        if old:
            cache.delete(_stash_key(old))
        token = secrets.token_urlsafe(32)
        cache.set(
            _stash_key(token), {"pk": str(pk), "step": step, "answers": answers, "version": version}, STASH_SECONDS
        )
        messages.warning(
            request, _("Your session had ended, so your answers were not saved yet. Sign in and they will be saved.")
        )
        response = redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        response.set_cookie(
            stash_cookie(),
            token,
            max_age=STASH_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def take_stash(request, pk, step):
    """The answers held for this application's step in this browser, claimed (so used once), or None.

    The caller has already checked that the signed-in user may edit the application.
    """
    token = request.COOKIES.get(stash_cookie())
    if not token:
        return None
    cache = caches[STASH_CACHE]
    key = _stash_key(token)
    stash = cache.get(key)
    if not stash or stash.get("pk") != str(pk) or stash.get("step") != step:
        return None
    # The delete that removes the row claims it: of two requests at once, one applies it.
    if not cache.delete(key):
        return None
    return stash


def forget_stash(response):
    response.delete_cookie(stash_cookie(), samesite="Lax")
    return response
