"""The organizer's forms of a rubric's parts: add, change and delete a category or a criterion.

Each form page comes back with what was typed and the reasons when it is refused. A frozen rubric refuses
every change with the reason (``pages.rubric.refused_when_frozen``); the models refuse it too, should the
rubric be frozen while the form is filled in. After a change the rubric's page says when a category's
criteria add up to less than its points.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from assessment.access import get_cycle_for, require_organizer
from pages.rubric import changed, refused_when_frozen
from scoring.criterion_forms import RULE_WORDS, CriterionForm
from scoring.domain import rubric_for
from scoring.models import Category, Criterion, RubricFrozen
from scoring.rubric_forms import CategoryForm, criteria_points
from scoring.rules import plain

REFUSED = gettext_lazy("Nothing was saved: correct what is marked below.")


def _part(request, model, pk):
    """A category or criterion, for an organizer (403 for anyone else, 404 if there is none)."""
    require_organizer(request.user)
    return get_object_or_404(model.objects.select_related("rubric__cycle"), pk=pk)


def _short_of_points(request, category):
    """Warn when the category's criteria add up to less than its points (more is refused by the forms)."""
    if category is None:
        return
    added = criteria_points(category)
    if added < category.points:
        said = {"code": category.code, "added": plain(added), "points": plain(category.points)}
        messages.warning(
            request,
            _(
                "The criteria of category %(code)s add up to %(added)s of its %(points)s points: "
                "applicants cannot reach its full points."
            )
            % said,
        )


# --- Categories --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def category_add(request, pk):
    cycle = get_cycle_for(request, pk)
    return _category_page(request, rubric_for(cycle), None)


@require_http_methods(["GET", "POST"])
def category_edit(request, pk):
    category = _part(request, Category, pk)
    return _category_page(request, category.rubric, category)


def _category_page(request, rubric, category):
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    form = CategoryForm(request.POST if request.method == "POST" else None, instance=category, rubric=rubric)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = form.save()
            except RubricFrozen:
                return refused_when_frozen(request, rubric_for(rubric.cycle))
            verb = "changed" if category else "added"
            said = (_("Category %(code)s is changed.") if category else _("Category %(code)s is added.")) % {
                "code": saved.code
            }
            changed(request, rubric, f"category {saved.code} {verb}", said, part="category")
            _short_of_points(request, saved)
            return redirect("rubric_edit", rubric.cycle_id)
        messages.error(request, REFUSED)
    context = {"cycle": rubric.cycle, "rubric": rubric, "form": form, "category": category}
    return render(request, "organize/rubric_category.html", context)


@require_http_methods(["GET", "POST"])
def category_delete(request, pk):
    """GET: what deleting the category takes with it; POST from its confirm button: delete it."""
    category = _part(request, Category, pk)
    rubric = category.rubric
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    criteria = list(category.criteria.all())
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.info(request, _("Nothing was deleted yet: check what goes with it, then confirm."))
            return redirect("rubric_category_delete", category.pk)
        try:
            category.delete()  # its criteria with it (the models' cascade)
        except RubricFrozen:
            return refused_when_frozen(request, rubric_for(rubric.cycle))
        gone = f" with its {len(criteria)} criteri{'a' if len(criteria) != 1 else 'on'}" if criteria else ""
        said = {"code": category.code, "count": len(criteria)}
        if criteria:
            words = ngettext(
                "Category %(code)s is deleted with its %(count)s criterion.",
                "Category %(code)s is deleted with its %(count)s criteria.",
                len(criteria),
            )
        else:
            words = _("Category %(code)s is deleted.")
        changed(request, rubric, f"category {category.code} deleted{gone}", words % said)
        return redirect("rubric_edit", rubric.cycle_id)
    context = {"cycle": rubric.cycle, "rubric": rubric, "category": category, "criteria": criteria}
    return render(request, "organize/rubric_category_delete.html", context)


# --- Criteria ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def criterion_add(request, pk):
    """A new criterion; ``?category=<pk>`` (empty: a prerequisite) and ``?kind=`` choose where and which rule."""
    cycle = get_cycle_for(request, pk)
    rubric = rubric_for(cycle)
    initial = {}
    if request.GET.get("kind") in RULE_WORDS:
        initial["kind"] = initial["shown_kind"] = request.GET["kind"]
    if "category" in request.GET:
        initial["category"] = request.GET["category"][:20]
    return _criterion_page(request, rubric, None, initial)


@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk):
    criterion = _part(request, Criterion, pk)
    return _criterion_page(request, criterion.rubric, criterion)


def _criterion_page(request, rubric, criterion, initial=None):
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    data = request.POST if request.method == "POST" else None
    was = criterion.category if criterion else None
    form = CriterionForm(data, rubric=rubric, criterion=criterion, initial=initial)
    if data is not None:
        if form.is_valid():
            try:
                saved = form.save()
            except RubricFrozen:
                return refused_when_frozen(request, rubric_for(rubric.cycle))
            verb = "changed" if criterion else "added"
            summary = f"criterion {saved.code} {verb}"
            said = (_("Criterion %(code)s is changed.") if criterion else _("Criterion %(code)s is added.")) % {
                "code": saved.code
            }
            changed(request, rubric, summary, said, part="criterion", code=saved.code)
            _short_of_points(request, saved.category)
            if was is not None and was != saved.category:
                _short_of_points(request, was)
            return redirect("rubric_edit", rubric.cycle_id)
        messages.error(request, REFUSED)
    context = {"cycle": rubric.cycle, "rubric": rubric, "form": form, "criterion": criterion}
    return render(request, "organize/rubric_criterion.html", context)


@require_http_methods(["GET", "POST"])
def criterion_delete(request, pk):
    """GET: the criterion and what it gives; POST from its confirm button: delete it."""
    criterion = _part(request, Criterion, pk)
    rubric = criterion.rubric
    refused = refused_when_frozen(request, rubric)
    if refused:
        return refused
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.info(request, _("Nothing was deleted yet: confirm first."))
            return redirect("rubric_criterion_delete", criterion.pk)
        category = criterion.category
        try:
            criterion.delete()
        except RubricFrozen:
            return refused_when_frozen(request, rubric_for(rubric.cycle))
        said = _("Criterion %(code)s is deleted.") % {"code": criterion.code}
        changed(request, rubric, f"criterion {criterion.code} deleted", said)
        _short_of_points(request, category)
        return redirect("rubric_edit", rubric.cycle_id)
    context = {"cycle": rubric.cycle, "rubric": rubric, "criterion": criterion, "rule": RULE_WORDS.get(criterion.kind)}
    return render(request, "organize/rubric_criterion_delete.html", context)
