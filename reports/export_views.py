"""Downloads of a cycle's data for organizers, and the public list of designees for everyone.

Organizer exports hold contacts and scores: organizers only (403 for other
roles; LoginRequiredMiddleware sends anonymous visitors to the login page),
never cached. The public views need no login and show only published
designations (``reports.designees``).
"""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessment.access import get_cycle_for
from assessment.models import Application, Cycle
from reports import designees as public
from reports.downloads import csv_response, download_name, xlsx_response
from reports.export_tables import analysis_table, designee_table
from reports.exports import Column, Table

# --- Organizers ---------------------------------------------------------------

EXPORTS = [
    {
        "title": gettext_lazy("Designee list"),
        "description": gettext_lazy(
            "Each designee with its level, total and category scores, population band, contact person and the "
            "dates the designation is valid. Includes decisions not yet published (their “Published on” is blank)."
        ),
        "xlsx": "export_designees_xlsx",
        "csv": "export_designees_csv",
    },
    {
        "title": gettext_lazy("Analysis table"),
        "description": gettext_lazy(
            "Every application of the cycle, one column per criterion of the cycle’s rubric, the prerequisites and "
            "the metrics each reported. The Excel file adds a data dictionary explaining every column."
        ),
        "xlsx": "export_analysis_xlsx",
        "csv": "export_analysis_csv",
    },
]


@require_GET
def cycle_exports(request, cycle_id):
    """The organizer's page of a cycle's downloads."""
    cycle = get_cycle_for(request, cycle_id)
    context = {
        "cycle": cycle,
        "exports": EXPORTS,
        "applications": Application.objects.filter(cycle=cycle).count(),
        **public.counts(cycle),
        "cycles": Cycle.objects.exclude(pk=cycle.pk),
    }
    return render(request, "reports/exports/cycle_exports.html", context)


@require_GET
@never_cache
def export_designees_xlsx(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    return xlsx_response([designee_table(cycle)], download_name(_("designees"), cycle.name, extension="xlsx"))


@require_GET
@never_cache
def export_designees_csv(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    return csv_response(designee_table(cycle), download_name(_("designees"), cycle.name, extension="csv"))


@require_GET
@never_cache
def export_analysis_xlsx(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    return xlsx_response([analysis_table(cycle)], download_name(_("analysis"), cycle.name, extension="xlsx"))


@require_GET
@never_cache
def export_analysis_csv(request, cycle_id):
    cycle = get_cycle_for(request, cycle_id)
    return csv_response(analysis_table(cycle), download_name(_("analysis"), cycle.name, extension="csv"))


# --- Everyone -----------------------------------------------------------------


class BadFilter(Exception):
    """A query parameter that cannot be used; the message says why."""


def _cycle_filter(request):
    """The cycle named by ``?cycle=<id>``, or None for every cycle."""
    raw = request.GET.get("cycle", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²" is a digit to isdigit(), not to int()
        raise BadFilter(_("“cycle” must be a cycle’s number, as in ?cycle=3."))
    cycle = Cycle.objects.filter(pk=int(raw)).first()
    if cycle is None:
        raise Http404(_("There is no cycle with that number."))
    return cycle


def _bad_request(request, message, as_json=False):
    if as_json:
        return JsonResponse({"error": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def _seal_url(request, application):
    return request.build_absolute_uri(
        reverse(
            "public_seal", kwargs={"cycle_id": application.cycle_id, "jurisdiction_id": application.jurisdiction_id}
        )
    )


# A page of the public list: its cost does not grow with the number of designees.
DESIGNEES_PER_PAGE = 50


@login_not_required
@require_GET
def public_designees(request):
    """The designees of every cycle, by population band, each with its seal."""
    try:
        cycle = _cycle_filter(request)
    except BadFilter as problem:
        return _bad_request(request, str(problem))
    page = Paginator(public.public_page_list(cycle), DESIGNEES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/designees.html",
        {
            "sections": public.grouped(page.object_list),
            "cycle": cycle,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "filter": _page_filter(cycle),
        },
    )


def _page_filter(cycle):
    """The query string that keeps the cycle filter on the links to other pages of the list."""
    return f"cycle={cycle.pk}&" if cycle else ""


def _open_data_rows(request, cycle):
    for application in public.public_list(cycle):
        yield public.open_data_row(application, _seal_url(request, application))


@login_not_required
@require_GET
def public_designees_csv(request):
    """The public list as open data in CSV (UTF-8, no byte-order mark: for programs first)."""
    try:
        cycle = _cycle_filter(request)
    except BadFilter as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    table = Table(
        "Designees",
        [Column(name, "") for name in public.OPEN_DATA_FIELDS],
        ([row[name] for name in public.OPEN_DATA_FIELDS] for row in _open_data_rows(request, cycle)),
    )
    response = csv_response(table, "citizen-engaged-communities.csv", bom=False)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_GET
def public_designees_json(request):
    """The public list as open data in JSON."""
    try:
        cycle = _cycle_filter(request)
    except BadFilter as problem:
        return _bad_request(request, str(problem), as_json=True)
    rows = list(_open_data_rows(request, cycle))
    data = {
        "title": "Designated Citizen-Engaged Communities",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "fields": public.OPEN_DATA_FIELDS,
        "designees": rows,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_GET
def public_seal(request, cycle_id, jurisdiction_id):
    """A designee's seal as an SVG download; 404 for anyone not publicly designated in that cycle."""
    application = public.public_designee(cycle_id, jurisdiction_id)
    if application is None:
        raise Http404(_("This jurisdiction has no published designation in that cycle."))
    response = HttpResponse(public.seal_svg(application), content_type="image/svg+xml")
    response["Content-Disposition"] = content_disposition_header(True, public.seal_filename(application))
    # Opened directly, the file still can run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
