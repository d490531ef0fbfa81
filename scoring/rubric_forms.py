"""The organizer's forms of a cycle's rubric: its settings with the levels, and a category.

A criterion's form is in ``scoring/criterion_forms.py``. Each form only validates and says what is wrong
in words; saving goes through the models (``scoring.models``), which refuse a frozen rubric and raise its
version. Numbers are checked here against the whole rubric: no level or threshold above the most points a
rubric gives, and no category with fewer points than its criteria add up to.

Names are edited in both languages: the English field keeps its name (``name``), the French one beside it
(``name_fr``) may stay empty (the English is shown). They are written to the ``name_en`` / ``name_fr`` columns
(django-modeltranslation), never through ``name``, which writes the active language's; saved with English
active, so that the original column keeps the English.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.forms import UswdsForm, style_for_uswds
from scoring.models import Category, Criterion, Level, Rubric
from scoring.rules import plain

CODE = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", gettext_lazy("Use letters, digits, “.”, “-” or “_”, e.g. A or D7.")
)
POINTS = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal(0)}
POINT_MESSAGES = {
    "invalid": gettext_lazy("Enter a number of points, e.g. 4 or 2.5."),
    "max_digits": gettext_lazy("Enter at most 999.99 points."),
    "max_whole_digits": gettext_lazy("Enter at most 999.99 points."),
    "max_decimal_places": gettext_lazy("Use at most two decimal places."),
    "min_value": gettext_lazy("Points cannot be below 0."),
}
FRENCH_HINT = gettext_lazy("Optional: left empty, French readers see the English.")


def in_english():
    """Saving with English active: the original column of a translated field keeps the English."""
    return translation.override("en")


def french(value):
    """A French text as stored: None when left empty (the English is read instead)."""
    return value.strip() or None if value else None


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

    threshold = points_field(gettext_lazy("Threshold (total points to be designated)"))
    min_category_share = forms.DecimalField(
        label=gettext_lazy("Minimum share per category (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text=gettext_lazy("Each category must reach this share of its points, e.g. 40."),
        error_messages={
            **POINT_MESSAGES,
            "invalid": gettext_lazy("Enter a percentage, e.g. 40."),
            "max_value": gettext_lazy("Enter a share of at most 100 %%."),
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
                _("The categories give %(most)s points in all: a threshold of %(threshold)s cannot be reached.")
                % {"most": plain(self.most), "threshold": plain(threshold)},
                code="unreachable",
            )
        return threshold


class LevelForm(UswdsForm):
    """One level: a name (English, and French if given) and the least total that reaches it. A row left empty
    is no level."""

    name = forms.CharField(label=gettext_lazy("Name (English)"), max_length=100, required=False)
    name_fr = forms.CharField(label=gettext_lazy("Name (French)"), max_length=100, required=False)
    minimum = forms.DecimalField(
        label=gettext_lazy("Minimum total"), required=False, error_messages=POINT_MESSAGES, **POINTS
    )

    def clean(self):
        data = super().clean()
        name, minimum = data.get("name", ""), data.get("minimum")
        if "minimum" in self.errors:
            return data
        if name and minimum is None:
            self.add_error("minimum", _("Give the least total of this level."))
        elif (minimum is not None or data.get("name_fr")) and not name:
            self.add_error("name", _("Name this level, or clear its minimum to remove the row."))
        return data


class BaseLevelFormSet(forms.BaseFormSet):
    """The levels, lowest first: minimums rising, none above the most points the rubric gives."""

    def __init__(self, *args, most=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most

    def rows(self):
        """(name, French name or None, minimum) of the filled rows, in the order given (after ``is_valid``)."""
        return [
            (f.cleaned_data["name"], french(f.cleaned_data.get("name_fr")), f.cleaned_data["minimum"])
            for f in self.forms
            if f.cleaned_data.get("name")
        ]

    def clean(self):
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            raise ValidationError(_("Give at least one level, e.g. Designated from the threshold up."), code="no_level")
        minimums = [minimum for _name, _french, minimum in rows]
        if any(lower >= higher for lower, higher in zip(minimums, minimums[1:], strict=False)):
            raise ValidationError(
                _("List the levels from the lowest minimum to the highest, each minimum above the one before."),
                code="order",
            )
        for names in ([name for name, _french, _minimum in rows], [f for _name, f, _minimum in rows if f]):
            if len({name.casefold() for name in names}) != len(names):
                raise ValidationError(_("Give each level a name of its own."), code="duplicate")
        if self.most is not None and minimums[-1] > self.most:
            raise ValidationError(
                _("The categories give %(most)s points in all: a level from %(minimum)s cannot be reached.")
                % {"most": plain(self.most), "minimum": plain(minimums[-1])},
                code="unreachable",
            )


LevelFormSet = forms.formset_factory(LevelForm, formset=BaseLevelFormSet, extra=2, max_num=20, validate_max=True)


def rubric_settings_forms(rubric, data=None):
    """The settings form and the levels formset of ``rubric`` (bound to ``data`` when posted)."""
    most = most_points(rubric)
    # A copy of the rubric: a refused form must not change the object the page shows.
    settings = RubricSettingsForm(data, instance=Rubric.objects.get(pk=rubric.pk), most=most)
    initial = [
        {"name": lv.name_en or "", "name_fr": lv.name_fr or "", "minimum": plain(lv.minimum)}
        for lv in rubric.levels.all()
    ]
    levels = LevelFormSet(data, initial=initial, prefix="levels", most=most)
    return settings, levels


@transaction.atomic
def save_rubric_settings(settings, levels):
    """Save valid settings and levels: one new version (refused, RubricFrozen, once the rubric is frozen)."""
    rubric = Rubric.objects.select_for_update().get(pk=settings.instance.pk)
    rubric.refuse_if_frozen()
    rows = levels.rows()
    before = [(lv.name_en, lv.name_fr or None, lv.minimum) for lv in rubric.levels.all()]
    if rows != before:
        # Replaced as a whole without raising the version per row: saving the rubric below raises it once.
        rubric.levels.all().delete(bump=False)
        with in_english():
            made = [Level(rubric=rubric, name_en=n, name_fr=f, minimum=m) for n, f, m in rows]
            Level.objects.bulk_create(made, bump=False)
    rubric.threshold = settings.cleaned_data["threshold"]
    rubric.min_category_share = settings.cleaned_data["min_category_share"]
    rubric.save()
    return rubric


# --- A criterion's rows (scoring/criterion_forms.py) --------------------------------------------------


class BandForm(UswdsForm):
    """One band: reaching ``threshold`` gives ``points``. A row left empty is no band."""

    threshold = forms.DecimalField(
        label=gettext_lazy("Threshold"),
        required=False,
        max_digits=12,
        decimal_places=2,
        error_messages={
            **POINT_MESSAGES,
            "max_digits": gettext_lazy("Enter a smaller number."),
            "max_whole_digits": gettext_lazy("Too large."),
        },
    )
    points = forms.DecimalField(label=gettext_lazy("Points"), required=False, error_messages=POINT_MESSAGES, **POINTS)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("threshold") is None) != (data.get("points") is None):
            raise ValidationError(_("Give both the threshold and the points, or clear the row."), code="half")
        return data


class AnchorForm(UswdsForm):
    """One anchor of a judged criterion: what earns ``points``, in English and (if given) French. A row left
    empty is no anchor."""

    points = forms.IntegerField(label=gettext_lazy("Points"), required=False, min_value=0, max_value=999)
    description = forms.CharField(label=gettext_lazy("What earns them (English)"), required=False, max_length=1000)
    description_fr = forms.CharField(label=gettext_lazy("What earns them (French)"), required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("points") is None) != (not data.get("description")):
            raise ValidationError(_("Give both the points and what earns them, or clear the row."), code="half")
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
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=5, validators=[CODE], help_text=gettext_lazy("A short code, e.g. A.")
    )
    # Not model fields of the form: written to name_en / name_fr (see the module's docstring).
    name = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200)
    name_fr = forms.CharField(
        label=gettext_lazy("Name (French)"), max_length=200, required=False, help_text=FRENCH_HINT
    )
    points = points_field(gettext_lazy("Points"))

    field_order = ["code", "name", "name_fr", "points"]

    class Meta:
        model = Category
        fields = ["code", "points"]

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = self.instance.rubric = rubric  # before validation: the model refuses a frozen rubric
        style_for_uswds(self)
        if self.instance.pk:
            self.initial["points"] = plain(self.instance.points)
            self.initial |= {"name": self.instance.name_en or "", "name_fr": self.instance.name_fr or ""}

    def _post_clean(self):
        if "name" in self.cleaned_data:
            self.instance.name_en = self.cleaned_data["name"]
            self.instance.name_fr = french(self.cleaned_data.get("name_fr"))
        super()._post_clean()

    def save(self, commit=True):
        with in_english():
            return super().save(commit)

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = Category.objects.filter(rubric=self.rubric, code__iexact=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("Category %(code)s exists already: choose another code.") % {"code": code}, code="taken"
            )
        return code

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points <= 0:
            raise ValidationError(_("A category gives some points: enter more than 0."), code="empty")
        if self.instance.pk:
            added = criteria_points(self.instance)
            if added > points:
                raise ValidationError(
                    _("Its criteria add up to %(added)s points: lower theirs first, or keep at least %(added)s.")
                    % {"added": plain(added)},
                    code="below_criteria",
                )
        return points


# The form classes that make up the settings page (tests/fuzz_forms.py fuzzes them together).
RUBRIC_SETTINGS_FORMS = (RubricSettingsForm, LevelForm, BaseLevelFormSet)
