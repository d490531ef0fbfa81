"""The organizer's list of a cycle's applications: search, filters, sortable columns, pages.

A constant number of queries whatever the number of applications, and no application's answers read: the
rows come with their jurisdiction and stored rule score, then the page's assignments, their states
(``review.states``) and the panel's figures (``review.summary``, kept per process) are read for the page.
"""

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessment.access import get_cycle_for
from assessment.models import User
from pages.application_filters import COLUMNS, ApplicationFilterForm, applications, decimal_text, sort_of
from review.models import Assignment, settings_for
from review.states import states_for
from review.summary import cycle_summary
from scoring.domain import rubric_for

PER_PAGE = 50


@require_GET
def cycle_applications(request, pk):
    cycle = get_cycle_for(request, pk)
    review_settings = settings_for(cycle)
    summary = cycle_summary(cycle, rubric_for(cycle).to_engine(), review_settings)
    reviewers = User.objects.filter(
        pk__in=Assignment.objects.filter(application__cycle=cycle, active=True).values("reviewer_id")
    ).order_by("first_name", "last_name", "username")
    sent = {name: request.GET[name] for name in ApplicationFilterForm.base_fields if request.GET.get(name)}
    form = ApplicationFilterForm(
        sent or None,
        reviewers=list(reviewers),
        # 5, 7.5 (an int when just made); 7,5 in French
        margin=decimal_text(Decimal(review_settings.disagreement_margin).normalize(), "f"),
    )
    used = form.used()
    disagreeing = [pk for pk, figures in summary.figures.items() if figures["disagree"]]
    page = Paginator(applications(cycle, used, disagreeing), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organize/applications.html",
        {
            "cycle": cycle,
            "form": form,
            "errors": _errors(form),
            "filtered": any(name != "sort" for name in sent),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "rows": _rows(request.user, list(page), summary),
            "columns": _columns(sent, used),
            "kept": _query(sent),
        },
    )


def _errors(form):
    """What could not be used, in words: "the field: its error" (the whole form's first)."""
    said = [str(error) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            said += [_("%(field)s: %(error)s") % {"field": form.fields[name].label, "error": error} for error in errors]
    return said


def _query(params, **changes):
    """The query string of ``params`` with ``changes`` (None drops a key), ending in "&" when not empty."""
    query = QueryDict(mutable=True)
    for name, value in {**params, **changes}.items():
        if value is not None:
            query[name] = value
    return f"{query.urlencode()}&" if query else ""


def _columns(sent, used):
    """The sortable columns' headers: each a link to the list sorted by it (the filters kept), the sorted one
    with its direction (``aria-sort``) and a link to the other direction."""
    key, descending = sort_of(used)
    headers = {}
    for name, (label, _field, ways) in COLUMNS.items():
        sorted_here = name == key
        then_descending = sorted_here and not descending
        headers[name] = {
            "label": label,
            "aria_sort": ("descending" if descending else "ascending") if sorted_here else "",
            "href": "?" + _query(sent, sort=f"{'-' if then_descending else ''}{name}", page=None).rstrip("&"),
            "next": ways[then_descending],
        }
    return headers


def _rows(user, listed, summary):
    """The page's rows: each application with its state, reviewers, reviews in and the panel's figures."""
    assignments = {}
    for assignment in (
        Assignment.objects.filter(application__in=[a.pk for a in listed])
        .select_related("reviewer", "review")
        .defer("review__judged", "review__adjustments", "review__comments_for_applicant", "review__private_notes")
    ):
        assignments.setdefault(assignment.application_id, []).append(assignment)
    states = states_for(user, listed)
    rows = []
    for application in listed:
        mine = assignments.get(application.pk, [])
        active = [a for a in mine if a.active]
        figures = summary.figures.get(application.pk, {})
        rows.append(
            {
                "application": application,
                "score": getattr(application, "score", None),  # none yet: nothing saved was scored
                "state": states[application.pk],
                "reviewers": [a.reviewer for a in active],
                # As the panel's page counts them: every counted review (of an ended assignment too), of the
                # reviewers assigned now.
                "reviews_in": sum(1 for a in mine if hasattr(a, "review") and a.review.counts),
                "assigned": len(active),
                "disagree": figures.get("disagree", False),
                "spread": figures.get("spread"),
                "saved": application.submitted_at or application.updated_at,
            }
        )
    return rows
