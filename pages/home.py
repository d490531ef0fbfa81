"""The home page: each role's own start page."""

from django.core.paginator import Paginator
from django.shortcuts import render

from assessment.access import applications_for
from assessment.models import Cycle
from review.appeals import pending_appeals
from review.views import reviewer_home
from scoring.domain import estimate_for


def home(request):
    user = request.user
    if user.is_organizer:
        return _organizer_home(request)
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
                "standings": [(a, estimate_for(a)) for a in current if a.is_draft],
                "has_previous": bool(applications),
            },
        )
    if user.is_reviewer:
        return reviewer_home(request)
    return render(request, "403.html", {"message": "Your account has no role yet; ask an organizer."}, status=403)


# A page of the organizer's list of applications: its cost does not grow with the cycle.
APPLICATIONS_PER_PAGE = 50


def _organizer_home(request):
    """The organizer's dashboard: a page of the applications of the open cycles, whatever their number.

    The page is found among (jurisdiction, cycle) pairs, which the unique index on them holds: the database
    sorts the cycle's applications without reading their rows (each with its answers' and wizard's JSON),
    then the page's rows are read, without that JSON (the list shows neither).
    """
    visible = applications_for(request.user).filter(cycle__status=Cycle.Status.OPEN)
    keys = visible.order_by("jurisdiction__name", "cycle__opens_at", "jurisdiction_id", "cycle_id").values_list(
        "jurisdiction_id", "cycle_id"
    )
    page = Paginator(keys, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    pairs = list(page.object_list)
    rows = visible.filter(jurisdiction_id__in={j for j, _c in pairs}, cycle_id__in={c for _j, c in pairs}).defer(
        "answers", "wizard_state"
    )
    by_key = {(a.jurisdiction_id, a.cycle_id): a for a in rows}
    page.object_list = [by_key[key] for key in pairs if key in by_key]
    return render(
        request,
        "assessment/home_organizer.html",
        {
            "cycles": Cycle.objects.all(),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "appeals": pending_appeals(),
        },
    )
