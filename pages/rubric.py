"""The organizer's page of a cycle's rubric, its settings and levels, and copying the previous cycle's.

The page shows the whole rubric: threshold, minimum share, levels, each category with its criteria (and
what they add up to against the category's points), the prerequisites apart. Until the first application
is submitted, every part can be changed here (categories and criteria: ``pages/rubric_parts.py``); once
frozen, the page is read-only and says why once, and every change is refused with that reason. Changes go
through the models, which raise the rubric's version, and are recorded in the cycle's audit trail.
Stored scores are not recomputed with each change (as in the admin): every page that reads a stored score
from an earlier version computes it afresh, each draft is scored again when it is saved, and the page
offers to recompute the stored scores of the whole cycle.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from assessment.access import get_cycle_for
from assessment.audit import audit, named, said
from scoring.criterion_forms import RULE_WORDS, answer_groups
from scoring.domain import copy_previous_rubric, previous_rubric, rescore_cycle, rubric_for
from scoring.models import RubricFrozen, ScoreResult
from scoring.rubric_forms import rubric_settings_forms, save_rubric_settings


def questions():
    """The words of each answer a rule may read, by path, in the reader's language."""
    return {path: label for _title, answers in answer_groups() for path, label in answers}


def frozen_message(rubric):
    """Why the rubric cannot change (the model's own words), or "" while it can."""
    if not rubric.is_frozen:
        return ""
    try:
        rubric.refuse_if_frozen()
    except RubricFrozen as frozen:
        return frozen.messages[0]
    return ""


def refused_when_frozen(request, rubric):
    """A redirect to the rubric's page saying why nothing can change, or None while it can."""
    reason = frozen_message(rubric)
    if reason:
        messages.error(request, _("Nothing was changed. %(reason)s") % {"reason": reason})
        return redirect("rubric_edit", rubric.cycle_id)
    return None


def changed(request, rubric, summary, message, **data):
    """Record a change of the rubric in the cycle's trail, and tell the organizer (``message``).

    ``summary``: what changed, in English words, or a ``said`` to show each reader in their language."""
    words = said(gettext_noop("Rubric of %(cycle)s: %(change)s"), cycle=named(rubric.cycle), change=summary)
    audit(request.user, "rubric.changed", cycle=rubric.cycle, words=words, **data)
    messages.success(request, message)


def category_rows(rubric):
    """The categories, each with its criteria and their sum, and the prerequisites (two queries)."""
    criteria, reads = defaultdict(list), questions()
    for criterion in rubric.criteria.all():
        criterion.rule_words = RULE_WORDS.get(criterion.kind, criterion.kind)
        criterion.reads = reads.get((criterion.params or {}).get("field", ""), "")
        criteria[criterion.category_id].append(criterion)
    rows = []
    for category in rubric.categories.all():
        mine = criteria[category.pk]
        added = sum((c.points for c in mine), start=Decimal(0))
        rows.append({"category": category, "criteria": mine, "added": added, "short": category.points - added})
    return rows, criteria[None]


@require_http_methods(["GET"])
def rubric_edit(request, pk):
    cycle = get_cycle_for(request, pk)
    rubric = rubric_for(cycle)
    rows, prerequisites = category_rows(rubric)
    reason = frozen_message(rubric)
    stale = ScoreResult.objects.filter(application__cycle=cycle).exclude(rubric_version=rubric.version).count()
    context = {
        "cycle": cycle,
        "rubric": rubric,
        "frozen": reason,
        "levels": list(rubric.levels.all()),
        "categories": rows,
        "prerequisites": prerequisites,
        "most": sum((r["category"].points for r in rows), start=Decimal(0)),
        "previous": None if reason else previous_rubric(cycle),
        "stale": stale,
    }
    return render(request, "organize/rubric.html", context)


@require_http_methods(["GET", "POST"])
def rubric_settings(request, pk):
    """The threshold, the minimum share and the levels, saved together."""
    cycle = get_cycle_for(request, pk)
    rubric = rubric_for(cycle)
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    settings, levels = rubric_settings_forms(rubric, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if settings.is_valid() and levels.is_valid():
            try:
                save_rubric_settings(settings, levels)
            except RubricFrozen:
                return refused_when_frozen(request, rubric_for(cycle))
            changed(
                request, rubric, "threshold, minimum share and levels saved", _("The settings and levels are saved.")
            )
            return redirect("rubric_edit", cycle.pk)
        messages.error(request, _("Nothing was saved: correct what is marked below."))
    context = {"cycle": cycle, "rubric": rubric, "form": settings, "levels": levels}
    return render(request, "organize/rubric_settings.html", context)


@require_http_methods(["GET", "POST"])
def rubric_copy(request, pk):
    """GET: what copying the previous cycle's rubric replaces; POST from its confirm button: copy it."""
    cycle = get_cycle_for(request, pk)
    rubric = rubric_for(cycle)
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    source = previous_rubric(cycle)
    if request.method == "POST":
        if request.POST.get("confirm") != "copy":
            messages.info(request, _("Nothing was copied yet: check what will be replaced, then confirm."))
            return redirect("rubric_copy", cycle.pk)
        try:
            source = copy_previous_rubric(rubric, request.user)
        except ValidationError as refused:
            messages.error(request, _("Nothing was copied. %(reason)s") % {"reason": " ".join(refused.messages)})
        else:
            said = {"cycle": cycle, "source": source.cycle}
            messages.success(request, _("The rubric of %(cycle)s is now a copy of the rubric of %(source)s.") % said)
        return redirect("rubric_edit", cycle.pk)
    if source is None:
        messages.error(request, _("There is no cycle before %(cycle)s to copy a rubric from.") % {"cycle": cycle})
        return redirect("rubric_edit", cycle.pk)
    context = {"cycle": cycle, "rubric": rubric, "source": source, "counts": _counts(rubric), "theirs": _counts(source)}
    return render(request, "organize/rubric_copy.html", context)


def _counts(rubric):
    return {
        "categories": rubric.categories.count(),
        "criteria": rubric.criteria.count(),
        "levels": rubric.levels.count(),
    }


@require_POST
def rubric_rescore(request, pk):
    """Recompute the stored scores of the cycle's applications with the rubric as it is now."""
    cycle = get_cycle_for(request, pk)
    count = rescore_cycle(cycle)
    said = ngettext(
        "%(count)s application scored with the rubric as it is now.",
        "%(count)s applications scored with the rubric as it is now.",
        count,
    )
    messages.success(request, said % {"count": count})
    return redirect("rubric_edit", cycle.pk)
