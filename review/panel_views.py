"""Organizer pages of the panel: a cycle's applications, one application's reviews, decisions, appeals."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from assessment import history
from assessment.access import get_application_for, require_organizer
from assessment.domain import ApplicationError
from assessment.forms import DeadlineField, UswdsForm
from assessment.models import Cycle, User
from review import domain
from review.models import Appeal, Assignment, Decision, ReviewSettings, settings_for


class PanelSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = [
            "reviewers_per_application",
            "max_per_reviewer",
            "review_deadline",
            "appeal_deadline",
            "disagreement_margin",
            "divergence_margin",
        ]
        field_classes = {"review_deadline": DeadlineField, "appeal_deadline": DeadlineField}
        widgets = {
            # The format a datetime-local input takes; Django's default (with a space and seconds) shows empty.
            "review_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "appeal_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from assessment.forms import style_for_uswds

        # Deadlines are typed and shown on the clock of the cycle's time zone, which the label names.
        zone = self.instance.cycle.time_zone if self.instance.cycle_id else settings.TIME_ZONE
        for name in ("review_deadline", "appeal_deadline"):
            self.fields[name].zone = zone
            self.fields[name].label = f"{self.fields[name].label} (date and time in {zone})"
        style_for_uswds(self)


class DecisionForm(UswdsForm):
    outcome = forms.ChoiceField(label="Decision", choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    level = forms.ChoiceField(label="Level (when designated)", required=False)
    rationale = forms.CharField(label="Rationale", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(
        label="Reason for overriding the suggestion",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when the decision differs from the engine's suggestion.",
    )
    # The current decision when the page was made (its id; empty: none yet). A decision recorded by
    # someone else in between is not silently superseded (review.domain.decide, ``replaces``).
    current = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [(name, name) for name, _minimum in levels]

    def replaces(self):
        """The decision this one replaces, as ``decide(replaces=…)`` takes it: its id, or None."""
        current = self.cleaned_data.get("current", "").strip()
        if not current:
            return None
        return int(current) if current.isascii() and current.isdigit() else -1  # -1: matches no decision


class AppealOutcomeForm(UswdsForm):
    outcome = forms.ChoiceField(
        label="Outcome", choices=[(Appeal.Outcome.UPHELD, "Uphold"), (Appeal.Outcome.CHANGED, "Change the decision")]
    )
    designated = forms.BooleanField(label="Designated after the change", required=False)
    level = forms.ChoiceField(label="Level after the change (when designated)", required=False)
    notes = forms.CharField(label="Reasons", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, levels=(), **kwargs):
        """``levels``: the rubric's, as (name, minimum) pairs; the new level is one of them."""
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [(name, name) for name, _minimum in levels]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Appeal.Outcome.CHANGED:
            if data.get("designated") and not data.get("level") and "level" not in self.errors:
                self.add_error("level", forms.ValidationError("Choose the level after the change.", code="no_level"))
            elif data.get("level") and not data.get("designated"):
                self.add_error(
                    "level",
                    forms.ValidationError(
                        "A level goes with a designation: tick “Designated after the change”, or choose no level.",
                        code="level_without_designation",
                    ),
                )
        return data


class AssignForm(forms.Form):
    """The reviewer picked from the list; anything else posted is "no choice", not a server error."""

    reviewer = forms.ModelChoiceField(User.objects.filter(role=User.Role.REVIEWER))


def _cycle_for(request, pk):
    require_organizer(request.user)
    return get_object_or_404(Cycle, pk=pk)


def panel_cycle(request, pk):
    cycle = _cycle_for(request, pk)
    config = settings_for(cycle)
    form = PanelSettingsForm(request.POST or None, instance=config)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            domain.audit(request.user, "panel.settings", f"Panel settings of {cycle} changed", cycle=cycle)
            messages.success(request, "The panel settings are saved.")
            return redirect("panel_cycle", cycle.pk)
        messages.error(request, "The settings were not saved: correct the fields marked below.")
    return render(
        request, "review/panel_cycle.html", {"cycle": cycle, "panel": domain.cycle_panel(cycle), "form": form}
    )


