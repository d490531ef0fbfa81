"""The organizers' forms of a cycle: its settings (name in English and French, dates on its own clock,
validity, the review panel's settings) and, for a new cycle, where its rubric comes from; and saving them,
audited.

Dates and times are typed on the clock of the time zone chosen on the same form (``DeadlineField``
reads them there, as the admin's ``CycleForm`` does), and shown back on that clock.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from assessment.audit import audit, in_each_language, named, said
from assessment.forms import DeadlineField, UswdsForm, validate_this_century
from assessment.models import Cycle, time_zone_choices, valid_time_zones
from review.models import ReviewSettings, settings_for
from scoring.models import Rubric

MOMENT = {"type": "datetime-local"}
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes
INVALID_MOMENT = {"invalid": gettext_lazy("Enter a date and time, for example 2026-12-31 17:00.")}
PANEL_FIELDS = (
    "reviewers_per_application",
    "max_per_reviewer",
    "review_deadline",
    "disagreement_margin",
    "appeal_deadline",
)
SIGNATORY_FIELDS = ("signatory_name", "signatory_title", "signatory_title_fr")  # printed on the certificates
# The form's "name" is the English name (``name_en``, and the model's own column), "name_fr" the French one.
CYCLE_FIELDS = ("name", "name_fr", "time_zone", "opens_at", "closes_at", "valid_from", "valid_until", *SIGNATORY_FIELDS)
ZONED = ("opens_at", "closes_at", "review_deadline", "appeal_deadline")


def _moment(label, required=True, help_text=""):
    widget = forms.DateTimeInput(attrs=MOMENT, format=MOMENT_FORMAT)
    return DeadlineField(
        label=label, required=required, widget=widget, error_messages=INVALID_MOMENT, help_text=help_text
    )


def _day(label, required=True, help_text=""):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    field = forms.DateField(label=label, required=required, widget=widget, help_text=help_text)
    field.validators.append(validate_this_century)
    return field


class CycleSettingsForm(UswdsForm):
    """A cycle's settings, and its review panel's. ``cycle``: the cycle edited (None for a new one)."""

    name = forms.CharField(
        label=gettext_lazy("Name in English"), max_length=50, help_text=gettext_lazy("For example 2026–2028.")
    )
    name_fr = forms.CharField(
        label=gettext_lazy("Name in French"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Left empty: the name in English is shown in French too."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=time_zone_choices,
        help_text=gettext_lazy("Every date and time below is typed and shown on this clock."),
    )
    opens_at = _moment(gettext_lazy("Applications open"))
    closes_at = _moment(gettext_lazy("Applications close (the deadline)"))
    valid_from = _day(gettext_lazy("Designations valid from"))
    valid_until = _day(
        gettext_lazy("Designations valid until"),
        required=False,
        help_text=gettext_lazy("Left empty: two years after the start."),
    )
    signatory_name = forms.CharField(
        label=gettext_lazy("Name of the signatory"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Printed under the signature on every certificate of the cycle."),
    )
    signatory_title = forms.CharField(
        label=gettext_lazy("Title of the signatory"),
        max_length=160,
        required=False,
        help_text=gettext_lazy("For example: Executive Director, Public Technology Institute."),
    )
    signatory_title_fr = forms.CharField(
        label=gettext_lazy("Title of the signatory in French"),
        max_length=160,
        required=False,
        help_text=gettext_lazy("Printed on the certificates in French. Left empty: the title in English."),
    )
    reviewers_per_application = forms.IntegerField(
        label=gettext_lazy("Reviewers per application"), min_value=1, max_value=20
    )
    max_per_reviewer = forms.IntegerField(
        label=gettext_lazy("Most applications per reviewer"),
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Automatic assignment never gives a reviewer more than this."),
    )
    review_deadline = _moment(gettext_lazy("Review deadline"), required=False)
    disagreement_margin = forms.DecimalField(
        label=gettext_lazy("Disagreement margin (points)"),
        min_value=0,
        max_value=1000,
        max_digits=5,
        decimal_places=1,
        help_text=gettext_lazy("An application is flagged when its reviewers' totals differ by more than this."),
    )
    appeal_deadline = _moment(
        gettext_lazy("Appeal deadline"), required=False, help_text=gettext_lazy("Appeals are accepted until then.")
    )

    # The page's groups of fields: (legend, names).
    GROUPS = (
        (gettext_lazy("The cycle"), ("name", "name_fr", "time_zone")),
        (gettext_lazy("Applications"), ("opens_at", "closes_at")),
        (gettext_lazy("Validity of the designations"), ("valid_from", "valid_until")),
        (gettext_lazy("Certificates of designation"), SIGNATORY_FIELDS),
        (gettext_lazy("Review panel"), PANEL_FIELDS),
    )

    def __init__(self, *args, cycle=None, **kwargs):
        self.cycle = cycle
        kwargs.setdefault("initial", self._initial(cycle))
        super().__init__(*args, **kwargs)
        chosen = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        zone = chosen if isinstance(chosen, str) and chosen in valid_time_zones() else settings.TIME_ZONE
        for name in ZONED:
            self.fields[name].zone = zone
            # The zone chosen above, whichever it is when the form is sent: a label naming one could be out of date.
            self.fields[name].label = _("%(label)s (date and time in the cycle's time zone)") % {
                "label": self.fields[name].label
            }
        for name in ("reviewers_per_application", "max_per_reviewer", "disagreement_margin"):
            self.fields[name].widget.attrs["inputmode"] = "decimal" if name == "disagreement_margin" else "numeric"

    @staticmethod
    def _initial(cycle):
        if cycle is None:
            defaults = ReviewSettings()
            panel = {name: getattr(defaults, name) for name in PANEL_FIELDS}
            return {"time_zone": settings.TIME_ZONE, **panel}
        review_settings = settings_for(cycle)
        return {
            **{name: stored(cycle, name) for name in CYCLE_FIELDS},
            **{name: getattr(review_settings, name) for name in PANEL_FIELDS},
        }

    def groups(self):
        """The page's fieldsets: (legend, [bound fields])."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.GROUPS]

    def _taken(self, **lookup):
        taken = Cycle.objects.filter(**lookup)
        if self.cycle is not None:
            taken = taken.exclude(pk=self.cycle.pk)
        return taken.exists()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # ``name_en`` by its own name: a lookup on ``name`` would follow the reader's language.
        if self._taken(name_en__iexact=name):
            raise forms.ValidationError(
                _("A cycle named %(name)s exists already: choose another name.") % {"name": name}, code="taken"
            )
        return name

    def clean_name_fr(self):
        name = self.cleaned_data["name_fr"].strip()
        if name and self._taken(name_fr__iexact=name):
            raise forms.ValidationError(
                _("A cycle named %(name)s in French exists already: choose another name.") % {"name": name},
                code="taken",
            )
        return name

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", forms.ValidationError(_("Applications must close after they open."), code="order")
            )
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error(
                "valid_until", forms.ValidationError(_("The designations must end after they start."), code="order")
            )
        review = data.get("review_deadline")
        if review and closes and review <= closes:
            self.add_error(
                "review_deadline",
                forms.ValidationError(_("The review deadline must come after applications close."), code="order"),
            )
        return data


