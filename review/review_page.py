"""What a reviewer's page of their review reads (``review.views.review_edit``), in few queries, and how
the page arranges it (``layout``): each judged criterion beside the answers it reads, the rule scores by
category, the reviewer's running total.

The review comes with its application and everything the page reads of it in one query: the
application's jurisdiction, its stored rule score, its cycle with the cycle's panel settings and
rubric. The documents are read once, for the list and for the engine's reasons. The other reviews
are read only once the review is submitted, when the page shows them.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessment import answers
from assessment.forms import STEPS
from review.models import Review, settings_for
from review.queries import application_panel
from review.rule_scores import rule_result
from scoring import engine
from scoring.domain import facts_for, rubric_for
from scoring.rules import ZERO, dec


def own_review(user, pk):
    """The reviewer's own review on an active assignment, with what its page reads; 404 for anyone else."""
    return get_object_or_404(
        Review.objects.select_related(
            "assignment__application__jurisdiction",
            "assignment__application__score",
            "assignment__application__cycle__review_settings",
            "assignment__application__cycle__rubric",
        ),
        pk=pk,
        assignment__reviewer=user,
        assignment__active=True,
    )


def page_data(review):
    """The rubric, the rule scores (as stored, and in words), the documents, the deadline and, once the
    review is submitted, the other counted reviews with their combination (``application_panel``)."""
    application = review.assignment.application
    cycle = application.cycle
    # Loaded with the review; a cycle without a rubric or panel settings yet gets them as the page always did.
    stored = getattr(cycle, "rubric", None)
    rubric = (stored or rubric_for(cycle)).to_engine()
    review_settings = getattr(cycle, "review_settings", None) or settings_for(cycle)
    documents = list(application.documents.all())
    data = {
        "rubric": rubric,
        "documents": documents,
        "deadline": review_settings.review_deadline,
        # The rule scores with their reasons (``review.queries.explained``, the documents' kinds known already).
        "explained": engine.score(rubric, facts_for(application, [d.kind for d in documents])),
        "others": [],
        "combined": None,
    }
    if review.is_submitted:  # independence: the others' scores only once your own review is in
        panel = application_panel(application, rubric)
        data.update(rule=panel["rule"], combined=panel["combined"])
        data["others"] = [r for r in panel["reviews"] if r.pk != review.pk]
    else:
        data["rule"] = rule_result(application, rubric)  # the stored score, loaded with the review
    return data


# The page arranged like the task -----------------------------------------------------------------------

STEP_KEYS = frozenset(step for step, _form_class in STEPS)
# What the page and review_total.js accept as points typed in an adjustment: digits, then hundredths at most.
TYPED_POINTS = re.compile(r"\s*(\d{1,6}(\.\d{1,2})?)\s*")


def steps_read(criterion, rubric):
    """The questionnaire steps whose answers a judged criterion reads, decided by the rubric: its optional
    ``params["reads"]`` (step names), else the step of the answer it scores (``params["field"]``,
    "<step>.<question>"), else the steps its category's criteria read."""
    named = [step for step in criterion.params.get("reads") or () if step in STEP_KEYS]
    if named:
        return named
    own = str(criterion.params.get("field", "")).split(".")[0]
    if own in STEP_KEYS:
        return [own]
    steps = []
    for category in rubric.categories:
        if category.code == criterion.category:
            for other in category.criteria:
                step = str(other.params.get("field", "")).split(".")[0]
                if step in STEP_KEYS and step not in steps:
                    steps.append(step)
    return steps


@dataclass(frozen=True)
class Judged:
    criterion: object
    field: object  # the bound radio field
    sections: list  # assessment.answers.Section of each step it reads
    chosen: str  # the label of the points chosen ("4 — Sustained …"), "" while none


@dataclass(frozen=True)
class RuleRow:
    criterion: object
    points: object  # the rule's points (None while open)
    reason: str  # the engine's reason in words
    points_field: object
    reason_field: object
    adjusted: object  # the points typed or saved (Decimal) when they differ from the rule's, else None

    @property
    def has_errors(self):
        return bool(self.points_field.errors or self.reason_field.errors)