def _run(request, action, success):
    try:
        result = action()
    except (ApplicationError, ValueError) as refused:
        messages.error(request, str(refused))
        return None
    messages.success(request, success(result))
    return result


@require_POST
def panel_auto_assign(request, pk):
    cycle = _cycle_for(request, pk)

    def said(result):
        made, shortfalls = result
        text = f"{len(made)} assignment{'s' if len(made) != 1 else ''} made."
        if shortfalls:
            text += " Not enough reviewers without conflicts for: " + ", ".join(
                f"{a.jurisdiction} ({n} missing)" for a, n in shortfalls
            )
        return text

    _run(request, lambda: domain.auto_assign(cycle, request.user), said)
    return redirect("panel_cycle", cycle.pk)


def _confirmed(request, word):
    """A POST from the confirmation page's button (name="confirm", value=word), not from anywhere else."""
    return request.POST.get("confirm") == word


@require_http_methods(["GET", "POST"])
def panel_bulk_decide(request, pk):
    """GET: what deciding by threshold would do; POST from its confirm button: do it."""
    cycle = _cycle_for(request, pk)
    if request.method == "POST":
        if not _confirmed(request, "decide"):
            messages.info(request, "Nothing was decided yet: check what will happen, then confirm.")
            return redirect("panel_bulk_decide", cycle.pk)
        _run(
            request,
            lambda: domain.bulk_decide(cycle, request.user),
            lambda r: f"{len(r[0])} decided by threshold; {len(r[1])} not fully reviewed yet.",
        )
        return redirect("panel_cycle", cycle.pk)
    return render(request, "review/panel_bulk_decide.html", {"cycle": cycle, "plan": domain.bulk_plan(cycle)})


def _published(decisions):
    designees = sum(1 for d in decisions if d.outcome == Decision.Outcome.DESIGNATED)
    n = len(decisions)
    return (
        f"{n} decision{'s are' if n != 1 else ' is'} published; "
        f"{designees} designee{'s are' if designees != 1 else ' is'} now public, and the applicants are told by e-mail."
    )


@require_http_methods(["GET", "POST"])
def panel_publish(request, pk):
    """GET: what publishing would do, or what stands in its way; POST from its confirm button: publish."""
    cycle = _cycle_for(request, pk)
    if request.method == "POST":
        if not _confirmed(request, "publish"):
            messages.info(request, "Nothing was published yet: check what will happen, then confirm.")
            return redirect("panel_publish", cycle.pk)
        expected = request.POST.get("expected", "")
        expected = int(expected) if expected.isascii() and expected.isdigit() else None
        done = _run(request, lambda: domain.publish_decisions(cycle, request.user, expected=expected), _published)
        return redirect("panel_cycle", cycle.pk) if done is not None else redirect("panel_publish", cycle.pk)
    return render(request, "review/panel_publish.html", {"cycle": cycle, "plan": domain.publication_plan(cycle)})


def panel_application(request, pk):
    require_organizer(request.user)
    application = get_application_for(request, pk)
    panel = domain.application_panel(application)
    outcome, level = domain.suggestion(panel["result"])
    current = domain.current_decision(application)
    decision_form = DecisionForm(
        levels=panel["rubric"].levels,
        initial={"outcome": outcome, "level": level, "current": current.pk if current else ""},
        auto_id="id_decision_%s",
    )
    assigned = application.assignments.select_related("reviewer", "review").order_by("assigned_at")
    taken = {a.reviewer_id for a in assigned if a.active}
    return render(
        request,
        "review/panel_application.html",
        {
            "application": application,
            "panel": panel,
            "result": panel["result"],
            "combined": panel["combined"],
            "suggested": (Decision.Outcome(outcome).label, level),
            "decision_form": decision_form,
            "assignments": assigned,
            "candidates": [r for r in domain.reviewers() if r.pk not in taken],
            "decisions": application.decisions.select_related("decided_by"),
            "appeals": application.appeals.select_related("filed_by"),
            "appeal_form": AppealOutcomeForm(levels=panel["rubric"].levels, auto_id="id_appeal_%s"),
            "history": history.history_for(request.user, application, limit=100),
        },
    )


