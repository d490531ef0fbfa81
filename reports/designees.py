"""Who is a designee, and what the public may know about them.

A jurisdiction is a designee of a cycle when the *current* panel decision on
its application (the one no appeal superseded) designated it. The public sees
it only once that decision is published: applicants who were not designated,
or whose designation is not announced yet, never appear on a public page, in
the open data or on a seal.

The 2013–2015 designees predate the review app: ``assessment.demo`` records
them as an ``application.designated`` audit event on a submitted application
in a published cycle. Such a record counts only while the application has no
panel decision at all; a decision, once made, is the single source of truth.

Everything here is one query whatever the number of designees: the current
decision is joined (at most one per application, the ``one_current_decision``
constraint), never read row by row or in one correlated subquery per field.
"""

import re
import textwrap
from itertools import groupby
from urllib.parse import urlsplit

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessment.models import POPULATION_BANDS, Application, AuditEvent, Cycle
from review import certificates
from review.models import Decision
from scoring import levels

# The audit action assessment/demo.py writes for a designation recorded
# from an announcement (demo_data.DESIGNATED); a test keeps the two equal.
RECORDED_DESIGNATION = "application.designated"
# What a recorded designation, or a decision that named no level, is called (in the data: English;
# ``scoring.levels.label`` says it in the reader's language).
PLAIN_LEVEL = levels.PLAIN

# Characters XML 1.0 forbids even when escaped, and surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def current_decisions():
    """The current decision of the application in the outer query (newest first, in case of a tie)."""
    return Decision.objects.filter(application=OuterRef("pk"), superseded_at__isnull=True).order_by(
        "-decided_at", "-pk"
    )


def with_current_decision(queryset):
    """Annotate each application with its current decision's fields (``decision_*``; None without one)."""
    current = current_decisions()
    return queryset.annotate(
        decision_pk=Subquery(current.values("pk")[:1]),
        decision_outcome=Subquery(current.values("outcome")[:1]),
        decision_level=Subquery(current.values("level")[:1]),
        decision_total=Subquery(current.values("total")[:1]),
        decision_decided_at=Subquery(current.values("decided_at")[:1]),
        decision_published_at=Subquery(current.values("published_at")[:1]),
    )


