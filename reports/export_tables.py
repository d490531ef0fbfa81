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

from assessment import questionnaire
from assessment.models import Application, AuditEvent, Jurisdiction, population_band
from reports.designees import RECORDED_DESIGNATION, current_decisions, designated_on, designees, with_current_decision
from reports.exports import Column, Table, local_day, local_naive, number
from review.models import Decision
from scoring.models import EVIDENCE_LABELS, Rubric
from scoring.rules import RULE_KINDS

CHUNK_SIZE = 250  # rows per database fetch: small enough that memory stays flat

KIND_LABELS = dict(Jurisdiction.Kind.choices)
STATUS_LABELS = dict(Application.Status.choices)
OUTCOME_LABELS = dict(Decision.Outcome.choices)
RULE_LABELS = dict(RULE_KINDS)
METRIC_KINDS = [(c.value, c.label) for c in questionnaire.question("metrics", "kind").choices if c.value != "other"]

# --- The rubric and the scores ------------------------------------------------


def _natural(code):
    """A2 before A10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def rubric_of(cycle):
    """The cycle's rubric as plain data; the product's default when the cycle has none (read only, nothing saved)."""
    rubric = Rubric.objects.filter(cycle=cycle).first()
    return rubric.to_engine() if rubric else Rubric.default()


def rule_text(criterion):
    """How a criterion is scored, in a sentence for the data dictionary."""
    params = criterion.params or {}
    parts = [RULE_LABELS.get(criterion.kind, criterion.kind)]
    if params.get("field"):
        parts.append(f"reads the answer {params['field']}")
    if params.get("bands"):
        direction = {"ge": "at least", "le": "at most"}.get(params.get("direction"), "at least")
        unit = params.get("unit", "")
        bands = ", ".join(f"{direction} {number(t)}{unit} → {number(p)}" for t, p in params["bands"])
        parts.append(f"bands: {bands}")
    if params.get("values"):
        parts.append("earns points for: " + ", ".join(map(str, params["values"])))
    if params.get("min") is not None:
        parts.append(f"needs at least {params['min']}")
    if params.get("require"):
        parts.append("must include " + ", ".join(params["require"]))
    if params.get("document"):
        parts.append(f"document: {EVIDENCE_LABELS.get(params['document'], params['document'])}")
    if criterion.kind == "judged":
        parts.append("scored by reviewers against written anchors; blank until reviewed")
    if criterion.evidence:
        parts.append(f"points only with a {EVIDENCE_LABELS.get(criterion.evidence, criterion.evidence)} attached")
    return "; ".join(parts)


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
        outcome, basis = OUTCOME_LABELS.get(row["decision_outcome"], row["decision_outcome"]), "Panel decision"
    elif row["recorded_designation"]:
        outcome, basis = OUTCOME_LABELS[Decision.Outcome.DESIGNATED], "Recorded designation"
    else:
        outcome, basis = "", ""
    return {
        "outcome": outcome,
        "basis": basis,
        "source": "Panel decision" if decided else ("Rule score" if row["score__total"] is not None else ""),
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
        KIND_LABELS.get(row["jurisdiction__kind"], row["jurisdiction__kind"]),
        row["jurisdiction__state"],
        population,
        population_band(population),
    ]


IDENTITY_COLUMNS = [
    Column("Jurisdiction", "The city or county's name.", width=34),
    Column("Kind", "City, county, city-county or town.", width=12),
    Column("State", "State or province.", width=8),
    Column("Population", "The population the jurisdiction reported.", type="number", width=12),
    Column("Population band", "One of the four bands designees are compared within.", width=20),
]


def _category_columns(rubric):
    return [
        Column(
            f"{c.code} {c.name}",
            f"Points in category {c.code} ({c.name}), from the decision's snapshot or the rule score.",
            type="number",
            width=max(12, min(30, len(c.name) + 4)),
            max_points=c.points,
        )
        for c in rubric.categories
    ]


# --- The designee list --------------------------------------------------------


def designee_table(cycle, published_only=False):
    """The designees of a cycle with contacts and scores: what organizers announce and send seals to.

    Includes designations decided but not yet published (their "Published on"
    is blank) unless ``published_only``.
    """
    rubric = rubric_of(cycle)
    columns = [
        *IDENTITY_COLUMNS,
        Column("Level", "The designation level the panel decided.", width=26),
        Column("Total", "Total points of the decision (the rule score for recorded designations).", type="number"),
        *_category_columns(rubric),
        Column("Contact name", "The application's contact person (profile step).", width=24),
        Column("Contact e-mail", "The application's contact e-mail (profile step).", width=30),
        Column("Cycle", "The designation cycle.", width=12),
        Column("Valid from", "First day the designation is valid.", type="date", width=12),
        Column("Valid until", "Last day the designation is valid.", type="date", width=12),
        Column("Designated on", "Day of the decision (or of the recorded designation).", type="date", width=14),
        Column("Published on", "Day the decision was published; blank: not public yet.", type="date", width=14),
        Column("Basis", "Panel decision, or a designation recorded from an earlier announcement.", width=22),
    ]
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

    return Table("Designees", columns, rows())


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
            text = str(metric.get("name") or "Unnamed metric")
            details = ", ".join(p for p in (f"target {target}" if target else "", latest) if p)
            others.append(f"{text}: {details}" if details else text)
    return by_kind, "; ".join(others)


def analysis_table(cycle):
    """Every application of a cycle with every criterion's points, its prerequisites and its reported metrics."""
    rubric = rubric_of(cycle)
    prerequisites, criteria = _criteria(rubric)
    category_names = {c.code: c.name for c in rubric.categories}
    columns = [
        *IDENTITY_COLUMNS,
        Column("Status", "Draft or submitted.", width=11),
        Column("Submitted at", "When the application was submitted (site time).", type="date and time", width=18),
        Column("Outcome", "The current decision: Designated or Not designated; blank: not decided.", width=15),
        Column("Outcome basis", "Panel decision, or a designation recorded from an earlier announcement.", width=20),
        Column("Decided on", "Day of the current decision.", type="date", width=12),
        Column("Level", "The decision's level; without a decision, the level the rules give.", width=26),
        Column("Total", "Total points: the decision's, or the rule score's without a decision.", type="number"),
        Column("Eligible by rule", "Whether the rule score meets every designation condition.", type="yes/no"),
        Column("Score source", "Panel decision or Rule score: where the points on this row come from.", width=15),
        Column("Rubric version", "Version of the rubric the numbers on this row were computed with.", type="number"),
        Column("Pending criteria", "Criteria waiting for reviewers (no points yet).", width=18),
        *_category_columns(rubric),
        *(
            Column(
                f"{c.code} met",
                f"Prerequisite {c.code}: {c.title}. Pass or fail; any failure makes the application ineligible.",
                type="yes/no",
                width=9,
                rule=rule_text(c),
            )
            for c in prerequisites
        ),
        *(
            Column(
                c.code,
                f"{c.title} (category {c.category} {category_names.get(c.category, '')}). Blank: not scored yet.",
                type="number",
                width=7,
                rule=rule_text(c),
                max_points=c.points,
            )
            for c in criteria
        ),
        Column("Metrics reported", "Number of performance metrics the application lists.", type="number"),
        *(
            Column(
                f"{label}: {part}", f"{label}: the {part} as the applicant typed it (text, units included).", width=16
            )
            for _kind, label in METRIC_KINDS
            for part in ("target", "latest value")
        ),
        Column("Other metrics", "Other metrics listed: name, target and latest value, as typed.", width=40),
    ]
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
                STATUS_LABELS.get(row["status"], row["status"]),
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

    return Table("Applications", columns, rows())
