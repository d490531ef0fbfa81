"""The public page that verifies a certificate of designation by its code: no sign-in, nothing private.

It shows only what the certificate says (its number, the jurisdiction and its state, the cycle, the
level, the validity, the day it was issued, the signatory) and the SHA-256 fingerprint of the
designation report as printed, under the status at the top: valid, expired, withdrawn (never why),
replaced, or unknown (a 404, still a page that says what to do).

Guessing is hopeless (a code is 50 random bits, ``review.certificates``) and throttled besides: each
client address may look up VERIFY_LIMIT_PER_CLIENT codes an hour (counted whatever the answer, so a
refusal says nothing about the code), with the counters of the password-reset throttle.
"""

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET

from assessment.forms import UswdsForm
from assessment.password_reset import take_slot
from config.client_ip import client_ip
from reports.models import ReportFile
from review.certificates import Status, display, lookup, normalize
from scoring import levels

# In English here (tests and other modules compare with them), shown translated: ``_(BAD_CODE)``.
BAD_CODE = gettext_noop("This is not a certificate code: a code has ten letters and digits, for example 7KQ2M-X9PDT.")


class VerifyForm(UswdsForm):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        help_text=gettext_lazy("Printed on the certificate and the seal, for example 7KQ2M-X9PDT."),
        error_messages={"required": gettext_lazy("Type the code printed on the certificate.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_code(self):
        code = normalize(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_(BAD_CODE), code="format")
        return code


def _render(request, context, status=200):
    response = render(request, "public/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many(request, form):
    context = {"form": form, "too_many": True}
    return _render(request, context, status=429)


def _throttled(request):
    return not take_slot("verify", client_ip(request) or "", settings.VERIFY_LIMIT_PER_CLIENT)


@login_not_required
@require_GET
def verify_form(request):
    """The form to type a code; sent (``?code=``), a well-formed code goes to its page."""
    if "code" not in request.GET:
        return _render(request, {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if form.is_valid():
        return redirect("verify_certificate", display(form.cleaned_data["code"]))
    return _render(request, {"form": form})


def _day(moment, zone):
    return timezone.localtime(moment, ZoneInfo(zone)).date() if moment else None


def _fingerprint(decision):
    """The SHA-256 of the designation report stored for the decision (made since it was decided), or None."""
    report = (
        ReportFile.objects.filter(kind=ReportFile.Kind.APPLICATION, application_id=decision.application_id, error="")
        .exclude(file="")
        .exclude(sha256="")
        .filter(generated_at__gte=decision.decided_at)
        .only("sha256")
        .first()
    )
    return report.sha256 if report else None


@login_not_required
@require_GET
def verify_certificate(request, code):
    """What the code verifies, in plain words; 404 when no certificate has it."""
    form = VerifyForm(initial={"code": code})
    if _throttled(request):
        return _too_many(request, form)
    if normalize(code) is None:
        return _render(request, {"form": form, "bad_code": _(BAD_CODE), "typed": code}, status=404)
    found = lookup(code)
    if not found.found:
        return _render(request, {"form": form, "unknown": True, "typed": code}, status=404)
    certificate = found.certificate
    decision = certificate.decision
    application = decision.application
    cycle = application.cycle
    since = found.since if found.status == Status.EXPIRED else _day(found.since, cycle.time_zone)
    replaced_by = found.replaced_by
    in_force = found.status in (Status.VALID, Status.EXPIRED)
    return _render(
        request,
        {
            "form": VerifyForm(),
            "status": found.status,
            "since": since,
            "certificate": certificate,
            "jurisdiction": application.jurisdiction,
            "cycle": cycle,
            "level": levels.label(decision.level or levels.PLAIN),
            "issued_on": _day(certificate.issued_at, cycle.time_zone),
            # The report stored now is of the decision in force: this certificate's only while it is.
            "in_force": in_force,
            "fingerprint": _fingerprint(decision) if in_force else None,
            "replaced_by": replaced_by,
            "new_level": levels.label(replaced_by.decision.level or levels.PLAIN) if replaced_by else "",
        },
    )
