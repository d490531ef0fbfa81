"""Organizer pages of the panel: a cycle's applications, one application's reviews, decisions, appeals."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from assessment import history
from assessment.access import get_application_for, get_cycle_for, organizer_required
from assessment.audit import audit, named, said
from assessment.domain import ApplicationError
from review.appeals import decide_appeal
from review.assignment import assign, auto_assign, unassign
from review.decisions import bulk_decide, decide, outcome_label, publish_decisions
from review.errors import DecidedMeanwhile
from review.forms import AppealOutcomeForm, AssignForm, DecisionForm, PanelSettingsForm
from review.models import Appeal, Assignment, Decision, settings_for
from review.previews import bulk_preview, publication_preview
from review.queries import application_panel, assignable, current_decision, cycle_panel, explained
from review.summary import suggestion
from scoring.domain import rubric_for


def panel_cycle(request, pk):
    cycle = get_cycle_for(request, pk)
    review_settings = settings_for(cycle)
    form = PanelSettingsForm(request.POST or None, instance=review_settings)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            words = said(gettext_noop("Panel settings of %(cycle)s changed"), cycle=named(cycle))
            audit(request.user, "panel.settings", cycle=cycle, words=words)
            messages.success(request, _("The panel settings are saved."))
            return redirect("panel_cycle", cycle.pk)
        messages.error(request, _("The settings were not saved: correct the fields marked below."))
    # A form that was posted changed its instance (unsaved): the figures read the saved settings again.
    panel = cycle_panel(cycle, request.GET.get("page"), None if form.is_bound else review_settings)
    return render(request, "review/panel_cycle.html", {"cycle": cycle, "panel": panel, "form": form})


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
    cycle = get_cycle_for(request, pk)

    def said(result):
        made, shortfalls = result
        text = ngettext("%(count)s assignment made.", "%(count)s assignments made.", len(made)) % {"count": len(made)}
        if shortfalls:
            short = ", ".join(
                _("%(jurisdiction)s (%(count)s missing)") % {"jurisdiction": a.jurisdiction, "count": n}
                for a, n in shortfalls
            )
            text += " " + _("Not enough reviewers without conflicts for: %(list)s") % {"list": short}
        return text

    _run(request, lambda: auto_assign(cycle, request.user), said)
    return redirect("panel_cycle", cycle.pk)


def _confirmed(request, word):
    """A POST from the confirmation page's button (name="confirm", value=word), not from anywhere else."""
    return request.POST.get("confirm") == word


@require_http_methods(["GET", "POST"])
def panel_bulk_decide(request, pk):
    """GET: what deciding by threshold would do; POST from its confirm button: do it."""
    cycle = get_cycle_for(request, pk)
    if request.method == "POST":
        if not _confirmed(request, "decide"):
            messages.info(request, _("Nothing was decided yet: check what will happen, then confirm."))
            return redirect("panel_bulk_decide", cycle.pk)
        _run(
            request,
            lambda: bulk_decide(cycle, request.user),
            lambda r: (
                _("%(decided)s decided by threshold; %(waiting)s not fully reviewed yet.")
                % {"decided": len(r[0]), "waiting": len(r[1])}
            ),
        )
        return redirect("panel_cycle", cycle.pk)
    return render(request, "review/panel_bulk_decide.html", {"cycle": cycle, "plan": bulk_preview(cycle)})


def _published(decisions):
    designees = sum(1 for d in decisions if d.outcome == Decision.Outcome.DESIGNATED)
    n = len(decisions)
    published = ngettext("%(count)s decision is published;", "%(count)s decisions are published;", n) % {"count": n}
    public = ngettext(
        "%(count)s designee is now public, and the applicants are told by e-mail.",
        "%(count)s designees are now public, and the applicants are told by e-mail.",
        designees,
    ) % {"count": designees}
    return f"{published} {public}"


@require_http_methods(["GET", "POST"])
def panel_publish(request, pk):
    """GET: what publishing would do, or what stands in its way; POST from its confirm button: publish."""
    cycle = get_cycle_for(request, pk)
    if request.method == "POST":
        if not _confirmed(request, "publish"):
            messages.info(request, _("Nothing was published yet: check what will happen, then confirm."))
            return redirect("panel_publish", cycle.pk)
        expected = request.POST.get("expected", "")
        expected = int(expected) if expected.isascii() and expected.isdigit() else None
        done = _run(request, lambda: publish_decisions(cycle, request.user, expected=expected), _published)
        return redirect("panel_cycle", cycle.pk) if done is not None else redirect("panel_publish", cycle.pk)
    return render(request, "review/panel_publish.html", {"cycle": cycle, "plan": publication_preview(cycle)})


# The ids of the decision's and the appeal's fields: both forms are on one page, with fields of the same names.
DECISION_ID = "id_decision_%s"
APPEAL_ID = "id_appeal_%s"


@organizer_required
def panel_application(request, pk):
    return _panel_page(request, get_application_for(request, pk))


