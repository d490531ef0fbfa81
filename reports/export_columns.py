"""The columns of the organizers' exports (``reports.export_tables``): headers and what each means.

Made when an export is asked for, in the language of the organizer who asks: the headers, the data
dictionary's meanings and its scoring rules. Names typed by organizers (categories, criteria) stay as typed.
"""

from django.utils.translation import gettext as _

from assessment import questionnaire
from reports.exports import Column, number
from scoring.models import EVIDENCE_LABELS
from scoring.rules import RULE_KINDS

RULE_LABELS = dict(RULE_KINDS)
METRIC_KINDS = [(c.value, c.label) for c in questionnaire.question("metrics", "kind").choices if c.value != "other"]


def rule_text(criterion):
    """How a criterion is scored, in a sentence for the data dictionary."""
    params = criterion.params or {}
    parts = [str(RULE_LABELS.get(criterion.kind, criterion.kind))]
    if params.get("field"):
        parts.append(_("reads the answer %(field)s") % {"field": params["field"]})
    if params.get("bands"):
        if params.get("direction") == "le":
            band = _("at most %(threshold)s%(unit)s → %(points)s")
        else:
            band = _("at least %(threshold)s%(unit)s → %(points)s")
        unit = params.get("unit", "")
        bands = ", ".join(
            band % {"threshold": number(t), "unit": unit, "points": number(p)} for t, p in params["bands"]
        )
        parts.append(_("bands: %(bands)s") % {"bands": bands})
    if params.get("values"):
        parts.append(_("earns points for: %(values)s") % {"values": ", ".join(map(str, params["values"]))})
    if params.get("min") is not None:
        parts.append(_("needs at least %(min)s") % {"min": params["min"]})
    if params.get("require"):
        parts.append(_("must include %(values)s") % {"values": ", ".join(params["require"])})
    if params.get("document"):
        document = EVIDENCE_LABELS.get(params["document"], params["document"])
        parts.append(_("document: %(document)s") % {"document": document})
    if criterion.kind == "judged":
        parts.append(_("scored by reviewers against written anchors; blank until reviewed"))
    if criterion.evidence:
        document = EVIDENCE_LABELS.get(criterion.evidence, criterion.evidence)
        parts.append(_("points only with a %(document)s attached") % {"document": document})
    return "; ".join(parts)


def identity_columns():
    return [
        Column(_("Jurisdiction"), _("The city or county's name."), width=34),
        Column(_("Kind"), _("City, county, city-county or town."), width=12),
        Column(_("State"), _("State or province."), width=8),
        Column(_("Population"), _("The population the jurisdiction reported."), type="number", width=12),
        Column(_("Population band"), _("One of the four bands designees are compared within."), width=20),
    ]


def category_columns(rubric):
    return [
        Column(
            f"{c.code} {c.name}",
            _("Points in category %(code)s (%(name)s), from the decision's snapshot or the rule score.")
            % {"code": c.code, "name": c.name},
            type="number",
            width=max(12, min(30, len(c.name) + 4)),
            max_points=c.points,
        )
        for c in rubric.categories
    ]


def designee_columns(rubric):
    """The designee list's columns."""
    columns = [
        *identity_columns(),
        Column(_("Level"), _("The designation level the panel decided."), width=26),
        Column(
            _("Total"),
            _("Total points of the decision (the rule score for recorded designations)."),
            type="number",
        ),
        *category_columns(rubric),
        Column(_("Contact name"), _("The application's contact person (profile step)."), width=24),
        Column(_("Contact e-mail"), _("The application's contact e-mail (profile step)."), width=30),
        Column(_("Cycle"), _("The designation cycle."), width=12),
        Column(_("Valid from"), _("First day the designation is valid."), type="date", width=12),
        Column(_("Valid until"), _("Last day the designation is valid."), type="date", width=12),
        Column(
            _("Designated on"),
            _("Day of the decision (or of the recorded designation)."),
            type="date",
            width=14,
        ),
        Column(
            _("Published on"),
            _("Day the decision was published; blank: not public yet."),
            type="date",
            width=14,
        ),
        Column(
            _("Basis"),
            _("Panel decision, or a designation recorded from an earlier announcement."),
            width=22,
        ),
    ]
    return columns


def analysis_columns(rubric, prerequisites, criteria):
    """The analysis table's columns: the application, its scores, every prerequisite and criterion, its metrics."""
    category_names = {c.code: c.name for c in rubric.categories}
    columns = [
        *identity_columns(),
        Column(_("Status"), _("Draft or submitted."), width=11),
        Column(
            _("Submitted at"),
            _("When the application was submitted (site time)."),
            type="date and time",
            width=18,
        ),
        Column(
            _("Outcome"),
            _("The current decision: Designated or Not designated; blank: not decided."),
            width=15,
        ),
        Column(
            _("Outcome basis"),
            _("Panel decision, or a designation recorded from an earlier announcement."),
            width=20,
        ),
        Column(_("Decided on"), _("Day of the current decision."), type="date", width=12),
        Column(
            _("Level"),
            _("The decision's level; without a decision, the level the rules give."),
            width=26,
        ),
        Column(
            _("Total"),
            _("Total points: the decision's, or the rule score's without a decision."),
            type="number",
        ),
        Column(
            _("Eligible by rule"),
            _("Whether the rule score meets every designation condition."),
            type="yes/no",
        ),
        Column(
            _("Score source"),
            _("Panel decision or Rule score: where the points on this row come from."),
            width=15,
        ),
        Column(
            _("Rubric version"),
            _("Version of the rubric the numbers on this row were computed with."),
            type="number",
        ),
        Column(_("Pending criteria"), _("Criteria waiting for reviewers (no points yet)."), width=18),
        *category_columns(rubric),
        *(
            Column(
                _("%(code)s met") % {"code": c.code},
                _("Prerequisite %(code)s: %(title)s. Pass or fail; any failure makes the application ineligible.")
                % {"code": c.code, "title": c.title},
                type="yes/no",
                width=9,
                rule=rule_text(c),
            )
            for c in prerequisites
        ),
        *(
            Column(
                c.code,
                _("%(title)s (category %(code)s %(name)s). Blank: not scored yet.")
                % {"title": c.title, "code": c.category, "name": category_names.get(c.category, "")},
                type="number",
                width=7,
                rule=rule_text(c),
                max_points=c.points,
            )
            for c in criteria
        ),
        Column(
            _("Metrics reported"),
            _("Number of performance metrics the application lists."),
            type="number",
        ),
        *(
            Column(header % {"metric": label}, meaning % {"metric": label}, width=16)
            for _kind, label in METRIC_KINDS
            for header, meaning in (
                (
                    _("%(metric)s: target"),
                    _("%(metric)s: the target as the applicant typed it (text, units included)."),
                ),
                (
                    _("%(metric)s: latest value"),
                    _("%(metric)s: the latest value as the applicant typed it (text, units included)."),
                ),
            )
        ),
        Column(
            _("Other metrics"),
            _("Other metrics listed: name, target and latest value, as typed."),
            width=40,
        ),
    ]
    return columns