def band_rank():
    """The population band as a number (0 = smallest), so the database can sort and group by it."""
    whens = [
        When(jurisdiction__population__gte=lower, then=Value(rank))
        for rank, (lower, _name) in reversed(list(enumerate(POPULATION_BANDS)))
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


# The decision the current one is joined as (``current_decision__*``); see ``joined_current_decision``.
CURRENT = "current_decision"


def joined_current_decision(queryset):
    """Join each application's current decision (LEFT OUTER: None without one) and name its fields ``decision_*``.

    One join instead of a correlated subquery per field: the ``one_current_decision``
    constraint leaves at most one decision per application unsuperseded.
    """
    return queryset.annotate(
        **{CURRENT: FilteredRelation("decisions", condition=Q(decisions__superseded_at__isnull=True))}
    ).annotate(
        **{f"decision_{name}": F(f"{CURRENT}__{name}") for name in DECISION_FIELDS},
    )


DECISION_FIELDS = ["pk", "outcome", "level", "total", "decided_at", "published_at"]


def _designated(published_only):
    # On the joined fields' names (``decision_*``): a filter on ``current_decision__*`` would join it again.
    decided = Q(decision_outcome=Decision.Outcome.DESIGNATED)
    if published_only:
        decided &= Q(decision_published_at__isnull=False)
    return decided


def _only_designees(queryset, published_only):
    """The applications of ``queryset`` whose jurisdiction is a designee (see ``designees``)."""
    # Found from the decisions and the audit events, by the applications' keys: the database reads the
    # designees' rows only, never every application (and its answers) of every cycle.
    designated_ids = Decision.objects.filter(superseded_at=None, outcome=Decision.Outcome.DESIGNATED)
    if published_only:
        designated_ids = designated_ids.filter(published_at__isnull=False)
    recorded_ids = AuditEvent.objects.filter(
        action=RECORDED_DESIGNATION, application__cycle__status=Cycle.Status.PUBLISHED
    ).exclude(Exists(Decision.objects.filter(application=OuterRef("application_id"))))
    return queryset.filter(
        pk__in=designated_ids.order_by()
        .values("application_id")
        .union(recorded_ids.order_by().values("application_id"), all=True)
    )


def designees(cycle=None, published_only=True, recorded_on=True):
    """Applications whose jurisdiction is a designee, with ``level`` annotated.

    ``published_only=False`` adds designations decided but not yet published,
    for organizers preparing the announcement; nothing public uses it.
    ``recorded_on``: annotate ``recorded_designated_on`` (the day of a recorded designation).
    Ordered newest cycle first, then largest population band, then name.
    """
    recorded = AuditEvent.objects.filter(application=OuterRef("pk"), action=RECORDED_DESIGNATION)
    decided = _designated(published_only)
    queryset = Application.objects.select_related("jurisdiction", "cycle")
    if cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    queryset = _only_designees(joined_current_decision(queryset), published_only).annotate(
        level=Case(
            When(decided, then=Coalesce(NullIf(F("decision_level"), Value("")), Value(PLAIN_LEVEL))),
            default=Value(PLAIN_LEVEL),
        ),
        population_band_rank=band_rank(),
    )
    if recorded_on:
        queryset = queryset.annotate(
            recorded_designated_on=Subquery(
                recorded.annotate(on=KeyTextTransform("designated_on", "data")).values("on")[:1]
            )
        )
    return queryset.order_by(
        "-cycle__opens_at", "cycle_id", "-population_band_rank", "jurisdiction__name", "jurisdiction__state"
    )


def counts(cycle):
    """{"designees": decided or recorded, published or not; "published": those the public sees}: one query."""
    published = Q(decision_published_at__isnull=False) | Q(decision_pk__isnull=True)  # recorded ones are public
    queryset = joined_current_decision(Application.objects.filter(cycle=cycle))
    return _only_designees(queryset, published_only=False).aggregate(
        designees=Count("pk"), published=Count("pk", filter=published)
    )


def designated_on(decided_at, recorded_on, tz=None):
    """The day of the designation: the decision's, or the one recorded from the announcement (ISO text)."""
    if decided_at:
        return timezone.localdate(decided_at, tz)
    try:
        return parse_date(recorded_on or "")
    except (TypeError, ValueError):
        return None


def public_list(cycle=None):
    """The published designees as the public pages read them: without the answers or the wizard's state.

    Those are the application's large JSON fields, which no public page shows;
    the jurisdiction and the cycle come whole, in the same query.
    """
    return designees(cycle, recorded_on=False).only("id", "cycle", "jurisdiction")


def public_page_list(cycle=None):
    """``public_list`` with ``in_cycle``: the number of published designees of the row's cycle, all of them
    (not only those of a page of the list), counted by the database in the same query."""
    return public_list(cycle).annotate(in_cycle=Window(Count("pk"), partition_by=[F("cycle_id")]))


def public_designee(cycle_id, jurisdiction_id):
    """The published designee of a cycle, or None: what a seal URL may show."""
    return public_list().filter(cycle_id=cycle_id, jurisdiction_id=jurisdiction_id).first()


def grouped(applications):
    """[{cycle, bands: [{name, designees}], count}]: the public page's sections, in the queryset's order.

    ``count`` is the cycle's ``in_cycle`` (``public_page_list``) when the rows have it, else the rows'.
    """
    sections = []
    for cycle, in_cycle in groupby(applications, key=lambda a: a.cycle):
        bands = [
            {"name": POPULATION_BANDS[rank][1], "designees": list(rows)}
            for rank, rows in groupby(in_cycle, key=lambda a: a.population_band_rank)
        ]
        count = getattr(bands[0]["designees"][0], "in_cycle", None)
        sections.append({"cycle": cycle, "bands": bands, "count": count or sum(len(b["designees"]) for b in bands)})
    return sections


# The open data's fields, in order: only what is public (no scores, no contacts).
OPEN_DATA_FIELDS = [
    "cycle",
    "valid_from",
    "valid_until",
    "jurisdiction",
    "kind",
    "state",
    "country",
    "population_band",
    "level",
    "seal_url",
]


def open_data_row(application, seal_url=""):
    """One designee as open data: only what is public (no scores, no contacts)."""
    jurisdiction, cycle = application.jurisdiction, application.cycle
    return {
        "cycle": cycle.name,
        "valid_from": cycle.valid_from.isoformat(),
        "valid_until": cycle.valid_until.isoformat(),
        "jurisdiction": jurisdiction.name,
        "kind": jurisdiction.get_kind_display(),
        "state": jurisdiction.state,
        "country": jurisdiction.country,
        "population_band": POPULATION_BANDS[application.population_band_rank][1],
        "level": application.level,
        "seal_url": seal_url,
    }


# --- The seal -----------------------------------------------------------------


def seal_heading():
    """The two lines at the top of every seal, in the active language, smaller when they are long (French)."""
    first, second = pgettext("seal, first line", "CITIZEN-ENGAGED"), pgettext("seal, second line", "COMMUNITY")
    short = max(len(first), len(second)) <= 16
    return {"first": first, "second": second, "size": 19 if short else 14, "spacing": 2 if short else 1}


def xml_text(value):
    """Text safe inside an XML document once escaped: no control characters, one line."""
    return " ".join(_NOT_XML.sub("", str(value)).split())


def name_lines(name, width=26, most=3):
    """The name wrapped for the seal's middle; a very long one ends with an ellipsis."""
    lines = textwrap.wrap(name, width=width, break_long_words=True) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


LOOK_UP = object()  # seal_svg's default: find the current decision's certificate


def seal_svg(application, certificate=LOOK_UP):
    """The seal as SVG text: static shapes and escaped text only, no scripts, links or external resources.

    With the certificate of the designation (``certificate``; by default the current decision's, looked up;
    None: it has none), the seal also prints where to verify it: "Verify: <site>/verify/<code>/".
    """
    cycle = application.cycle
    lines = name_lines(xml_text(application.jurisdiction))
    # Centre the name block vertically around y=200; long lines get a smaller size to stay inside the circle.
    first_y = 200 - (len(lines) - 1) * 14
    if certificate is LOOK_UP:
        certificate = certificates.current_for(application)
    verify = ""
    if certificate is not None:
        address = urlsplit(certificate.verify_url)
        verify = xml_text(_("Verify: %(address)s") % {"address": f"{address.netloc}{address.path}"})
    return render_to_string(
        "public/seal.svg",
        {
            "name": xml_text(application.jurisdiction),
            "lines": [{"text": line, "y": first_y + index * 28} for index, line in enumerate(lines)],
            "name_size": 24 if max(map(len, lines)) <= 22 else 21,
            "heading": seal_heading(),
            "level": xml_text(levels.label(application.level)),
            "cycle": xml_text(cycle.name),
            "valid_until": cycle.valid_until,
            # The lines below the name move up to leave room for the address to verify it at.
            "y": (272, 294, 314) if verify else (282, 306, 328),
            "verify": verify,
            # One line within the circle's 196 units at that height, however long the site's address.
            "verify_size": f"{min(10, 196 / (0.58 * max(len(verify), 1))):.1f}",
        },
    )


def seal_filename(application):
    base = re.sub(r"[^A-Za-z0-9]+", "-", f"{application.jurisdiction.name} {application.cycle.name}").strip("-")
    return f"seal-{base.lower() or 'designee'}.svg"
