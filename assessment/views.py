"""Pages for applicants and organizers. Thin: look up, call the domain, render."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assessment import domain, history
from assessment.access import (
    applications_for,
    can_edit,
    get_application_for,
    may_read_appeals,
    may_read_applicant_comments,
    require_organizer,
)
from assessment.forms import STEP_TITLES, STEPS, DeadlineField, UswdsForm
from assessment.invitations import InvitationForm, JurisdictionForm, invitation_token_generator, send_invitation
from assessment.models import Cycle, Jurisdiction, time_zone_choices, valid_time_zones
from assessment.wizard import ApplicationWizard  # noqa: F401  (the wizard is routed from urls)
from review.views import AnswerForm, QuestionForm, may_ask
from scoring.domain import standing_for


def home(request):
    user = request.user
    if user.is_organizer:
        cycles = Cycle.objects.all()
        applications = applications_for(user).filter(cycle__status=Cycle.Status.OPEN)
        from review.domain import pending_appeals

        return render(
            request,
            "assessment/home_organizer.html",
            {"cycles": cycles, "applications": applications, "appeals": pending_appeals()},
        )
    if user.is_applicant and user.jurisdiction_id:
        applications = {a.cycle_id: a for a in applications_for(user)}
        open_cycles = [c for c in Cycle.objects.filter(status=Cycle.Status.OPEN) if c.id not in applications]
        current = [a for a in applications.values() if a.cycle.status == Cycle.Status.OPEN]
        return render(
            request,
            "assessment/home_applicant.html",
            {
                "jurisdiction": user.jurisdiction,
                "applications": sorted(applications.values(), key=lambda a: a.cycle.opens_at, reverse=True),
                "open_cycles": open_cycles,
                "standings": [(a, standing_for(a)) for a in current if a.is_draft],
                "has_previous": bool(applications),
            },
        )
    if user.is_reviewer:
        from review.views import reviewer_home

        return reviewer_home(request)
    return render(request, "403.html", {"message": "Your account has no role yet; ask an organizer."}, status=403)


@require_POST
def start(request, cycle_id):
    user = request.user
    if not (user.is_applicant and user.jurisdiction_id):
        return render(request, "403.html", {"message": "Only a jurisdiction's staff can apply."}, status=403)
    cycle = get_object_or_404(Cycle, pk=cycle_id, status=Cycle.Status.OPEN)
    if not cycle.is_accepting():
        messages.error(request, f"{cycle} is not accepting applications: the deadline has passed.")
        return redirect("home")
    application = domain.start_application(user.jurisdiction, cycle, user, prefill=request.POST.get("prefill") == "yes")
    return redirect("application_step", pk=application.pk, step=application.wizard_state.get("step") or STEPS[0][0])


def application_detail(request, pk):
    application = get_application_for(request, pk)
    state = application.wizard_state.get("step_data", {})
    answerable = can_edit(request.user, application)
    sections = []
    for step, _form_class in STEPS:
        form = domain.bind_step(step, state.get(step))
        form.is_valid()
        sections.append({"step": step, "title": STEP_TITLES[step], "form": form, "is_formset": hasattr(form, "forms")})
    return render(
        request,
        "assessment/application_detail.html",
        {
            "application": application,
            "sections": sections,
            "documents": application.documents.all(),
            "editable": application.is_draft and can_edit(request.user, application),
            "history": history.history_for(request.user, application, limit=50),
            "standing": standing_for(application),
            "extension_form": (
                ExtensionForm(application=application) if request.user.is_organizer and application.is_draft else None
            ),
            "clarifications": [
                (c, AnswerForm(auto_id=f"id_answer{c.pk}_%s") if answerable and not c.answered_at else None)
                for c in application.clarifications.select_related("asked_by", "answered_by", "document")
            ],
            "may_ask": may_ask(request.user, application),
            "question_form": QuestionForm(),
            **_decision_context(request.user, application, answerable),
        },
    )


def _decision_context(user, application, answerable):
    """What the applicant's staff see of the decision: only once published, never private notes."""
    from review.domain import applicant_comments, current_decision
    from review.models import Appeal, settings_for
    from review.panel_views import AppealForm

    decision = current_decision(application)
    if decision is None or not (decision.published_at or user.is_organizer):
        return {}
    deadline = settings_for(application.cycle).appeal_deadline
    can_appeal = (
        answerable
        and decision.published_at
        and deadline
        and timezone.now() <= deadline
        and not application.appeals.filter(outcome=Appeal.Outcome.PENDING).exists()
    )
    return {
        "published_decision": decision,
        "reviewer_comments": (
            applicant_comments(application) if may_read_applicant_comments(user, application, decision) else []
        ),
        "appeals": application.appeals.all() if may_read_appeals(user, application) else [],
        "appeal_form": AppealForm() if can_appeal else None,
        "appeal_deadline": deadline,
    }


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """An invitation is a password-reset link with its own tokens and lifetime: the person chooses a password."""

    template_name = "registration/accept_invitation.html"
    token_generator = invitation_token_generator
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        form.user.invitations.filter(accepted_at=None).update(accepted_at=timezone.now())
        messages.success(self.request, "Your password is set. Sign in to continue.")
        return response


