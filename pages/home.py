"""The home page: each role's own start page."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from assessment.access import applications_for, may_appeal
from assessment.models import Cycle
from pages import attention
from review.appeals import pending_appeals
from review.states import states_for
from review.views import reviewer_home
from scoring.domain import estimate_for


def home(request):
    user = request.user
    if user.is_organizer:
        return _organizer_home(request)
    if user.is_applicant and user.jurisdiction_id:
        return _applicant_home(request)
    if user.is_reviewer:
        return reviewer_home(request)
    return render(request, "403.html", {"message": _("Your account has no role yet; ask an organizer.")}, status=403)


def _applicant_home(request):
    """The jurisdiction's dashboard: its applications, each in the state its staff may see, led by what
    needs them (a question of the panel waiting for an answer) and by the decision on their latest
    submitted application once it is published.

    A constant number of queries whatever the number of applications (``review.states.states_for``); an
    estimate of where a draft stands is scored for each draft of an open cycle only.
    """
    user = request.user
    applications = sorted(applications_for(user), key=lambda a: a.cycle.opens_at, reverse=True)
    states = states_for(user, applications)
    rows = [(a, states[a.pk]) for a in applications]
    started = {a.cycle_id for a in applications}
    # The decision leads while it is on the jurisdiction's latest submitted application: an older one is in the list.
    latest_submitted = next(((a, s) for a, s in rows if not a.is_draft), None)
    published = latest_submitted is not None and latest_submitted[1].published
    return render(
        request,
        "assessment/home_applicant.html",
        {
            # Their applications' jurisdiction is the user's, already read with them.
            "jurisdiction": applications[0].jurisdiction if applications else user.jurisdiction,
            "rows": rows,
            "decided": (*latest_submitted, may_appeal(user, latest_submitted[0])) if published else None,
            "questions": [(a, s) for a, s in rows if s.open_questions],
            "open_cycles": [c for c in Cycle.objects.filter(status=Cycle.Status.OPEN) if c.id not in started],
            "standings": [
                (a, estimate_for(a)) for a in applications if a.is_draft and a.cycle.status == Cycle.Status.OPEN
            ],
            "has_previous": bool(applications),
        },
    )


# A page of the organizer's list of applications: its cost does not grow with the cycle.
APPLICATIONS_PER_PAGE = 50


def _organizer_home(request):
    """The organizer's dashboard: what needs attention now, the pending appeals, the cycles, and a page of the
    applications of the open cycles, whatever their number.

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
    # The cycles with their counts, and the pending appeals: each one query, shared by their tables and
    # by what needs attention (pages.attention).
    cycles, appeals = list(attention.with_figures(Cycle.objects.all())), list(pending_appeals())
    return render(
        request,
        "assessment/home_organizer.html",
        {
            "cycles": cycles,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "appeals": appeals,
            "attention": attention.items(cycles, appeals),
        },
    )
