"""The organizer's form of one criterion: the rule's settings as fields, not JSON.

Each rule kind (``scoring/rules.py``) reads some settings (``Criterion.params``); the form shows the
fields of one kind at a time (``KIND_SETTINGS``) and builds ``params`` from them: the answer it reads (a
select of the questionnaire's answers, grouped by step), ≥ or ≤, bands and anchors as rows, the answers
that count as check boxes of the chosen question's choices, and numbers. Settings no kind reads (put there
in the admin) are kept as they were. Without JavaScript, a change of rule or of question brings the form
back showing the new rule's settings or the new question's choices, and asks to fill them in.
The built settings are checked by ``params_problem`` and the model's own ``clean``, and a criterion of a
category may not take the category's criteria beyond its points.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from assessment import questionnaire
from assessment.forms import UswdsForm
from assessment.models import EvidenceDocument
from scoring.models import ANSWER_FIELDS, OFFERED, Criterion, params_problem
from scoring.rubric_forms import (
    CODE,
    POINT_MESSAGES,
    POINTS,
    AnchorForm,
    AnchorFormSet,
    BandForm,
    BandFormSet,
    criteria_points,
    filled_rows,
    points_field,
)
from scoring.rules import RULE_KINDS, plain

RULE_WORDS = dict(RULE_KINDS)
# The settings each kind reads (scoring/rules.py, measure_<kind> and reason_<kind>), as fields of the form.
KIND_SETTINGS = {
    "choices": ("field", "per_choice", "min", "require", "only"),
    "bands": ("field", "direction", "unit", "bands"),
    "count": ("field", "min", "bands"),
    "yes_no": ("field",),
    "one_of": ("field", "values"),
    "recent_year": ("field", "within_years"),
    "evidence": ("document",),
    "judged": ("field", "anchors"),  # the answer reviewers read beside the anchors
}
MANAGED = {key for keys in KIND_SETTINGS.values() for key in keys}
CHOSEN_ANSWERS = ("values", "require", "only")  # check boxes of the chosen question's choices


def answer_groups():
    """The answers a rule may read, by step: [(step title, [(path, question), ...]), ...]."""
    groups = []
    for step in questionnaire.STEPS:
        if step.repeated:
            groups.append((step.title, [(step.key, f"{step.title}: the rows given (how many)")]))
        else:
            groups.append((step.title, [(f"{step.key}.{q.key}", q.label) for q in step.questions]))
    return groups


ANSWERS = ANSWER_FIELDS  # the paths of answer_groups(), as the model checks them


def offered_choices(path):
    """The choices of the question at ``path`` a rule may name, [(value, label)] (none for a yes/no)."""
    return list(OFFERED.get(path, {}).items()) if path in ANSWERS else []


def json_number(value):
    """A form's Decimal as the rubric stores numbers: 3, not 3.00; 2.5 as 2.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def _in_order(chosen, before):
    """The ticked values, those the criterion named already in its order first (so nothing moves)."""
    return sorted(chosen, key=lambda v: (before.index(v) if v in before else len(before), chosen.index(v)))


def _mutable(data):
    """The posted data as a QueryDict the form may change (what the page shows next)."""
    if isinstance(data, QueryDict):
        return data.copy()
    copy = QueryDict(mutable=True)
    for name, value in data.items():
        copy.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return copy


def _rows_posted(data, prefix):
    return data if data is not None and f"{prefix}-TOTAL_FORMS" in data else None


# --- The criterion -----------------------------------------------------------------------------------------


