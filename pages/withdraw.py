"""Withdrawing a designation (organizers): a page that says what will happen and asks for the reason, then the
withdrawal (``review.withdrawal``). Refused, the page comes again with what was typed and why."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from assessment.access import get_application_for, may_withdraw_designation, organizer_required
from assessment.forms import UswdsForm
from review.certificates import current_for
from review.errors import DecidedMeanwhile, ReviewError
from review.queries import current_decision
from review.withdrawal import NOTHING_TO_WITHDRAW, withdraw_designation


class WithdrawForm(UswdsForm):
    reason = forms.CharField(
        label=gettext_lazy("Why is the designation withdrawn?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The applicant's staff read it in their e-mail and on their application's page; "
            "the public verification page does not show it."
        ),
        error_messages={"required": gettext_lazy("Write the reason for withdrawing the designation.")},
    )
    # The designation the page showed (its id). Another decision recorded in between is not silently
    # superseded (review.withdrawal.withdraw_designation, ``replaces``).
    replaces = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def replaced(self):
        """The decision this page was made on, as ``withdraw_designation(replaces=…)`` takes it: its id, or None."""
        value = (self.cleaned_data.get("replaces") or "").strip()
        if not value:
            return None
        return int(value) if value.isascii() and value.isdigit() else -1  # -1: matches no decision


def _page(request, application, decision, form, status=200):
    return render(
        request,
        "organize/designation_withdraw.html",
        {"application": application, "decision": decision, "certificate": current_for(application), "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organizer_required
def designation_withdraw(request, pk):
    """GET: what withdrawing the designation will do, and the reason to give; POST: withdraw it."""
    application = get_application_for(request, pk)
    decision = current_decision(application)
    if request.method == "GET":
        if not may_withdraw_designation(request.user, decision):
            messages.info(request, NOTHING_TO_WITHDRAW)
            return redirect("application_detail", application.pk)
        return _page(request, application, decision, WithdrawForm(initial={"replaces": decision.pk}))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        if not may_withdraw_designation(request.user, decision):
            messages.info(request, NOTHING_TO_WITHDRAW)
            return redirect("application_detail", application.pk)
        messages.error(request, _("The designation was not withdrawn: correct the field marked below."))
        return _page(request, application, decision, form)
    try:
        withdraw_designation(application, form.cleaned_data["reason"], request.user, form.replaced())
    except DecidedMeanwhile as refused:
        messages.error(request, str(refused))
        decision = current_decision(application)
        if not may_withdraw_designation(request.user, decision):
            return redirect("application_detail", application.pk)
        # What was typed comes back, on the designation now in force: confirming again withdraws that one.
        again = request.POST.copy()
        again["replaces"] = str(decision.pk)
        return _page(request, application, decision, WithdrawForm(again))
    except ReviewError as refused:
        messages.error(request, str(refused))
        if not may_withdraw_designation(request.user, decision):
            return redirect("application_detail", application.pk)
        return _page(request, application, decision, form)
    messages.success(
        request,
        _(
            "The designation of %(jurisdiction)s is withdrawn. It no longer appears on the public list, "
            "and its staff are told by e-mail."
        )
        % {"jurisdiction": application.jurisdiction},
    )
    return redirect("application_detail", application.pk)
