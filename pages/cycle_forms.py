"""The organizers' forms of a cycle: its settings (name, dates on its own clock, validity, the review
panel's settings) and, for a new cycle, where its rubric comes from; and saving them, audited.

Dates and times are typed on the clock of the time zone chosen on the same form (``DeadlineField``
reads them there, as the admin's ``CycleForm`` does), and shown back on that clock.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from django.db import transaction

from assessment.audit import audit
from assessment.forms import DeadlineField, UswdsForm, validate_this_century
from assessment.models import Cycle, time_zone_choices, valid_time_zones
from review.models import ReviewSettings, settings_for
from scoring.models import Rubric

MOMENT = {"type": "datetime-local"}
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes
INVALID_MOMENT = {"invalid": "Enter a date and time, for example 2026-12-31 17:00."}
PANEL_FIELDS = (
    "reviewers_per_application",
    "max_per_reviewer",
    "review_deadline",
    "disagreement_margin",
    "appeal_deadline",
)
SIGNATORY_FIELDS = ("signatory_name", "signatory_title")  # printed on the cycle's certificates
CYCLE_FIELDS = ("name", "time_zone", "opens_at", "closes_at", "valid_from", "valid_until", *SIGNATORY_FIELDS)
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

    name = forms.CharField(label="Name", max_length=50, help_text="For example 2026–2028.")
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Every date and time below is typed and shown on this clock.",
    )
    opens_at = _moment("Applications open")
    closes_at = _moment("Applications close (the deadline)")
    valid_from = _day("Designations valid from")
    valid_until = _day("Designations valid until", required=False, help_text="Left empty: two years after the start.")
    signatory_name = forms.CharField(
        label="Name of the signatory",
        max_length=120,
        required=False,
        help_text="Printed under the signature on every certificate of the cycle.",
    )
    signatory_title = forms.CharField(
        label="Title of the signatory",
        max_length=160,
        required=False,
        help_text="For example: Executive Director, Public Technology Institute.",
    )
    reviewers_per_application = forms.IntegerField(label="Reviewers per application", min_value=1, max_value=20)
    max_per_reviewer = forms.IntegerField(
        label="Most applications per reviewer",
        min_value=1,
        max_value=1000,
        help_text="Automatic assignment never gives a reviewer more than this.",
    )
    review_deadline = _moment("Review deadline", required=False)
    disagreement_margin = forms.DecimalField(
        label="Disagreement margin (points)",
        min_value=0,
        max_value=1000,
        max_digits=5,
        decimal_places=1,
        help_text="An application is flagged when its reviewers' totals differ by more than this.",
    )
    appeal_deadline = _moment("Appeal deadline", required=False, help_text="Appeals are accepted until then.")

    # The page's groups of fields: (legend, names).
    GROUPS = (
        ("The cycle", ("name", "time_zone")),
        ("Applications", ("opens_at", "closes_at")),
        ("Validity of the designations", ("valid_from", "valid_until")),
        ("Certificates of designation", SIGNATORY_FIELDS),
        ("Review panel", PANEL_FIELDS),
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
            self.fields[name].label = f"{self.fields[name].label} (date and time in the cycle's time zone)"
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
            **{name: getattr(cycle, name) for name in CYCLE_FIELDS},
            **{name: getattr(review_settings, name) for name in PANEL_FIELDS},
        }

    def groups(self):
        """The page's fieldsets: (legend, [bound fields])."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.GROUPS]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Cycle.objects.filter(name__iexact=name)
        if self.cycle is not None:
            taken = taken.exclude(pk=self.cycle.pk)
        if taken.exists():
            raise forms.ValidationError(f"A cycle named {name} exists already: choose another name.", code="taken")
        return name

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", forms.ValidationError("Applications must close after they open.", code="order"))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error(
                "valid_until", forms.ValidationError("The designations must end after they start.", code="order")
            )
        review = data.get("review_deadline")
        if review and closes and review <= closes:
            self.add_error(
                "review_deadline",
                forms.ValidationError("The review deadline must come after applications close.", code="order"),
            )
        return data


class EarlierRubric(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"A copy of the rubric of {obj}"


class NewCycleForm(CycleSettingsForm):
    """A new cycle's settings and its rubric: a copy of an earlier cycle's (the latest by default) or the
    product's default."""

    rubric_source = EarlierRubric(
        queryset=Cycle.objects.filter(rubric__isnull=False).order_by("-opens_at", "-pk"),
        required=False,
        empty_label="The product's default rubric",
        label="Start from",
        help_text="The rubric can be tuned until the first application is submitted.",
        error_messages={"invalid_choice": "Choose an earlier cycle's rubric or the product's default."},
    )
    GROUPS = (*CycleSettingsForm.GROUPS, ("Rubric", ("rubric_source",)))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.fields["rubric_source"].queryset.first()
        self.fields["rubric_source"].initial = latest.pk if latest else None


def _panel_values(data):
    return {name: data[name] for name in PANEL_FIELDS}


@transaction.atomic
def create_cycle(form, by):
    """A new cycle from a valid ``NewCycleForm``, with its panel settings and its rubric; audited."""
    data = form.cleaned_data
    cycle = Cycle(status=Cycle.Status.UPCOMING, **{name: data[name] for name in CYCLE_FIELDS})
    source = data.get("rubric_source")
    if source is not None:
        cycle.rubric_source = Rubric.objects.get(cycle=source)  # copied when the cycle is saved (scoring.apps)
    cycle.save()
    ReviewSettings.objects.update_or_create(cycle=cycle, defaults=_panel_values(data))
    rubric = f"a copy of the rubric of {source}" if source else "the product's default rubric"
    audit(by, "cycle.created", f"Created {cycle} ({cycle.time_zone}), with {rubric}", cycle=cycle)
    return cycle


def _changed_labels(form, before, after):
    return [str(form.fields[name].label).split(" (date and time")[0] for name in before if before[name] != after[name]]


def _kept(stored, typed):
    """What is saved: the stored moment when the form showed it unchanged (to the minute, as it shows it)."""
    if isinstance(stored, datetime) and isinstance(typed, datetime):
        if stored.replace(second=0, microsecond=0) == typed:
            return stored
    return typed


@transaction.atomic
def update_cycle(cycle, form, by):
    """Save a valid ``CycleSettingsForm`` of ``cycle``; audited with what changed. Returns the changed labels."""
    data = form.cleaned_data
    review_settings = settings_for(cycle)
    before = {name: getattr(cycle, name) for name in CYCLE_FIELDS} | {
        name: getattr(review_settings, name) for name in PANEL_FIELDS
    }
    for name in CYCLE_FIELDS:
        setattr(cycle, name, _kept(before[name], data[name]))
    cycle.save()  # an empty valid_until becomes two years after the start
    for name in PANEL_FIELDS:
        setattr(review_settings, name, _kept(before[name], data[name]))
    review_settings.save()
    after = {name: getattr(cycle, name) for name in CYCLE_FIELDS} | {
        name: getattr(review_settings, name) for name in PANEL_FIELDS
    }
    changed = _changed_labels(form, before, after)
    if changed:
        audit(by, "cycle.changed", f"Settings of {cycle} changed: {', '.join(changed).lower()}", cycle=cycle)
    return changed