def _panel_page(request, application, panel=None, **posted):
    """The panel's page of one application. ``posted``: the form that was sent and refused, shown again
    as it was typed with its errors (``decision_form``, ``appeal_form``, ``assign_form``, or ``ending``:
    (the assignment's id, the reason typed to end it)); every other form of the page is as on a GET."""
    panel = panel or application_panel(application)
    outcome, level = suggestion(panel["result"])
    decisions = list(application.decisions.select_related("decided_by"))  # newest first
    # The decision in force (``current_decision``), from the list the page shows: no query of its own.
    current = next((d for d in decisions if d.superseded_at is None), None)
    decision_form = posted.get("decision_form") or DecisionForm(
        levels=panel["rubric"].levels,
        initial={"outcome": outcome, "level": level, "current": current.pk if current else ""},
        auto_id=DECISION_ID,
    )
    assigned = list(application.assignments.select_related("reviewer", "review").order_by("assigned_at"))
    ending, reason = posted.get("ending") or (None, "")
    for assignment in assigned:
        assignment.typed_reason = reason if assignment.pk == ending else ""
    # Only reviewers without a conflict and not assigned already are offered; a refused choice stays chosen.
    taken = {a.reviewer_id for a in assigned if a.active}
    sent = posted["assign_form"].data if "assign_form" in posted else None
    assign_form = AssignForm(sent, application=application, offered=assignable(application, taken))
    return render(
        request,
        "review/panel_application.html",
        {
            "application": application,
            "panel": panel,
            # In words (the criteria's titles, what stands in the way), with the reviewers' points once they count.
            "result": explained(application, panel["rubric"], panel["combined"] if panel["reviews"] else None),
            "combined": panel["combined"],
            "suggested": (str(Decision.Outcome(outcome).label), level),
            "decision_form": decision_form,
            "assignments": assigned,
            "assign_form": assign_form,
            "decisions": decisions,
            "appeals": application.appeals.select_related("filed_by"),
            # One appeal at most is pending (one_pending_appeal): the only one with this form.
            "appeal_form": posted.get("appeal_form")
            or AppealOutcomeForm(levels=panel["rubric"].levels, auto_id=APPEAL_ID),
            "history": history.history_for(request.user, application, limit=100),
        },
    )


@require_POST
@organizer_required
def panel_assign(request, pk):
    application = get_application_for(request, pk)
    form = AssignForm(request.POST, application=application, offered=assignable(application))
    if not form.is_valid():
        said = " ".join(e for es in form.errors.values() for e in es)
        messages.error(request, _("No reviewer was assigned: %(reasons)s") % {"reasons": said})
        return _panel_page(request, application, assign_form=form)
    reviewer = form.cleaned_data["reviewer"]
    if _run(
        request,
        lambda: assign(application, reviewer, request.user),
        lambda a: _("%(reviewer)s is assigned.") % {"reviewer": reviewer},
    ):
        return redirect("panel_application", application.pk)
    return _panel_page(request, application, assign_form=form)  # refused: the reviewer stays chosen


@require_POST
@organizer_required
def panel_unassign(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("application", "reviewer"), pk=pk)
    reason = request.POST.get("reason", "")
    if _run(
        request,
        lambda: unassign(assignment, request.user, reason),
        lambda a: (
            _("%(reviewer)s is taken off; their assignment stays in the history.") % {"reviewer": assignment.reviewer}
        ),
    ):
        return redirect("panel_application", assignment.application_id)
    # Refused (no reason, too long): the reason comes back in its box. The application as its page reads it.
    application = get_application_for(request, assignment.application_id)
    return _panel_page(request, application, ending=(assignment.pk, reason))


@require_POST
@organizer_required
def panel_decide(request, pk):
    application = get_application_for(request, pk)
    panel = application_panel(application)
    form = DecisionForm(request.POST, levels=panel["rubric"].levels, auto_id=DECISION_ID)
    if not form.is_valid():
        said = " ".join(e for es in form.errors.values() for e in es)
        messages.error(request, _("The decision was not recorded: %(reasons)s") % {"reasons": said})
        return _panel_page(request, application, panel, decision_form=form)
    data = form.cleaned_data
    try:
        decision = decide(
            application,
            data["outcome"],
            data["level"],
            data["rationale"],
            request.user,
            override_reason=data["override_reason"],
            panel=panel,
            replaces=form.replaces(),
        )
    except DecidedMeanwhile as refused:
        messages.error(request, str(refused))
        # What was typed comes back with the decision now in force, which the page shows: deciding again
        # supersedes it knowingly.
        now = current_decision(application)
        again = request.POST.copy()
        again["current"] = str(now.pk) if now else ""
        form = DecisionForm(again, levels=panel["rubric"].levels, auto_id=DECISION_ID)
        return _panel_page(request, application, panel, decision_form=form)
    except (ApplicationError, ValueError) as refused:
        messages.error(request, str(refused))
        return _panel_page(request, application, panel, decision_form=form)
    messages.success(
        request,
        _("The decision is recorded: %(decision)s.") % {"decision": outcome_label(decision.outcome, decision.level)},
    )
    return redirect("panel_application", application.pk)


@require_POST
@organizer_required
def appeal_decide(request, pk):
    appeal = get_object_or_404(Appeal.objects.select_related("application__cycle"), pk=pk)
    rubric = rubric_for(appeal.application.cycle).to_engine()
    form = AppealOutcomeForm(request.POST, levels=rubric.levels, auto_id=APPEAL_ID)
    if not form.is_valid():
        said = " ".join(e for es in form.errors.values() for e in es)
        messages.error(request, _("The outcome was not recorded: %(reasons)s") % {"reasons": said})
    else:
        data = form.cleaned_data
        decided = _run(
            request,
            lambda: decide_appeal(
                appeal,
                data["outcome"],
                data["notes"],
                request.user,
                level=data["level"],
                designated=data["designated"],
                rubric=rubric,
            ),
            _appeal_decided,
        )
        if decided:
            return redirect("panel_application", appeal.application_id)
    # Not recorded: the outcome and the reasons come back as typed. The application as its page reads it.
    return _panel_page(request, get_application_for(request, appeal.application_id), appeal_form=form)


def _appeal_decided(appeal):
    if appeal.outcome == Appeal.Outcome.UPHELD:
        return _("The appeal is decided: the decision is upheld.")
    decision = current_decision(appeal.application)
    return _("The appeal is decided: the decision is changed to %(decision)s, and the new decision is published.") % {
        "decision": outcome_label(decision.outcome, decision.level)
    }
