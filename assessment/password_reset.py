"""Asking for a password-reset link, throttled.

At most PASSWORD_RESET_LIMIT_PER_ADDRESS e-mails an hour go to one address and
PASSWORD_RESET_LIMIT_PER_CLIENT requests an hour are taken from one client
address (read as django-axes reads it, config/client_ip.py). The page for an
address over its limit is the same "check your e-mail" page whether or not an
account uses it and whether or not a mail went out, so it tells nobody which
addresses have accounts; a client over its limit is told to try again later.

The counters are rows of the database cache (settings.CACHES "throttle"),
shared by every worker process. Each counted request takes one of the limit's
numbered slots with ``cache.add``, which the database makes atomic, and
holds it for an hour: a rolling window, and two requests at once cannot take
the same slot.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from assessment.forms import style_for_uswds
from config.client_ip import client_ip

WINDOW_SECONDS = 60 * 60


def take_slot(kind, value, limit):
    """True if fewer than ``limit`` requests for ``value`` were counted within the hour (this one is counted)."""
    cache = caches["throttle"]
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()  # no address is stored as such
    return any(cache.add(f"password-reset:{kind}:{digest}:{slot}", 1, WINDOW_SECONDS) for slot in range(limit))


class UswdsForm:
    """A view of django.contrib.auth whose form's inputs get the U.S. Web Design System classes (full width)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        style_for_uswds(form)
        return form


class PasswordResetConfirmView(UswdsForm, auth_views.PasswordResetConfirmView):
    pass


class ThrottledPasswordResetView(UswdsForm, auth_views.PasswordResetView):
    # The e-mail (registration/password_reset_subject.txt and _email.html) is written in the language of the
    # person it goes to (User.mail_language), not of whoever asked for it.
    @property
    def extra_email_context(self):
        return {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600}  # the mail says how long the link works

    def form_valid(self, form):
        if not take_slot("client", client_ip(self.request) or "", settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
            messages.error(
                self.request,
                _("Too many password-reset requests came from your network in the last hour. Try again later."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if take_slot("address", form.cleaned_data["email"].strip().lower(), settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
            return super().form_valid(form)  # e-mails the link if an account uses the address
        return HttpResponseRedirect(self.get_success_url())
