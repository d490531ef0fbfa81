"""What the organizers' exports hold: the designee list and the analysis table, as ``Table``s.

Scores come from the current panel decision when there is one (its snapshot's
categories and criteria if it kept them), else from the stored rule score
(``scoring.models.ScoreResult``): the exports never run the engine. Every
lookup is a join or a correlated subquery: the number of queries does not grow
with the number of applications, and rows are produced lazily from
``queryset.iterator()`` in chunks. ``reports.exports`` writes them as Excel or CSV.
"""

import re

from django.db.models import Exists, JSONField, OuterRef, Subquery
from django.db.models.fields.json import KT, KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Application, AuditEvent, Jurisdiction, population_band
from reports.designees import RECORDED_DESIGNATION, current_decisions, designated_on, designees, with_current_decision
from reports.export_columns import METRIC_KINDS, analysis_columns, designee_columns
from reports.exports import Table, local_day, local_naive, number
from review.models import Decision
from scoring.models import Rubric

CHUNK_SIZE = 250  # rows per database fetch: small enough that memory stays flat

KIND_LABELS = dict(Jurisdiction.Kind.choices)
STATUS_LABELS = dict(Application.Status.choices)
OUTCOME_LABELS = dict(Decision.Outcome.choices)

# --- The rubric and the scores ------------------------------------------------


