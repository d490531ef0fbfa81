"""The organizer's forms of a cycle's rubric: its settings with the levels, and a category.

A criterion's form is in ``scoring/criterion_forms.py``. Each form only validates and says what is wrong
in words; saving goes through the models (``scoring.models``), which refuse a frozen rubric and raise its
version. Numbers are checked here against the whole rubric: no level or threshold above the most points a
rubric gives, and no category with fewer points than its criteria add up to.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Sum

from assessment.forms import UswdsForm, style_for_uswds
from scoring.models import Category, Criterion, Level, Rubric
from scoring.rules import plain

CODE = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "Use letters, digits, “.”, “-” or “_”, e.g. A or D7.")
POINTS = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal(0)}
POINT_MESSAGES = {
    "invalid": "Enter a number of points, e.g. 4 or 2.5.",
    "max_digits": "Enter at most 999.99 points.",
    "max_whole_digits": "Enter at most 999.99 points.",
    "max_decimal_places": "Use at most two decimal places.",
    "min_value": "Points cannot be below 0.",
}


def points_field(label, **more):
    return forms.DecimalField(label=label, error_messages=POINT_MESSAGES, **POINTS, **more)


def most_points(rubric):
    """The most points the rubric's categories give together (one query)."""
    return rubric.categories.aggregate(total=Sum("points"))["total"] or Decimal(0)


def criteria_points(category, leaving_out=None):
    """What the category's criteria add up to, ``leaving_out`` one of them (a Criterion, or None)."""
    criteria = Criterion.objects.filter(category=category)
    if leaving_out is not None and leaving_out.pk:
        criteria = criteria.exclude(pk=leaving_out.pk)
    return criteria.aggregate(total=Sum("points"))["total"] or Decimal(0)


# --- The rubric's settings and levels ---------------------------------------------------------------------


