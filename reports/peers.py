"""How a jurisdiction compares with its peers: its key figures beside those of the other designees.

The peers of an application are the *designated* jurisdictions of the same cycle and the same population
band: those whose current decision (the one no appeal superseded) designated them, **published or not**.
The comparison is made for the designation report, which organizers read before the announcement, so a
decision that is not published yet counts already. Designations recorded from the 2013–2015 announcements
(``reports.designees.RECORDED_DESIGNATION``) have no decision and no scores, and are not peers.

For each band and figure the group's spread is summed up by its lower quartile, median and upper quartile
(``statistics.quantiles(..., method="inclusive")``: the group is the whole population of designees, not a
sample of a larger one, and the inclusive method keeps every quartile within the figures given). A spread is
kept only when at least ``MIN_GROUP`` designees of the band gave the figure, so no one can be singled out; a
missing answer is left out, never counted as 0.

``peer_figures(cycle)`` computes every band's figures at once and caches them in Django's cache under a key
made of the cycle and a hash of the group: each designee's application (its pk, its version, raised by every
change of its answers), its population (its band) and its current decision's pk (a decision never changes;
a new one supersedes it). Any change to the group, their answers or their decisions makes a new key, so the
cached figures are never stale; reading them costs one small query per report.
"""

import hashlib
import json
import math
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.models import POPULATION_BANDS, Application, population_band
from reports.designees import CURRENT, joined_current_decision
from reports.report_words import points
from review.models import Decision
from scoring.models import Category

MIN_GROUP = 5  # fewer designees than this in a band, or answering a figure: no spread is shown
GROUP = "designees"  # the pseudo-figure of ``peer_figures`` whose ``n`` is the number of designees in the band
CATEGORY = "category:"  # a category's figure is named CATEGORY + its code
CACHE_VERSION = 1  # raise when the figures' arithmetic changes
CACHE_SECONDS = 24 * 60 * 60