def _natural(code):
    """A2 before A10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def rubric_of(cycle):
    """The cycle's rubric as plain data; the product's default when the cycle has none (read only, nothing saved)."""
    rubric = Rubric.objects.filter(cycle=cycle).first()
    return rubric.to_engine() if rubric else Rubric.default()


def _integer(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def scores(row):
    """The numbers an export shows for one application row (a dict from ``_values``).

    The current decision's when there is one, else the rule score's; the
    decision's snapshot gives the parts (categories, criteria…) it kept.
    """
    decided = row["decision_outcome"] is not None

    def part(key, kind=dict):
        kept = row.get(f"snapshot_{key}") if decided else None
        if isinstance(kept, kind):
            return kept
        scored = row.get(f"result_{key}")
        return scored if isinstance(scored, kind) else kind()

    if decided:
        outcome, basis = OUTCOME_LABELS.get(row["decision_outcome"], row["decision_outcome"]), _("Panel decision")
    elif row["recorded_designation"]:
        outcome, basis = OUTCOME_LABELS[Decision.Outcome.DESIGNATED], _("Recorded designation")
    else:
        outcome, basis = "", ""
    return {
        "outcome": str(outcome),
        "basis": basis,
        "source": _("Panel decision") if decided else (_("Rule score") if row["score__total"] is not None else ""),
        "total": number(row["decision_total"] if decided else row["score__total"]),
        "level": (row["decision_level"] if decided else row["score__level"]) or "",
        "eligible": row["score__eligible"],
        "categories": part("categories"),
        "criteria": part("criteria"),
        "prerequisites": part("prerequisites"),
        "pending": [] if decided else part("pending", list),
        "rubric_version": _integer(row["snapshot_rubric_version"] if decided else None) or row["score__rubric_version"],
    }


FIELDS = [
    "pk",
    "status",
    "submitted_at",
    "jurisdiction__name",
    "jurisdiction__kind",
    "jurisdiction__state",
    "jurisdiction__population",
    "cycle__name",
    "cycle__valid_from",
    "cycle__valid_until",
    "score__total",
    "score__eligible",
    "score__level",
    "score__rubric_version",
    "decision_outcome",
    "decision_level",
    "decision_total",
    "decision_decided_at",
    "decision_published_at",
    "recorded_designation",
    "snapshot_rubric_version",
]


def _values(queryset, parts, *extra, **expressions):
    """Plain rows with everything an export reads, the current decision's included, streamed in chunks.

    ``parts`` are the keys of the score (``ScoreResult.result``) and of the
    decision's snapshot the export needs: only those are read and decoded.
    """
    current = current_decisions()
    if "decision_outcome" not in queryset.query.annotations:
        queryset = with_current_decision(queryset)
    for key in parts:
        expressions[f"result_{key}"] = KeyTransform(key, "score__result")
        expressions[f"snapshot_{key}"] = Subquery(current.values(f"snapshot__{key}")[:1], output_field=JSONField())
    queryset = queryset.annotate(
        snapshot_rubric_version=Subquery(current.annotate(v=KT("snapshot__rubric_version")).values("v")[:1]),
        recorded_designation=Exists(AuditEvent.objects.filter(application=OuterRef("pk"), action=RECORDED_DESIGNATION)),
    )
    return queryset.values(*FIELDS, *extra, **expressions).iterator(chunk_size=CHUNK_SIZE)


def _identity(row):
    population = row["jurisdiction__population"]
    return [
        row["jurisdiction__name"],
        str(KIND_LABELS.get(row["jurisdiction__kind"], row["jurisdiction__kind"])),
        row["jurisdiction__state"],
        population,
        population_band(population),
    ]


# --- The designee list --------------------------------------------------------


def designee_table(cycle, published_only=False):
    """The designees of a cycle with contacts and scores: what organizers announce and send seals to.

    Includes designations decided but not yet published (their "Published on"
    is blank) unless ``published_only``.
    """
    rubric = rubric_of(cycle)
    columns = designee_columns(rubric)
    codes = [c.code for c in rubric.categories]
    queryset = designees(cycle, published_only=published_only)

    def rows():
        tz = timezone.get_current_timezone()  # once: looking it up costs more than the conversion
        for row in _values(
            queryset,
            ["categories"],
            "level",
            "recorded_designated_on",
            contact_name=KT("answers__profile__contact_name"),
            contact_email=KT("answers__profile__contact_email"),
        ):
            numbers = scores(row)
            published = row["decision_published_at"]
            yield [
                *_identity(row),
                row["level"],
                numbers["total"],
                *(number(numbers["categories"].get(code)) for code in codes),
                row["contact_name"],
                row["contact_email"],
                row["cycle__name"],
                row["cycle__valid_from"],
                row["cycle__valid_until"],
                designated_on(row["decision_decided_at"], row["recorded_designated_on"], tz),
                local_day(published, tz),
                numbers["basis"],
            ]

    return Table(_("Designees"), columns, rows())


# --- The analysis table -------------------------------------------------------


def _criteria(rubric):
    criteria = sorted(rubric.criteria, key=lambda c: (c.category, _natural(c.code)))
    prerequisites = sorted(rubric.prerequisites, key=lambda c: _natural(c.code))
    return prerequisites, criteria


def _metrics(rows):
    """{kind: (target, latest value)} for the named kinds, and the other metrics as one text."""
    by_kind, others = {}, []
    for metric in rows if isinstance(rows, list) else []:
        if not isinstance(metric, dict):
            continue
        kind = metric.get("kind")
        target, latest = str(metric.get("target") or ""), str(metric.get("latest_value") or "")
        if kind in by_kind:  # a second metric of a kind: keep both
            by_kind[kind] = (f"{by_kind[kind][0]}; {target}", f"{by_kind[kind][1]}; {latest}")
        elif kind and kind != "other":
            by_kind[kind] = (target, latest)
        else:
            text = str(metric.get("name") or _("Unnamed metric"))
            details = ", ".join(p for p in (_("target %(target)s") % {"target": target} if target else "", latest) if p)
            others.append(f"{text}: {details}" if details else text)
    return by_kind, "; ".join(others)


def analysis_table(cycle):
    """Every application of a cycle with every criterion's points, its prerequisites and its reported metrics."""
    rubric = rubric_of(cycle)
    prerequisites, criteria = _criteria(rubric)
    columns = analysis_columns(rubric, prerequisites, criteria)
    category_codes = [c.code for c in rubric.categories]
    prerequisite_codes = [c.code for c in prerequisites]
    criterion_codes = [c.code for c in criteria]
    queryset = Application.objects.filter(cycle=cycle).order_by("jurisdiction__name", "jurisdiction__state")

    def rows():
        tz = timezone.get_current_timezone()  # once: looking it up costs more than the conversion
        parts = ["categories", "criteria", "prerequisites", "pending"]
        for row in _values(queryset, parts, metrics=KeyTransform("metrics", "answers")):
            numbers = scores(row)
            decided_at = row["decision_decided_at"]
            by_kind, others = _metrics(row["metrics"])
            metric_count = len(row["metrics"]) if isinstance(row["metrics"], list) else 0
            yield [
                *_identity(row),
                str(STATUS_LABELS.get(row["status"], row["status"])),
                local_naive(row["submitted_at"], tz) if row["submitted_at"] else None,
                numbers["outcome"],
                numbers["basis"],
                local_day(decided_at, tz),
                numbers["level"],
                numbers["total"],
                numbers["eligible"],
                numbers["source"],
                numbers["rubric_version"],
                ", ".join(numbers["pending"]),
                *(number(numbers["categories"].get(code)) for code in category_codes),
                *map(numbers["prerequisites"].get, prerequisite_codes),
                *(number(numbers["criteria"].get(code)) for code in criterion_codes),
                metric_count,
                *(value for kind, _label in METRIC_KINDS for value in by_kind.get(kind, (None, None))),
                others,
            ]

    return Table(_("Applications"), columns, rows())