class RubricSettingsForm(forms.ModelForm):
    """The threshold and the minimum share per category; the levels are the formset beside it."""

    threshold = points_field("Threshold (total points to be designated)")
    min_category_share = forms.DecimalField(
        label="Minimum share per category (%)",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text="Each category must reach this share of its points, e.g. 40.",
        error_messages={
            **POINT_MESSAGES,
            "invalid": "Enter a percentage, e.g. 40.",
            "max_value": "Enter a share of at most 100 %%.",
        },
    )

    class Meta:
        model = Rubric
        fields = ["threshold", "min_category_share"]

    def __init__(self, *args, most=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most
        style_for_uswds(self)
        self.initial |= {name: plain(getattr(self.instance, name)) for name in self._meta.fields}

    def clean_threshold(self):
        threshold = self.cleaned_data["threshold"]
        if self.most is not None and threshold > self.most:
            raise ValidationError(
                f"The categories give {plain(self.most)} points in all: a threshold of {plain(threshold)} cannot be reached.",
                code="unreachable",
            )
        return threshold


class LevelForm(UswdsForm):
    """One level: a name and the least total that reaches it. A row left empty is no level."""

    name = forms.CharField(label="Level", max_length=100, required=False)
    minimum = forms.DecimalField(label="Minimum total", required=False, error_messages=POINT_MESSAGES, **POINTS)

    def clean(self):
        data = super().clean()
        name, minimum = data.get("name", ""), data.get("minimum")
        if "minimum" in self.errors:
            return data
        if name and minimum is None:
            self.add_error("minimum", "Give the least total of this level.")
        elif minimum is not None and not name:
            self.add_error("name", "Name this level, or clear its minimum to remove the row.")
        return data


class BaseLevelFormSet(forms.BaseFormSet):
    """The levels, lowest first: minimums rising, none above the most points the rubric gives."""

    def __init__(self, *args, most=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most

    def rows(self):
        """(name, minimum) of the filled rows, in the order given (after ``is_valid``)."""
        return [(f.cleaned_data["name"], f.cleaned_data["minimum"]) for f in self.forms if f.cleaned_data.get("name")]

    def clean(self):
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            raise ValidationError("Give at least one level, e.g. Designated from the threshold up.", code="no_level")
        minimums = [minimum for _name, minimum in rows]
        if any(lower >= higher for lower, higher in zip(minimums, minimums[1:], strict=False)):
            raise ValidationError(
                "List the levels from the lowest minimum to the highest, each minimum above the one before.",
                code="order",
            )
        names = [name.casefold() for name, _minimum in rows]
        if len(set(names)) != len(names):
            raise ValidationError("Give each level a name of its own.", code="duplicate")
        if self.most is not None and minimums[-1] > self.most:
            raise ValidationError(
                f"The categories give {plain(self.most)} points in all: a level from {plain(minimums[-1])} cannot be reached.",
                code="unreachable",
            )


LevelFormSet = forms.formset_factory(LevelForm, formset=BaseLevelFormSet, extra=2, max_num=20, validate_max=True)


def rubric_settings_forms(rubric, data=None):
    """The settings form and the levels formset of ``rubric`` (bound to ``data`` when posted)."""
    most = most_points(rubric)
    # A copy of the rubric: a refused form must not change the object the page shows.
    settings = RubricSettingsForm(data, instance=Rubric.objects.get(pk=rubric.pk), most=most)
    initial = [{"name": lv.name, "minimum": plain(lv.minimum)} for lv in rubric.levels.all()]
    levels = LevelFormSet(data, initial=initial, prefix="levels", most=most)
    return settings, levels


@transaction.atomic
def save_rubric_settings(settings, levels):
    """Save valid settings and levels: one new version (refused, RubricFrozen, once the rubric is frozen)."""
    rubric = Rubric.objects.select_for_update().get(pk=settings.instance.pk)
    rubric.refuse_if_frozen()
    rows = levels.rows()
    before = [(lv.name, lv.minimum) for lv in rubric.levels.all()]
    if rows != before:
        # Replaced as a whole without raising the version per row: saving the rubric below raises it once.
        rubric.levels.all().delete(bump=False)
        Level.objects.bulk_create([Level(rubric=rubric, name=n, minimum=m) for n, m in rows], bump=False)
    rubric.threshold = settings.cleaned_data["threshold"]
    rubric.min_category_share = settings.cleaned_data["min_category_share"]
    rubric.save()
    return rubric


# --- A criterion's rows (scoring/criterion_forms.py) --------------------------------------------------


class BandForm(UswdsForm):
    """One band: reaching ``threshold`` gives ``points``. A row left empty is no band."""

    threshold = forms.DecimalField(
        label="Threshold",
        required=False,
        max_digits=12,
        decimal_places=2,
        error_messages={**POINT_MESSAGES, "max_digits": "Enter a smaller number.", "max_whole_digits": "Too large."},
    )
    points = forms.DecimalField(label="Points", required=False, error_messages=POINT_MESSAGES, **POINTS)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("threshold") is None) != (data.get("points") is None):
            raise ValidationError("Give both the threshold and the points, or clear the row.", code="half")
        return data


class AnchorForm(UswdsForm):
    """One anchor of a judged criterion: what earns ``points``. A row left empty is no anchor."""

    points = forms.IntegerField(label="Points", required=False, min_value=0, max_value=999)
    description = forms.CharField(label="What earns them", required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("points") is None) != (not data.get("description")):
            raise ValidationError("Give both the points and what earns them, or clear the row.", code="half")
        return data


BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=20, validate_max=True)
AnchorFormSet = forms.formset_factory(AnchorForm, extra=2, max_num=20, validate_max=True)


def filled_rows(formset):
    """The cleaned data of the rows of a valid formset that are not left empty."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and any(v not in (None, "") for v in f.cleaned_data.values())
    ]


# --- A category ---------------------------------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    code = forms.CharField(label="Code", max_length=5, validators=[CODE], help_text="A short code, e.g. A.")
    name = forms.CharField(label="Name", max_length=200)
    points = points_field("Points")

    class Meta:
        model = Category
        fields = ["code", "name", "points"]

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = self.instance.rubric = rubric  # before validation: the model refuses a frozen rubric
        style_for_uswds(self)
        if self.instance.pk:
            self.initial["points"] = plain(self.instance.points)

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Category.objects.filter(rubric=self.rubric, code__iexact=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"Category {code} exists already: choose another code.", code="taken")
        return code

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points <= 0:
            raise ValidationError("A category gives some points: enter more than 0.", code="empty")
        if self.instance.pk:
            added = criteria_points(self.instance)
            if added > points:
                raise ValidationError(
                    f"Its criteria add up to {plain(added)} points: lower theirs first, or keep at least {plain(added)}.",
                    code="below_criteria",
                )
        return points


# The form classes that make up the settings page (tests/fuzz_forms.py fuzzes them together).
RUBRIC_SETTINGS_FORMS = (RubricSettingsForm, LevelForm, BaseLevelFormSet)