@dataclass(frozen=True)
class RuleCategory:
    code: str
    name: str
    points: Decimal  # the rule's points of its rule-scored criteria
    most: Decimal  # what they could earn
    rows: list

    @property
    def adjusted(self):
        return [row for row in self.rows if row.adjusted is not None]

    @property
    def open(self):
        """Opened by default when it holds an adjustment or an error."""
        return bool(self.adjusted) or any(row.has_errors for row in self.rows)

    @property
    def summary(self):
        return _("%(code)s. %(name)s: %(points)s of %(most)s by rule") % {
            "code": self.code,
            "name": self.name,
            "points": figure(self.points),
            "most": figure(self.most),
        }


@dataclass(frozen=True)
class Total:
    rule: Decimal
    judged: Decimal
    adjustments: Decimal
    most: Decimal

    @property
    def total(self):
        return self.rule + self.judged + self.adjustments

    @property
    def words(self):
        """ "Your total: 63.5 of 100 (rule 55 + judged 8.5, adjustments +1)", as review_total.js writes it."""
        return _(
            "Your total: %(total)s of %(most)s (rule %(rule)s + judged %(judged)s, adjustments %(adjustments)s)"
        ) % {
            "total": figure(self.total),
            "most": figure(self.most),
            "rule": figure(self.rule),
            "judged": figure(self.judged),
            "adjustments": signed(self.adjustments),
        }


def figure(number):
    """Points as the page writes them: hundredths at most, no trailing zeros (55, 8.5, 63.25)."""
    text = f"{round(dec(number), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(number):
    """A change in points: +1, −2.5 (a minus sign), 0."""
    text = figure(abs(dec(number)))
    return text if text == "0" else ("+" if number > 0 else "−") + text


def typed_points(value, most):
    """Points typed or saved in a field (a number, text as posted, None) when they are a number from 0 to
    ``most``; None otherwise (the page's total leaves out what the form would refuse)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal):
        points = dec(value)
    else:
        matched = TYPED_POINTS.fullmatch(str(value))
        if not matched:
            return None
        points = Decimal(matched.group(1))
    return points if ZERO <= points <= most else None


def layout(form, rubric, explained, rule, wizard_state):
    """The page's parts from ``form`` (as posted, or as saved): each judged criterion with the answers it
    reads, the rule-scored criteria by category with their reasons and adjustment fields, and the total."""
    step_data = wizard_state.get("step_data", {})
    reasons = {c["code"]: c["reason"] for c in explained["criteria"]}
    rule_points = rule["criteria"]
    judged, categories = [], []
    rule_sum = judged_sum = adjust_sum = ZERO
    for category in rubric.categories:
        rows = []
        for criterion in category.criteria:
            code = criterion.code
            if criterion.is_judged:
                field = form[f"judged_{code}"]
                value, labels = field.value(), dict(field.field.choices)
                if str(value) in labels:  # one of its points (anything else posted is refused by the form)
                    judged_sum += typed_points(value, criterion.points) or ZERO
                sections = [answers.section(step, step_data.get(step)) for step in steps_read(criterion, rubric)]
                judged.append(Judged(criterion, field, sections, labels.get(str(value), "")))
                continue
            base = rule_points.get(code)
            rule_sum += dec(base or 0)
            points_field = form[f"adjust_{code}"]
            typed = typed_points(points_field.value(), criterion.points)
            adjusted = typed if typed is not None and base is not None and typed != dec(base) else None
            if adjusted is not None:
                adjust_sum += adjusted - dec(base)
            rows.append(RuleRow(criterion, base, reasons.get(code, ""), points_field, form[f"reason_{code}"], adjusted))
        if rows:
            points = sum((dec(row.points or 0) for row in rows), ZERO)
            most = sum((row.criterion.points for row in rows), ZERO)
            categories.append(RuleCategory(category.code, category.name, points, most, rows))
    most = sum((category.points for category in rubric.categories), ZERO)
    return {
        "judged": judged,
        "categories": categories,
        "total": Total(rule_sum, judged_sum, adjust_sum, most),
        "adjusted": [row for category in categories for row in category.adjusted],
        "other_steps": [
            answers.section(step, step_data.get(step))
            for step, _form_class in STEPS
            if step not in {s.step for j in judged for s in j.sections}
        ],
    }