def jurisdiction_list(request):
    require_organizer(request.user)
    jurisdictions = Jurisdiction.objects.select_related("county").order_by("name")
    return render(request, "assessment/jurisdiction_list.html", {"jurisdictions": jurisdictions})


@require_http_methods(["GET", "POST"])
def jurisdiction_create(request):
    require_organizer(request.user)
    form = JurisdictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        jurisdiction = form.save()
        domain.audit(request.user, "jurisdiction.created", f"Created {jurisdiction}")
        messages.success(request, f"{jurisdiction} was added. Invite its staff below.")
        return redirect("jurisdiction_detail", jurisdiction.pk)
    return render(request, "assessment/jurisdiction_form.html", {"form": form})


def jurisdiction_detail(request, pk):
    require_organizer(request.user)
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
def invite(request):
    require_organizer(request.user)
    form = InvitationForm(request.POST or None, initial={"role": "applicant"})
    if request.method == "POST" and form.is_valid():
        user = send_invitation(form, invited_by=request.user, request=request)
        messages.success(request, f"An invitation was e-mailed to {user.email}.")
        if user.jurisdiction_id:
            return redirect("jurisdiction_detail", user.jurisdiction_id)
        return redirect("home")
    return render(request, "assessment/invite.html", {"form": form})


class ExtensionForm(UswdsForm):
    """A new deadline for one draft, typed on the clock of a named zone: the jurisdiction's own unless the
    organizer chooses another (left out, it is the jurisdiction's)."""

    zone = forms.ChoiceField(label="Time zone of the new deadline", choices=time_zone_choices, required=False)
    until = DeadlineField(
        label="Allow submission until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter a date and time, for example 2026-12-31 17:00."},
        help_text="A date and time in the time zone chosen above.",
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        own = application.jurisdiction.time_zone if application else settings.TIME_ZONE
        self.fields["zone"].initial = own
        if application:
            self.fields["zone"].help_text = f"{application.jurisdiction.name}'s own zone is {own}."
        chosen = self.data.get("zone") if self.is_bound else None
        zone = chosen if isinstance(chosen, str) and chosen in valid_time_zones() else own
        self.fields["until"].zone = zone
        self.fields["until"].label = f"Allow submission until (date and time in {zone})"

    def clean_zone(self):
        return self.cleaned_data["zone"] or self.fields["zone"].initial


@require_POST
def grant_extension(request, pk):
    require_organizer(request.user)
    application = get_application_for(request, pk)
    form = ExtensionForm(request.POST, application=application)
    if form.is_valid():
        try:
            domain.grant_extension(application, form.cleaned_data["until"], request.user)
        except domain.ApplicationError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The extension was granted.")
    else:
        messages.error(
            request, "The extension was not granted: " + " ".join(e for es in form.errors.values() for e in es)
        )
    return redirect("application_detail", application.pk)