class EarlierRubric(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("A copy of the rubric of %(cycle)s") % {"cycle": obj}


class NewCycleForm(CycleSettingsForm):
    """A new cycle's settings and its rubric: a copy of an earlier cycle's (the latest by default) or the
    product's default."""

    rubric_source = EarlierRubric(
        queryset=Cycle.objects.filter(rubric__isnull=False).order_by("-opens_at", "-pk"),
        required=False,
        empty_label=gettext_lazy("The product's default rubric"),
        label=gettext_lazy("Start from"),
        help_text=gettext_lazy("The rubric can be tuned until the first application is submitted."),
        error_messages={"invalid_choice": gettext_lazy("Choose an earlier cycle's rubric or the product's default.")},
    )
    GROUPS = (*CycleSettingsForm.GROUPS, (gettext_lazy("Rubric"), ("rubric_source",)))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.fields["rubric_source"].queryset.first()
        self.fields["rubric_source"].initial = latest.pk if latest else None


def _panel_values(data):
    return {name: data[name] for name in PANEL_FIELDS}


# The cycle's words written in each language: the form's ``name`` reads and writes the English column
# (``name_en``), ``name_fr`` the French one. ``name`` alone on the model follows the reader's language.
IN_TWO_LANGUAGES = ("name", "signatory_title")


def _french(name):
    return name.endswith("_fr") and name.removesuffix("_fr") in IN_TWO_LANGUAGES


def stored(cycle, name):
    """What the settings form shows of the cycle's field ``name`` (a name of ``CYCLE_FIELDS``)."""
    if name in IN_TWO_LANGUAGES:
        return getattr(cycle, f"{name}_en") or ""
    if _french(name):
        return getattr(cycle, name) or ""
    return getattr(cycle, name)


def _put(cycle, name, value):
    """Set the cycle's field ``name`` (of ``CYCLE_FIELDS``) to what the form says."""
    if name in IN_TWO_LANGUAGES:
        with translation.override("en"):  # ``name`` sets the active language's column: the English one, then
            setattr(cycle, name, value)
    elif _french(name):
        setattr(cycle, name, value or None)  # none, not "": empty reads the English, and name_fr is unique
    else:
        setattr(cycle, name, value)


@transaction.atomic
def create_cycle(form, by):
    """A new cycle from a valid ``NewCycleForm``, with its panel settings and its rubric; audited."""
    data = form.cleaned_data
    cycle = Cycle(status=Cycle.Status.UPCOMING)
    for name in CYCLE_FIELDS:
        _put(cycle, name, data[name])
    source = data.get("rubric_source")
    if source is not None:
        cycle.rubric_source = Rubric.objects.get(cycle=source)  # copied when the cycle is saved (scoring.apps)
    cycle.save()
    ReviewSettings.objects.update_or_create(cycle=cycle, defaults=_panel_values(data))
    if source:
        words = said(
            gettext_noop("Created %(cycle)s (%(zone)s), with a copy of the rubric of %(source)s"),
            cycle=named(cycle),
            zone=cycle.time_zone,
            source=named(source),
        )
    else:
        words = said(
            gettext_noop("Created %(cycle)s (%(zone)s), with the product's default rubric"),
            cycle=named(cycle),
            zone=cycle.time_zone,
        )
    audit(by, "cycle.created", cycle=cycle, words=words)
    return cycle


def _changed_labels(form, before, after):
    """The labels (as the form's fields are declared, without the time zone's note) of the fields that changed,
    in the active language, each begun in lower case."""
    changed = [str(form.base_fields[name].label) for name in before if before[name] != after[name]]
    return [label[:1].lower() + label[1:] for label in changed]


def _kept(stored, typed):
    """What is saved: the stored moment when the form showed it unchanged (to the minute, as it shows it)."""
    if isinstance(stored, datetime) and isinstance(typed, datetime):
        if stored.replace(second=0, microsecond=0) == typed:
            return stored
    return typed


def _values(cycle, review_settings):
    return {name: stored(cycle, name) for name in CYCLE_FIELDS} | {
        name: getattr(review_settings, name) for name in PANEL_FIELDS
    }


@transaction.atomic
def update_cycle(cycle, form, by):
    """Save a valid ``CycleSettingsForm`` of ``cycle``; audited with what changed. Returns the changed fields'
    labels, in the active language."""
    data = form.cleaned_data
    review_settings = settings_for(cycle)
    before = _values(cycle, review_settings)
    for name in CYCLE_FIELDS:
        _put(cycle, name, _kept(before[name], data[name]))
    cycle.save()  # an empty valid_until becomes two years after the start
    for name in PANEL_FIELDS:
        setattr(review_settings, name, _kept(before[name], data[name]))
    review_settings.save()
    after = _values(cycle, review_settings)
    changed = _changed_labels(form, before, after)
    if changed:
        words = said(
            gettext_noop("Settings of %(cycle)s changed: %(fields)s"),
            cycle=named(cycle),
            fields=in_each_language(lambda: ", ".join(_changed_labels(form, before, after))),
        )
        audit(by, "cycle.changed", cycle=cycle, words=words)
    return changed