# Marked for translation, kept as English text (tests and callers compare with it); said with ``_()``.
FEWER = gettext_noop("Fewer than five designees in this band answered this.")
QUARTILES_NOTE = gettext_noop(
    "Quartiles in plain words: line up the designees' figures from lowest to highest. A quarter of them are "
    "at or below the lower quartile, half at or below the median and three quarters at or below the upper "
    "quartile; the middle half lies between the two quartiles."
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # English, marked for translation: said with ``_()`` in the report's language
    unit: str  # "count", "percent", "seconds" or "points"
    path: tuple  # (step, question) in the answers, or ("metrics",): the metric rows
    lower_is_better: bool = False


FIGURES = (
    Figure("channels", gettext_noop("Channels that take service requests"), "count", ("channels", "channels")),
    Figure("self_service", gettext_noop("Self-service options"), "count", ("channels", "self_service")),
    Figure("metrics", gettext_noop("Performance metrics tracked"), "count", ("metrics",)),
    Figure(
        "service_level",
        gettext_noop("Service level (calls answered in target time)"),
        "percent",
        ("performance", "service_level_pct"),
    ),
    Figure(
        "asa",
        gettext_noop("Average speed of answer (lower is better)"),
        "seconds",
        ("performance", "asa_seconds"),
        True,
    ),
    Figure(
        "abandonment",
        gettext_noop("Abandonment rate (lower is better)"),
        "percent",
        ("performance", "abandonment_pct"),
        True,
    ),
    Figure("fcr", gettext_noop("First-contact resolution"), "percent", ("performance", "fcr_pct")),
    Figure("csat", gettext_noop("Customer satisfaction"), "percent", ("participation", "csat_pct")),
    Figure("sla_compliance", gettext_noop("SLA compliance"), "percent", ("accountability", "sla_compliance_pct")),
)


@dataclass(frozen=True)
class Stats:
    """A group's spread of one figure: ``n`` figures given; the quartiles only when ``n >= MIN_GROUP``."""

    n: int
    lower: float | None = None
    median: float | None = None
    upper: float | None = None

    @property
    def shown(self):
        return self.n >= MIN_GROUP


# --- The arithmetic (pure) -----------------------------------------------------------------


def _number(value):
    """A numeric answer as a float; None when missing, empty, a yes/no or not a finite number."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def answer_value(figure, answers):
    """One figure of an application's answers, or None when it was not answered.

    A count of choices (channels, self-service options) is 0 when its step was answered with none ticked
    (the wizard stores nothing for an empty choice); the metrics tracked are the rows naming a metric.
    """
    step = answers.get(figure.path[0]) if isinstance(answers, dict) else None
    if figure.path == ("metrics",):
        return (
            float(sum(1 for row in step if isinstance(row, dict) and row.get("kind")))
            if isinstance(step, list)
            else None
        )
    if not isinstance(step, dict):
        return None
    value = step.get(figure.path[1])
    if figure.unit == "count":
        if value is None:
            return 0.0
        return float(len(set(value))) if isinstance(value, list) else None
    return _number(value)


def category_points(snapshot):
    """{category code: points} frozen in a decision's snapshot ({code: points}, or rows with code and points)."""
    found = (snapshot or {}).get("categories") if isinstance(snapshot, dict) else None
    if isinstance(found, list):
        found = {row.get("code"): row.get("points") for row in found if isinstance(row, dict)}
    if not isinstance(found, dict):
        return {}
    return {str(code): number for code, value in found.items() if (number := _number(value)) is not None}


def figure_values(answers, snapshot):
    """{figure key: value or None} of one application: its answers' figures and its categories' points."""
    values = {figure.key: answer_value(figure, answers) for figure in FIGURES}
    values.update({CATEGORY + code: points for code, points in category_points(snapshot).items()})
    return values


def stats_of(values):
    """The spread of the figures given (None left out): the quartiles only when at least ``MIN_GROUP``."""
    given = sorted(v for v in values if v is not None)
    if len(given) < MIN_GROUP:
        return Stats(len(given))
    lower, median, upper = statistics.quantiles(given, n=4, method="inclusive")
    return Stats(len(given), lower, median, upper)


def band_figures(members):
    """{band: {figure: Stats}} of ``members``, (band name, figure values) pairs; every band is present,
    and ``GROUP``'s ``n`` is the number of designees in the band."""
    by_band = {name: [] for _lower, name in POPULATION_BANDS}
    for band, values in members:
        by_band[band].append(values)
    figures = {}
    for band, rows in by_band.items():
        keys = {key for row in rows for key in row}
        figures[band] = {key: stats_of([row.get(key) for row in rows]) for key in sorted(keys)}
        figures[band][GROUP] = Stats(len(rows))
    return figures


def standing(value, stats, lower_is_better=False):
    """Where ``value`` stands among the group's quartiles, in words; the sense reversed when lower is better."""
    # Whole sentences for each sense (the better and the weaker side swap when lower is better).
    best_edge = _("At the upper quartile: at the edge of the best quarter of designees")
    worst_edge = _("At the upper quartile: at the edge of the weakest quarter of designees")
    if value == stats.median:
        return _("At the median")
    if value == stats.upper:
        return worst_edge if lower_is_better else best_edge
    if value == stats.lower:
        if lower_is_better:
            return _("At the lower quartile: at the edge of the best quarter of designees")
        return _("At the lower quartile: at the edge of the weakest quarter of designees")
    if value > stats.upper:
        if lower_is_better:
            return _("Above the upper quartile: among the weakest quarter of designees")
        return _("Above the upper quartile: among the best quarter of designees")
    if value > stats.median:
        if lower_is_better:
            return _("Between the median and the upper quartile: in the weaker half of designees")
        return _("Between the median and the upper quartile: in the better half of designees")
    if value > stats.lower:
        if lower_is_better:
            return _("Between the lower quartile and the median: in the better half of designees")
        return _("Between the lower quartile and the median: in the weaker half of designees")
    if lower_is_better:
        return _("Below the lower quartile: among the best quarter of designees")
    return _("Below the lower quartile: among the weakest quarter of designees")


def formatted(value, unit):
    """A figure for people: 78%, 41 s, 6 (a quartile of counts may fall between two: 6.5), 12.5 (points)."""
    if value is None:
        return ""
    if unit == "points":
        return points(value)
    shown = points(round(value, 1))  # one decimal at most, written the way the active language writes it
    if unit == "percent":
        return _("%(number)s%%") % {"number": shown}
    if unit == "seconds":
        return _("%(number)s s") % {"number": shown}
    return shown


def row(figure, value, stats, missing):
    """One row of the table: the figure, its value (or ``missing``), the group's quartiles and where it stands."""
    shown = {
        "key": figure.key,
        "label": _(figure.label),
        "yours": missing if value is None else formatted(value, figure.unit),
        "answered": value is not None,
        "shown": stats.shown,
        "lower": "",
        "median": "",
        "upper": "",
        "standing": _(FEWER),
    }
    if stats.shown:
        shown.update(
            lower=formatted(stats.lower, figure.unit),
            median=formatted(stats.median, figure.unit),
            upper=formatted(stats.upper, figure.unit),
            standing=_("Not compared") if value is None else standing(value, stats, figure.lower_is_better),
        )
    return shown


# --- The group's figures, once per cycle ---------------------------------------------------

_KEY_FIELDS = ("pk", "version", "jurisdiction__population", "decision_pk")


def _designated(cycle):
    """The cycle's applications whose current decision designated them, published or not."""
    queryset = joined_current_decision(Application.objects.filter(cycle=cycle))
    return queryset.filter(decision_outcome=Decision.Outcome.DESIGNATED).order_by()


def cache_key(cycle_pk, members):
    """The figures' key in the cache: the cycle and a hash of its designees' (application pk, version,
    population, current decision pk)."""
    rows = sorted([str(pk), version, population, decision_pk] for pk, version, population, decision_pk in members)
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
    return f"peers:{CACHE_VERSION}:{cycle_pk}:{digest}"


def peer_figures(cycle):
    """{band name: {figure key: Stats}} of the cycle's designees (``GROUP``: the band's designees), every band.

    Computed once for each state of the group and cached: one query when cached (the group's keys), two
    when not (then the designees' answers and their decisions' snapshots, all at once).
    """
    designated = _designated(cycle)
    key = cache_key(cycle.pk, designated.values_list(*_KEY_FIELDS))
    figures = cache.get(key)
    if figures is None:
        rows = list(
            designated.annotate(decision_snapshot=F(f"{CURRENT}__snapshot")).values_list(
                *_KEY_FIELDS, "answers", "decision_snapshot"
            )
        )
        figures = band_figures((population_band(r[2]), figure_values(r[4], r[5])) for r in rows)
        # Under the key of what was read: a decision recorded between the two queries makes another key.
        cache.set(cache_key(cycle.pk, [r[:4] for r in rows]), figures, CACHE_SECONDS)
    return figures


# --- One application's comparison ----------------------------------------------------------


def _category_figures(cycle, categories):
    """A ``Figure`` per rubric category, in the rubric's order (read, one query, unless given)."""
    if categories is None:
        categories = Category.objects.filter(rubric__cycle=cycle).order_by("code")
    return [
        Figure(
            CATEGORY + c.code,
            _("%(code)s %(name)s (of %(points)s points)")
            % {"code": c.code, "name": c.name, "points": points(c.points)},
            "points",
            (),
        )
        for c in categories
    ]


def _is_designee(decision):
    return decision is not None and decision.outcome == Decision.Outcome.DESIGNATED and not decision.superseded_at


def comparison(application, decision=None, categories=None):
    """What the "How you compare" section shows for ``application``: plain, JSON-serialisable data.

    ``decision``: its current decision, whose snapshot gives its category points (None: not decided yet).
    ``categories``: the cycle's rubric categories (objects with code, name and points, e.g. the engine
    rubric's), read when not given. Queries: one (the cached figures; two more to compute them), and one
    more without ``categories``. Keys: jurisdiction, cycle, band, group_size, shown (the group has at
    least five), intro, caption, rows (see ``row``; empty when not shown) and note.
    """
    cycle, jurisdiction = application.cycle, application.jurisdiction
    band = jurisdiction.population_band
    figures = peer_figures(cycle)[band]
    size = figures[GROUP].n
    own = figure_values(application.answers, decision.snapshot if decision else None)
    shown = size >= MIN_GROUP
    rows = []
    if shown:
        no_points = _("Not scored") if decision else _("No decision yet")
        rows = [row(f, own.get(f.key), figures.get(f.key, Stats(0)), _("Not answered")) for f in FIGURES]
        rows += [
            row(f, own.get(f.key), figures.get(f.key, Stats(0)), no_points)
            for f in _category_figures(cycle, categories)
        ]
        values = {"jurisdiction": jurisdiction, "size": size, "band": band, "cycle": cycle.name}
        if _is_designee(decision):
            intro = _(
                "This table sets %(jurisdiction)s's key figures beside those of the %(size)s designated "
                "jurisdictions, %(jurisdiction)s among them, in the %(band)s population band of the %(cycle)s cycle."
            )
        else:
            intro = _(
                "This table sets %(jurisdiction)s's key figures beside those of the %(size)s designated "
                "jurisdictions in the %(band)s population band of the %(cycle)s cycle."
            )
        intro %= values
    else:
        intro = _(
            "Fewer than five jurisdictions in the %(band)s population band were designated in the %(cycle)s "
            "cycle: too few to compare with, since one of them could be singled out."
        ) % {"band": band, "cycle": cycle.name}
    return {
        "jurisdiction": str(jurisdiction),
        "cycle": cycle.name,
        "band": str(band),
        "group_size": size,
        "shown": shown,
        "intro": intro,
        "caption": _("%(jurisdiction)s beside the designees of its population band (%(band)s), %(cycle)s")
        % {"jurisdiction": jurisdiction, "band": band, "cycle": cycle.name},
        "rows": rows,
        "note": _(QUARTILES_NOTE) if shown else "",
    }


def comparison_data(compared):
    """Everything the section shows, as JSON-ready data for the report's input hash: a report re-renders
    when what it would show of the group's figures (or of the application's own) changes."""
    return {
        "intro": compared["intro"],
        "caption": compared["caption"],
        "rows": [[r["key"], r["yours"], r["lower"], r["median"], r["upper"], r["standing"]] for r in compared["rows"]],
    }
