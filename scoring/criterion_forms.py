"""The organizer's form of one criterion: the rule's settings as fields, not JSON.

Each rule kind (``scoring/rules.py``) reads some settings (``Criterion.params``); the form shows the
fields of one kind at a time (``KIND_SETTINGS``) and builds ``params`` from them: the answer it reads (a
select of the questionnaire's answers, grouped by step), ≥ or ≤, bands and anchors as rows, the answers
that count as check boxes of the chosen question's choices, and numbers. Settings no kind reads (put there
in the admin) are kept as they were. Without JavaScript, a change of rule or of question brings the form
back showing the new rule's settings or the new question's choices, and asks to fill them in.
The built settings are checked by ``params_problem`` and the model's own ``clean``, and a criterion of a
category may not take the category's criteria beyond its points.
The title is edited in English (``title``) and French (``title_fr``, optional), written to the ``title_en`` /
``title_fr`` columns; a judged criterion's anchors likewise (``params["anchors"]``, ``params["anchors_fr"]``).
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.forms import UswdsForm
from assessment.models import EvidenceDocument
from scoring.criterion_settings import (
    ANSWERS,
    CHOSEN_ANSWERS,
    KIND_SETTINGS,
    MANAGED,
    ROW_WORDS,
    RULE_WORDS,
    answer_groups,
    in_order,
    json_number,
    mutable_copy,
    offered_choices,
    rows_posted,
)
from scoring.models import Criterion, params_problem
from scoring.rubric_forms import (
    CODE,
    FRENCH_HINT,
    POINT_MESSAGES,
    POINTS,
    AnchorForm,
    AnchorFormSet,
    BandForm,
    BandFormSet,
    criteria_points,
    filled_rows,
    french,
    in_english,
    points_field,
)
from scoring.rules import plain

# --- The criterion -----------------------------------------------------------------------------------------


class CriterionForm(UswdsForm):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=10,
        validators=[CODE],
        help_text=gettext_lazy("e.g. A6, or P6 for a prerequisite."),
    )
    title = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300)
    title_fr = forms.CharField(
        label=gettext_lazy("Title (French)"), max_length=300, required=False, help_text=FRENCH_HINT
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Rule"),
        choices=list(RULE_WORDS.items()),
        help_text=gettext_lazy(
            "After choosing another rule, save: the form comes back with that rule's settings to fill in."
        ),
    )
    points = points_field(
        gettext_lazy("Points (the most it gives)"), help_text=gettext_lazy("0 for a prerequisite: it is pass or fail.")
    )
    evidence = forms.ChoiceField(
        label=gettext_lazy("Evidence required"),
        required=False,
        choices=[("", gettext_lazy("None")), *EvidenceDocument.Kind.choices],
        help_text=gettext_lazy("Points only when a document of this kind is attached."),
    )
    # The rule's settings (KIND_SETTINGS): only the chosen kind's are shown and read.
    field = forms.ChoiceField(
        label=gettext_lazy("The answer it reads"),
        required=False,
        help_text=gettext_lazy(
            "Rules that name answers: after choosing another question, save, then tick among its answers."
        ),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Better is"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("ge", gettext_lazy("Higher: at least the threshold (≥)")),
            ("le", gettext_lazy("Lower: at most the threshold (≤)")),
        ],
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        required=False,
        max_length=20,
        strip=False,
        help_text=gettext_lazy("Written after the number, e.g. hours or %."),
    )
    values = forms.MultipleChoiceField(
        label=gettext_lazy("Answers that earn the points"), required=False, widget=forms.CheckboxSelectMultiple
    )
    require = forms.MultipleChoiceField(
        label=gettext_lazy("Answers that must be among those chosen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    only = forms.MultipleChoiceField(
        label=gettext_lazy("Count only these answers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every answer counts."),
    )
    per_choice = forms.DecimalField(
        label=gettext_lazy("Points per answer chosen"),
        required=False,
        error_messages=POINT_MESSAGES,
        help_text=gettext_lazy("Empty: 1."),
        **POINTS,
    )
    min = forms.IntegerField(
        label=gettext_lazy("At least this many"),
        required=False,
        min_value=0,
        max_value=10_000,
        help_text=gettext_lazy("Empty: 1."),
    )
    within_years = forms.IntegerField(
        label=gettext_lazy("Within this many years of the cycle's year"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("Empty: 2."),
    )
    document = forms.ChoiceField(
        label=gettext_lazy("Document"),
        required=False,
        choices=[("", gettext_lazy("Choose…")), *EvidenceDocument.Kind.choices],
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
            data = mutable_copy(data)
            if data.get("field") != data.get("shown_field") and data.get("kind") in ("choices", "one_of"):
                # The boxes ticked were answers of the question shown before, not of the one chosen now.
                ticked = any(data.getlist(name) for name in CHOSEN_ANSWERS)
                self.question_changed = ticked or data.get("kind") == "one_of"
                for name in CHOSEN_ANSWERS:
                    data.pop(name, None)
        super().__init__(data, initial=initial, **kwargs)
        self.fields["category"].choices = [
            *(
                (
                    str(c.pk),
                    _("%(code)s — %(name)s (%(points)s points)")
                    % {"code": c.code, "name": c.name, "points": plain(c.points)},
                )
                for c in rubric.categories.all()
            ),
            ("", _("None: a prerequisite (pass or fail, no points)")),
        ]
        self.fields["field"].choices = [("", _("Choose…")), *answer_groups()]
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
        self.bands = BandFormSet(rows_posted(data, "bands"), initial=bands, prefix="bands")
        self.anchors = AnchorFormSet(rows_posted(data, "anchors"), initial=anchors, prefix="anchors")

    def _initial(self, params):
        c = self.criterion
        initial = {"shown_kind": c.kind or "yes_no", "kind": c.kind or "yes_no", "shown_field": params.get("field", "")}
        if c.pk:
            initial |= {"code": c.code, "title": c.title_en or "", "title_fr": c.title_fr or ""}
            initial |= {"points": plain(c.points), "evidence": c.evidence}
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
        in_french = params.get("anchors_fr") or {}
        initial["anchors"] = [
            {"points": k, "description": v, "description_fr": in_french.get(k, "")}
            for k, v in (params.get("anchors") or {}).items()
        ]
        return initial

    chosen_names = CHOSEN_ANSWERS

    def main_fields(self):
        return [self[name] for name in ("code", "title", "title_fr", "category", "kind", "points", "evidence")]

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
            raise ValidationError(_("Choose a category of this rubric."), code="invalid_choice")
        return category

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Criterion.objects.filter(rubric=self.rubric, code__iexact=code).exclude(pk=self.criterion.pk)
        if taken.exists():
            raise ValidationError(
                _("Criterion %(code)s exists already: choose another code.") % {"code": code}, code="taken"
            )
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind is None:
            return data
        if self.kind_changed:
            said = {"rule": RULE_WORDS[kind]}
            self.add_error("kind", _("The rule is now “%(rule)s”: fill in its settings below, then save.") % said)
            return data
        if self.question_changed:
            name = "values" if kind == "one_of" else "require"
            self.add_error(name, _("You chose another question: tick among its answers below, then save."))
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
                said = {
                    "code": category.code,
                    "points": plain(category.points),
                    "added": plain(others + points),
                    "most": plain(max(category.points - others, 0)),
                }
                self.add_error(
                    "points",
                    _(
                        "Category %(code)s has %(points)s points: its criteria would add up to %(added)s. "
                        "Give this one at most %(most)s, or raise the category's points first."
                    )
                    % said,
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
                self.add_error("field", _("Choose the answer this rule reads."))
        for key in ("per_choice", "min", "within_years"):
            if key in shown and data.get(key) is not None:
                params[key] = json_number(Decimal(data[key]))
        for key in ("require", "only", "values"):
            if key in shown and data.get(key):
                params[key] = in_order(list(data[key]), list(self.before.get(key) or ()))
        if kind == "one_of" and not data.get("values"):
            self.add_error("values", _("Tick at least one answer that earns the points."))
        if kind == "bands":
            if not data.get("direction"):
                self.add_error("direction", _("Say whether a higher or a lower number is better."))
            params["direction"] = data.get("direction")
            unit = data.get("unit", "").strip()
            params["unit"] = f" {unit}" if unit else ""
        if kind == "evidence":
            if not data.get("document"):
                self.add_error("document", _("Choose the kind of document that earns the points."))
            params["document"] = data.get("document")
        if "bands" in shown:
            bands = self._rows(self.bands, required=kind == "bands", what="band")
            if bands:
                params["bands"] = [[json_number(b["threshold"]), json_number(b["points"])] for b in bands]
        if kind == "judged":
            # A row without points nor English is cleared, whatever French is left in it.
            rows = [a for a in self._rows(self.anchors, required=False, what="anchor") if a.get("points") is not None]
            if not rows and self.anchors.is_valid():
                self.add_error(None, ROW_WORDS["anchor"][1])
            anchors = rows
            points = data.get("points")
            if anchors and len({a["points"] for a in anchors}) != len(anchors):
                self.add_error(None, _("Give each anchor its own number of points."))
            elif anchors and points is not None and max(a["points"] for a in anchors) > points:
                said = {"points": plain(points)}
                self.add_error(None, _("An anchor cannot give more than the criterion's %(points)s points.") % said)
            params["anchors"] = {str(a["points"]): a["description"] for a in anchors}
            in_french = {str(a["points"]): french(a.get("description_fr")) for a in anchors}
            if any(in_french.values()):
                params["anchors_fr"] = {k: v for k, v in in_french.items() if v}
        if self.errors:
            return None
        problem = params_problem(kind, params)
        if problem:
            self.add_error(None, problem)
            return None
        return params

    def _rows(self, formset, required, what):
        if not formset.is_valid():
            self.add_error(None, ROW_WORDS[what][0])
            return []
        rows = filled_rows(formset)
        if required and not rows:
            self.add_error(None, ROW_WORDS[what][1])
        return rows

    def _check_model(self, data, params):
        """The model's own checks (a prerequisite has no points and is not judged; frozen), on the fields."""
        c = self.criterion
        c.code, c.title_en, c.title_fr, c.kind, c.points = (
            data.get("code", ""),
            data.get("title", ""),
            french(data.get("title_fr")),
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
        with in_english():  # the original title column keeps the English
            self.criterion.save()
        return self.criterion


# The form classes that make up a criterion's page (tests/fuzz_forms.py fuzzes them together).
CRITERION_FORMS = (CriterionForm, BandForm, AnchorForm)
