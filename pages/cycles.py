"""The organizers' pages of a cycle: the cycle page (its phase, dates, counts and next step), creating a
cycle and editing its settings, and changing its phase by hand after a page that says what will happen.
Thin: look up, call the forms' and phases' functions, render."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from assessment.access import organizer_required
from assessment.models import Cycle
from pages import attention
from pages.cycle_forms import CycleSettingsForm, NewCycleForm, create_cycle, update_cycle
from pages.cycle_phases import CHANGES, PhaseRefused, change_phase, changes_for, next_step, phase_of, phase_plan, steps
from review.appeals import pending_appeals

NAME_TAKEN = gettext_lazy("A cycle with this name was created meanwhile: choose another name.")


def _cycle_with_figures(pk, now=None):
    found = attention.with_figures(Cycle.objects.filter(pk=pk), now)
    if not found:
        raise Http404(_("No such cycle."))
    return found[0]


@organizer_required
def cycle_detail(request, pk):
    now = timezone.now()
    cycle = _cycle_with_figures(pk, now)
    phase = phase_of(cycle, now)
    indicator, number = steps(phase)
    appeals = list(pending_appeals().filter(application__cycle=cycle))
    return render(
        request,
        "organize/cycle_detail.html",
        {
            "cycle": cycle,
            "phase": phase,
            "steps": indicator,
            "step_number": number,
            "step_total": len(indicator),
            "current_step": next((s["label"] for s in indicator if s["state"] == "current"), _("Not open yet")),
            "next": next_step(cycle, now),
            "settings": attention.panel_settings(cycle),
            "attention": attention.items([cycle], appeals, now),
            "changes": changes_for(cycle),
        },
    )


@require_http_methods(["GET", "POST"])
@organizer_required
def cycle_phase(request, pk, word):
    """GET: what the change of phase would do, or what stands in its way; POST from its confirm button: do it."""
    if word not in CHANGES:
        raise Http404(_("There is no such change of phase."))
    cycle = _cycle_with_figures(pk)
    if request.method == "POST":
        if request.POST.get("confirm") != word:
            messages.info(request, _("Nothing was changed yet: check what will happen, then confirm."))
            return redirect("cycle_phase", cycle.pk, word)
        try:
            changed = change_phase(cycle, word, request.user)
        except PhaseRefused as refused:
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": refused})
            return redirect("cycle_phase", cycle.pk, word)
        messages.success(
            request,
            _("%(cycle)s is now %(status)s.") % {"cycle": changed, "status": changed.get_status_display().lower()},
        )
        return redirect("cycle_detail", cycle.pk)
    return render(request, "organize/cycle_phase.html", {"cycle": cycle, "plan": phase_plan(cycle, word)})


@require_http_methods(["GET", "POST"])
@organizer_required
def cycle_create(request):
    form = NewCycleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                cycle = create_cycle(form, request.user)
            except IntegrityError:  # the same name, saved by someone else since the form was checked
                form.add_error("name", NAME_TAKEN)
            else:
                messages.success(
                    request,
                    _("%(cycle)s is created. Open it when its settings and rubric are ready.") % {"cycle": cycle},
                )
                return redirect("cycle_detail", cycle.pk)
        messages.error(request, _("The cycle was not created: correct the fields marked below."))
    return render(request, "organize/cycle_form.html", {"form": form, "cycle": None})


@require_http_methods(["GET", "POST"])
@organizer_required
def cycle_edit(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    form = CycleSettingsForm(request.POST or None, cycle=cycle)
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = update_cycle(cycle, form, request.user)
            except IntegrityError:
                form.add_error("name", NAME_TAKEN)
            else:
                if changed:
                    messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(changed)})
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("cycle_detail", cycle.pk)
        messages.error(request, _("The settings were not saved: correct the fields marked below."))
        cycle.refresh_from_db()  # the page's title and links: the cycle as saved
    return render(request, "organize/cycle_form.html", {"form": form, "cycle": cycle})