@require_POST
def panel_assign(request, pk):
    require_organizer(request.user)
    application = get_application_for(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reviewer.")
    else:
        reviewer = form.cleaned_data["reviewer"]
        _run(request, lambda: domain.assign(application, reviewer, request.user), lambda a: f"{reviewer} is assigned.")
    return redirect("panel_application", application.pk)


@require_POST
def panel_unassign(request, pk):
    require_organizer(request.user)
    assignment = get_object_or_404(Assignment.objects.select_related("application", "reviewer"), pk=pk)
    _run(
        request,
        lambda: domain.unassign(assignment, request.user, request.POST.get("reason", "")),
        lambda a: f"{assignment.reviewer} is taken off; their assignment stays in the history.",
    )
    return redirect("panel_application", assignment.application_id)


@require_POST
def panel_decide(request, pk):
    require_organizer(request.user)
    application = get_application_for(request, pk)
    panel = domain.application_panel(application)
    form = DecisionForm(request.POST, levels=panel["rubric"].levels)
    if not form.is_valid():
        messages.error(
            request, "The decision was not recorded: " + " ".join(e for es in form.errors.values() for e in es)
        )
        return redirect("panel_application", application.pk)
    data = form.cleaned_data
    _run(
        request,
        lambda: domain.decide(
            application,
            data["outcome"],
            data["level"],
            data["rationale"],
            request.user,
            override_reason=data["override_reason"],
            panel=panel,
            replaces=form.replaces(),
        ),
        lambda d: f"The decision is recorded: {d.get_outcome_display()}{' — ' + d.level if d.level else ''}.",
    )
    return redirect("panel_application", application.pk)


@require_POST
def appeal_decide(request, pk):
    from scoring.domain import rubric_for

    require_organizer(request.user)
    appeal = get_object_or_404(Appeal.objects.select_related("application__cycle"), pk=pk)
    form = AppealOutcomeForm(request.POST, levels=rubric_for(appeal.application.cycle).to_engine().levels)
    if not form.is_valid():
        messages.error(
            request, "The outcome was not recorded: " + " ".join(e for es in form.errors.values() for e in es)
        )
    else:
        data = form.cleaned_data
        _run(
            request,
            lambda: domain.decide_appeal(
                appeal, data["outcome"], data["notes"], request.user, level=data["level"], designated=data["designated"]
            ),
            _appeal_decided,
        )
    return redirect("panel_application", appeal.application_id)


def _appeal_decided(appeal):
    if appeal.outcome == Appeal.Outcome.UPHELD:
        return "The appeal is decided: the decision is upheld."
    decision = domain.current_decision(appeal.application)
    label = decision.get_outcome_display() + (f" — {decision.level}" if decision.level else "")
    return f"The appeal is decided: the decision is changed to {label}, and the new decision is published."


class AppealForm(UswdsForm):
    statement = forms.CharField(
        label="Your statement",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What should the panel reconsider, and why?",
    )


@require_POST
def appeal_file(request, pk):
    from assessment.access import get_editable_application_for

    application = get_editable_application_for(request, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your appeal was not filed: " + " ".join(form.errors["statement"]))
    else:
        _run(
            request,
            lambda: domain.file_appeal(application, form.cleaned_data["statement"], request.user),
            lambda a: "Your appeal is filed. The organizers will tell you the outcome.",
        )
    return redirect("application_detail", application.pk)