class CriterionForm(UswdsForm):
    code = forms.CharField(
        label="Code", max_length=10, validators=[CODE], help_text="e.g. A6, or P6 for a prerequisite."
    )
    title = forms.CharField(label="Title (what it asks for)", max_length=300)
    category = forms.ChoiceField(label="Category", required=False)
    kind = forms.ChoiceField(
        label="Rule",
        choices=RULE_KINDS,
        help_text="After choosing another rule, save: the form comes back with that rule's settings to fill in.",
    )
    points = points_field("Points (the most it gives)", help_text="0 for a prerequisite: it is pass or fail.")
    evidence = forms.ChoiceField(
        label="Evidence required",
        required=False,
        choices=[("", "None"), *EvidenceDocument.Kind.choices],
        help_text="Points only when a document of this kind is attached.",
    )
    # The rule's settings (KIND_SETTINGS): only the chosen kind's are shown and read.
    field = forms.ChoiceField(
        label="The answer it reads",
        required=False,
        help_text="Rules that name answers: after choosing another question, save, then tick among its answers.",
    )
    direction = forms.ChoiceField(
        label="Better is",
        required=False,
        widget=forms.RadioSelect,
        choices=[("ge", "Higher: at least the threshold (≥)"), ("le", "Lower: at most the threshold (≤)")],
    )
    unit = forms.CharField(
        label="Unit", required=False, max_length=20, strip=False, help_text="Written after the number, e.g. hours or %."
    )
    values = forms.MultipleChoiceField(
        label="Answers that earn the points", required=False, widget=forms.CheckboxSelectMultiple
    )
    require = forms.MultipleChoiceField(
        label="Answers that must be among those chosen", required=False, widget=forms.CheckboxSelectMultiple
    )
    only = forms.MultipleChoiceField(
        label="Count only these answers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every answer counts.",
    )
    per_choice = forms.DecimalField(
        label="Points per answer chosen", required=False, error_messages=POINT_MESSAGES, help_text="Empty: 1.", **POINTS
    )
    min = forms.IntegerField(
        label="At least this many", required=False, min_value=0, max_value=10_000, help_text="Empty: 1."
    )
    within_years = forms.IntegerField(
        label="Within this many years of the cycle's year",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Empty: 2.",
    )
    document = forms.ChoiceField(
        label="Document", required=False, choices=[("", "Choose…"), *EvidenceDocument.Kind.choices]
    )
    # What the page showed: when the rule or the question is changed, the form comes back for the new one.
    shown_kind = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_field = forms.CharField(required=False, widget=forms.HiddenInput)

    question_changed = False

    def __init__(self, data=None, *, rubric, criterion=None, initial=None, **kwargs):
        self.rubric, self.criterion = rubric, criterion or Criterion(rubric=rubric)
        self.before = dict(self.criterion.params or {}) if criterion else {}
        initial = {**self._initial(self.before), **(initial or {})}
        bands, anchors = initial.pop("bands"), initial.pop("anchors")
        if data is not None:
            data = _mutable(data)
            if data.get("field") != data.get("shown_field") and data.get("kind") in ("choices", "one_of"):
                # The boxes ticked were answers of the question shown before, not of the one chosen now.
                ticked = any(data.getlist(name) for name in CHOSEN_ANSWERS)
                self.question_changed = ticked or data.get("kind") == "one_of"
                for name in CHOSEN_ANSWERS:
                    data.pop(name, None)
        super().__init__(data, initial=initial, **kwargs)
        self.fields["category"].choices = [
            *((str(c.pk), f"{c.code} — {c.name} ({plain(c.points)} points)") for c in rubric.categories.all()),
            ("", "None: a prerequisite (pass or fail, no points)"),
        ]
        self.fields["field"].choices = [("", "Choose…"), *answer_groups()]
        question = self.data.get("field") if self.is_bound else initial.get("field", "")
        self.question = question if question in ANSWERS else ""
        for name in CHOSEN_ANSWERS:
            self.fields[name].choices = offered_choices(self.question)
        kind = self.data.get("kind") if self.is_bound else initial.get("kind")
        self.shown_kind = kind if kind in RULE_WORDS else "yes_no"
        if self.shown_kind not in ("choices", "one_of"):  # no answers to tick: the question is all there is
            self.fields["field"].help_text = ""
        self.kind_changed = self.is_bound and self.data.get("shown_kind") != self.shown_kind
        if self.is_bound:  # what the page shows now
            self.data["shown_kind"], self.data["shown_field"] = self.shown_kind, self.question
        # Rows are read back only when the page showed them (their management form was posted).
        self.bands = BandFormSet(_rows_posted(data, "bands"), initial=bands, prefix="bands")
        self.anchors = AnchorFormSet(_rows_posted(data, "anchors"), initial=anchors, prefix="anchors")

    def _initial(self, params):
        c = self.criterion
        initial = {"shown_kind": c.kind or "yes_no", "kind": c.kind or "yes_no", "shown_field": params.get("field", "")}
        if c.pk:
            initial |= {"code": c.code, "title": c.title, "points": plain(c.points), "evidence": c.evidence}
            initial["category"] = str(c.category_id or "")
        for key in (
            "field",
            "direction",
            "unit",
            "values",
            "require",
            "only",
            "per_choice",
            "min",
            "within_years",
            "document",
        ):
            if key in params:
                initial[key] = params[key]
        initial["unit"] = str(params.get("unit", "")).strip()
        initial["bands"] = [{"threshold": t, "points": p} for t, p in params.get("bands") or ()]
        initial["anchors"] = [{"points": k, "description": v} for k, v in (params.get("anchors") or {}).items()]
        return initial

    chosen_names = CHOSEN_ANSWERS

    def main_fields(self):
        return [self[name] for name in ("code", "title", "category", "kind", "points", "evidence")]

    def shown_settings(self):
        """(name, field) of the settings the page shows, the chosen rule's (the rows' field is None)."""
        return [(name, self[name] if name in self.fields else None) for name in KIND_SETTINGS[self.shown_kind]]

    @property
    def rule_words(self):
        return RULE_WORDS[self.shown_kind]

    @property
    def offered(self):
        return bool(self.fields["values"].choices)

    def clean_category(self):
        chosen = self.cleaned_data["category"]
        if not chosen:
            return None
        category = next((c for c in self.rubric.categories.all() if str(c.pk) == chosen), None)
        if category is None:
            raise ValidationError("Choose a category of this rubric.", code="invalid_choice")
        return category

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Criterion.objects.filter(rubric=self.rubric, code__iexact=code).exclude(pk=self.criterion.pk)
        if taken.exists():
            raise ValidationError(f"Criterion {code} exists already: choose another code.", code="taken")
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind is None:
            return data
        if self.kind_changed:
            self.add_error("kind", f"The rule is now “{RULE_WORDS[kind]}”: fill in its settings below, then save.")
            return data
        if self.question_changed:
            name = "values" if kind == "one_of" else "require"
            self.add_error(name, "You chose another question: tick among its answers below, then save.")
            return data
        params = self._params(kind, data)
        if params is None:
            return data
        self.params = params
        self._check_model(data, params)
        category, points = data.get("category"), data.get("points")
        if category is not None and points is not None and "points" not in self.errors:
            others = criteria_points(category, leaving_out=self.criterion)
            if others + points > category.points:
                self.add_error(
                    "points",
                    f"Category {category.code} has {plain(category.points)} points: its criteria would add up to "
                    f"{plain(others + points)}. Give this one at most {plain(max(category.points - others, 0))}, "
                    "or raise the category's points first.",
                )
        return data

    def _params(self, kind, data):
        """The settings of ``kind`` built from the fields (None, with the errors added, when they are wrong)."""
        shown = KIND_SETTINGS[kind]
        params = {k: v for k, v in self.before.items() if k not in MANAGED}  # kept: no field edits them
        if "field" in shown:
            if data.get("field"):
                params["field"] = data["field"]
            elif kind != "judged":
                self.add_error("field", "Choose the answer this rule reads.")
        for key in ("per_choice", "min", "within_years"):
            if key in shown and data.get(key) is not None:
                params[key] = json_number(Decimal(data[key]))
        for key in ("require", "only", "values"):
            if key in shown and data.get(key):
                params[key] = _in_order(list(data[key]), list(self.before.get(key) or ()))
        if kind == "one_of" and not data.get("values"):
            self.add_error("values", "Tick at least one answer that earns the points.")
        if kind == "bands":
            if not data.get("direction"):
                self.add_error("direction", "Say whether a higher or a lower number is better.")
            params["direction"] = data.get("direction")
            unit = data.get("unit", "").strip()
            params["unit"] = f" {unit}" if unit else ""
        if kind == "evidence":
            if not data.get("document"):
                self.add_error("document", "Choose the kind of document that earns the points.")
            params["document"] = data.get("document")
        if "bands" in shown:
            bands = self._rows(self.bands, required=kind == "bands", what="band")
            if bands:
                params["bands"] = [[json_number(b["threshold"]), json_number(b["points"])] for b in bands]
        if kind == "judged":
            anchors = self._rows(self.anchors, required=True, what="anchor")
            points = data.get("points")
            if anchors and len({a["points"] for a in anchors}) != len(anchors):
                self.add_error(None, "Give each anchor its own number of points.")
            elif anchors and points is not None and max(a["points"] for a in anchors) > points:
                self.add_error(None, f"An anchor cannot give more than the criterion's {plain(points)} points.")
            params["anchors"] = {str(a["points"]): a["description"] for a in anchors}
        if self.errors:
            return None
        problem = params_problem(kind, params)
        if problem:
            self.add_error(None, problem)
            return None
        return params

    def _rows(self, formset, required, what):
        if not formset.is_valid():
            self.add_error(None, f"Correct the {what}s marked below.")
            return []
        rows = filled_rows(formset)
        if required and not rows:
            self.add_error(None, f"Give at least one {what}.")
        return rows

    def _check_model(self, data, params):
        """The model's own checks (a prerequisite has no points and is not judged; frozen), on the fields."""
        c = self.criterion
        c.code, c.title, c.kind, c.points = (
            data.get("code", ""),
            data.get("title", ""),
            data["kind"],
            data.get("points"),
        )
        c.category, c.evidence, c.params = data.get("category"), data.get("evidence", ""), params
        try:
            c.full_clean(exclude=["rubric"], validate_unique=False, validate_constraints=False)
        except ValidationError as refused:
            for name, messages in refused.update_error_dict({}).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)

    def save(self):
        """Save the valid criterion through the model (which refuses a frozen rubric and raises its version)."""
        self.criterion.save()
        return self.criterion


# The form classes that make up a criterion's page (tests/fuzz_forms.py fuzzes them together).
CRITERION_FORMS = (CriterionForm, BandForm, AnchorForm)
