"""A cycle's summary of designees, in the manner of the program's announcement (seed 004), and its cached PDF.

A cover with the program's seal, the designees by population band each with
its own seal, the highlights of what they have in common and the trends since
the cycle before (``reports.summary_highlights``). The designees are
``reports.designees.designees(cycle)`` (the one rule of who is a designee).

The summary is written in the language of the organizer who asks. The language is part of the inputs'
hash, so the cached copy is served only to someone reading its language; asked in the other, it is made
again in that one (organizers of one program mostly read one language).
"""

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessment.models import POPULATION_BANDS, Cycle
from reports import report_files
from reports.designees import designees, grouped, seal_heading, seal_svg, xml_text
from reports.models import ReportFile
from reports.render import STATIC_BASE
from reports.summary_highlights import highlights, trends
from review.models import Certificate
from scoring import levels

# Files the summary's look depends on besides the report templates and print.css (``design_version``).
DESIGN_FILES = ("static/reports/summary.css", "templates/public/seal.svg")


@dataclass
class Designees:
    """What the summary is made from: the cycle's published designees and those of the cycle before."""

    rows: list
    previous: Cycle | None = None
    previous_rows: list = field(default_factory=list)
    # {application id: the certificate of its current decision}: their seals print where to verify them.
    certificates: dict = field(default_factory=dict)


def previous_cycle(cycle):
    """The latest cycle valid before ``cycle`` (an earlier ``valid_from``) that has published designees, or None."""
    with_designees = designees(recorded_on=False).filter(cycle__valid_from__lt=cycle.valid_from).values("cycle_id")
    return Cycle.objects.filter(pk__in=with_designees).order_by("-valid_from", "-opens_at").first()


def _design_version():
    digest = hashlib.sha256(report_files.design_version().encode())
    for name in DESIGN_FILES:
        path = Path(settings.BASE_DIR) / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def certificates_of(rows):
    """{application id: certificate} of the rows' current decisions, in one query (recorded ones have none)."""
    found = Certificate.objects.filter(
        decision__application__in=[row.pk for row in rows], decision__superseded_at=None
    ).select_related("decision")
    return {certificate.decision.application_id: certificate for certificate in found}


def gather(cycle):
    """The designees (``Designees``) and a hash of everything the summary shows, the trends' sources included."""
    rows = list(designees(cycle))
    certificates = certificates_of(rows) if rows else {}
    previous = previous_cycle(cycle)
    previous_rows = list(designees(previous, recorded_on=False)) if previous else []
    inputs = {
        "design": _design_version(),
        "language": translation.get_language(),
        "cycle": [cycle.pk, cycle.name, cycle.valid_from, cycle.valid_until],
        "designees": [[str(a.pk), str(a.jurisdiction), a.jurisdiction.population, a.level, a.answers] for a in rows],
        "seals": [settings.SITE_URL, sorted(c.code for c in certificates.values())],
        "previous": [previous.pk, previous.name, [[str(a.pk), a.answers] for a in previous_rows]] if previous else None,
    }
    return Designees(rows, previous, previous_rows, certificates), report_files.inputs_hash(inputs)


def is_recorded(designee):
    """A designation recorded from an announcement (no panel decision), not one the panel made here."""
    return designee.decision_pk is None


# --- Seals ----------------------------------------------------------------------------------------------


def data_url(svg):
    """An SVG as an ``<img src>``: a data URL, so that the PDF's tags give it the ``alt`` text (never inline)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def program_seal_svg(cycle):
    """The program's seal for the cover: the public seal's look with the cycle in the middle, no jurisdiction."""
    return render_to_string(
        "public/seal.svg",
        {
            "name": _("Designees %(cycle)s") % {"cycle": xml_text(cycle.name)},
            "lines": [{"text": xml_text(cycle.name), "y": 210}],
            "name_size": 34,
            "heading": seal_heading(),
            "level": _("Designees"),
            "cycle": _("Designation program"),
            "valid_until": cycle.valid_until,
            # The lower lines where a seal without a verification address has them; there is none to verify.
            "y": (282, 306, 328),
            "verify": "",
        },
    )


def _cards(rows, certificates):
    """Each designee with its seal (a data URL) and the seal's alternative text."""
    return [
        {
            "designee": row,
            "name": str(row.jurisdiction),
            "seal": data_url(seal_svg(row, certificates.get(row.pk))),
            "level": levels.label(row.level),
            "alt": _("Seal of %(jurisdiction)s: %(level)s, %(cycle)s")
            % {"jurisdiction": row.jurisdiction, "level": levels.label(row.level), "cycle": row.cycle.name},
            "recorded": is_recorded(row),
        }
        for row in rows
    ]


def band_counts(rows):
    """[(band name, count)] of every population band, largest first (as the designees are listed)."""
    ranks = [row.population_band_rank for row in rows]
    return [(name, ranks.count(rank)) for rank, (_lower, name) in reversed(list(enumerate(POPULATION_BANDS)))]


# --- The summary ------------------------------------------------------------------------------------------


def html(cycle, gathered):
    """The summary as the HTML the render process prints, from what ``gather`` read."""
    rows = gathered.rows
    answers = [a.answers or {} for a in rows]
    bands = grouped(rows)[0]["bands"] if rows else []
    context = {
        "cycle": cycle,
        "count": len(rows),
        "band_counts": band_counts(rows) if rows else [],
        "bands": [{"name": band["name"], "cards": _cards(band["designees"], gathered.certificates)} for band in bands],
        "program_seal": data_url(program_seal_svg(cycle)),
        "highlights": highlights(answers),
        "previous": gathered.previous,
        "trends": (
            trends(gathered.previous.name, [a.answers or {} for a in gathered.previous_rows], answers)
            if gathered.previous
            else []
        ),
        "recorded": any(is_recorded(a) for a in rows),
        "report_date": timezone.localdate(),
        "static_base": STATIC_BASE,
        "site_name": _(settings.SITE_NAME),
    }
    return render_to_string("reports/pdf/cycle_summary.html", context)


def report_file(cycle):
    """The cycle's summary of designees as a ReportFile, cached like the application reports."""
    gathered, digest = gather(cycle)
    report, _created = ReportFile.objects.get_or_create(
        kind=ReportFile.Kind.CYCLE_SUMMARY, cycle=cycle, application=None
    )
    return report_files.current_or_made(report, digest, lambda: html(cycle, gathered))
