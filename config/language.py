"""The language a person reads: chosen per request, switched by a link on every page, kept on the account.

The order: the language saved on a signed-in person's account (``User.language``, set by the switch), else
the switch's cookie (for someone not signed in), else the browser's Accept-Language, else English. The
switch is a plain link (``/language/fr/?next=/the/page/``), not a script: it sets the cookie, saves the
choice on the account when someone is signed in, and goes back to the page it was followed from.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

CODES = {code for code, _ in settings.LANGUAGES}


def language_of(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in CODES:
        return user.language
    return translation.get_language_from_request(request)


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_of(request)
        before = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to what it read before: nothing done after this request (another test,
            # a task run in the same thread) is written in this person's language by accident.
            if before:
                translation.activate(before)
            else:
                translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


@login_not_required
@require_safe
@never_cache
def switch_language(request, code):
    """Read the site in ``code`` from now on; back to ``next`` (a page of this site) or the home page."""
    if code not in CODES:
        raise Http404("No such language.")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    if request.user.is_authenticated and request.user.language != code:
        get_user_model().objects.filter(pk=request.user.pk).update(language=code)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
