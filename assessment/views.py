"""The application process's own pages: starting an application, accepting an invitation, and the
organizers' jurisdictions, invitations and extensions. Thin: look up, call the domain, render.

Pages that also show the review panel's work (the home pages, the application page) are in ``pages``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from assessment import domain
from assessment.access import organizer_required
from assessment.audit import audit, said
from assessment.forms import STEPS, DeadlineField, UswdsForm
from assessment.invitations import InvitationForm, JurisdictionForm, invitation_token_generator, send_invitation
from assessment.models import Cycle, Jurisdiction, time_zone_choices, valid_time_zones
from assessment.password_reset import PasswordResetConfirmView


@require_POST
def start(request, cycle_id):
    user = request.user
    if not (user.is_applicant and user.jurisdiction_id):
        return render(request, "403.html", {"message": _("Only a jurisdiction's staff can apply.")}, status=403)
    cycle = get_object_or_404(Cycle, pk=cycle_id, status=Cycle.Status.OPEN)
    if not cycle.is_accepting():
        messages.error(
            request, _("%(cycle)s is not accepting applications: the deadline has passed.") % {"cycle": cycle}
        )
        return redirect("home")
    application = domain.start_application(user.jurisdiction, cycle, user, prefill=request.POST.get("prefill") == "yes")
    return redirect("application_step", pk=application.pk, step=application.wizard_state.get("step") or STEPS[0][0])


class AcceptInvitationView(PasswordResetConfirmView):
    """An invitation is a password-reset link with its own tokens and lifetime: the person chooses a password."""

    template_name = "registration/accept_invitation.html"
    token_generator = invitation_token_generator
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        form.user.invitations.filter(accepted_at=None).update(accepted_at=timezone.now())
        messages.success(self.request, _("Your password is set. Sign in to continue."))
        return response


@organizer_required
def jurisdiction_list(request):
    jurisdictions = Jurisdiction.objects.select_related("county").order_by("name")
    return render(request, "assessment/jurisdiction_list.html", {"jurisdictions": jurisdictions})


@require_http_methods(["GET", "POST"])
@organizer_required
def jurisdiction_create(request):
    form = JurisdictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        jurisdiction = form.save()
        audit(
            request.user, "jurisdiction.created", words=said(gettext_noop("Created %(name)s"), name=str(jurisdiction))
        )
        messages.success(
            request, _("%(jurisdiction)s was added. Invite its staff below.") % {"jurisdiction": jurisdiction}
        )
        return redirect("jurisdiction_detail", jurisdiction.pk)
    return render(request, "assessment/jurisdiction_form.html", {"form": form})


@organizer_required
def jurisdiction_detail(request, pk):
    jurisdiction = get_object_or_404(Jurisdiction, pk=pk)
    return render(
        request,
        "assessment/jurisdiction_detail.html",
        {
            "jurisdiction": jurisdiction,
            "staff": jurisdiction.staff.order_by("last_name", "username"),
            "applications": jurisdiction.applications.select_related("cycle"),
            "invite_form": InvitationForm(initial={"jurisdiction": jurisdiction, "role": "applicant"}),
        },
    )


@require_http_methods(["GET", "POST"])
@organizer_required
def invite(request):
    form = InvitationForm(request.POST or None, initial={"role": "applicant"})
    if request.method == "POST" and form.is_valid():
        user = send_invitation(form, invited_by=request.user, request=request)
        messages.success(request, _("An invitation was e-mailed to %(email)s.") % {"email": user.email})
        if user.jurisdiction_id:
            return redirect("jurisdiction_detail", user.jurisdiction_id)
        return redirect("home")
    return render(request, "assessment/invite.html", {"form": form})


class ExtensionForm(UswdsForm):
    """A new deadline for one draft, typed on the clock of a named zone: the jurisdiction's own unless the
    organizer chooses another (left out, it is the jurisdiction's)."""

    zone = forms.ChoiceField(
        label=gettext_lazy("Time zone of the new deadline"), choices=time_zone_choices, required=False
    )
    until = DeadlineField(
        label=gettext_lazy("Allow submission until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": gettext_lazy("Enter a date and time, for example 2026-12-31 17:00.")},
        help_text=gettext_lazy("A date and time in the time zone chosen above."),
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        own = application.jurisdiction.time_zone if application else settings.TIME_ZONE
        self.fields["zone"].initial = own
        if application:
            self.fields["zone"].help_text = _("%(jurisdiction)s's own zone is %(zone)s.") % {
                "jurisdiction": application.jurisdiction.name,
                "zone": own,
            }
        chosen = self.data.get("zone") if self.is_bound else None
        zone = chosen if isinstance(chosen, str) and chosen in valid_time_zones() else own
        self.fields["until"].zone = zone
        self.fields["until"].label = _("Allow submission until (date and time in %(zone)s)") % {"zone": zone}

    def clean_zone(self):
        return self.cleaned_data["zone"] or self.fields["zone"].initial
