"""The application, step by step: the wizard's forms, built from the questionnaire.

Each step of ``assessment/questionnaire.py`` is a form here (the metrics step a formset of rows);
its field names are the questions' keys, the keys of ``Application.answers``
(``answers[step][field]``) that the scoring engine reads, and its labels, choices, limits and
messages are the questions'. Required fields are required for Next and for Submit; drafts save
whatever was typed. Also the project's generic fields (yes/no, percent, deadline) and the U.S. Web
Design System styling of every form.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from assessment import questionnaire, validators
from assessment.models import EvidenceDocument
from assessment.widget_html import RENDERER


def _interpolated(text, params):
    return str(text) % params


# ``gettext_lazy("… %(name)s …") % params`` would translate at once (when the forms are built, at import):
# this waits until the message is shown, in the language of that page.
interpolated_lazy = lazy(_interpolated, str)

CHOOSE = gettext_lazy("— choose —")

_WIDGET_CLASSES = {
    "radioselect": "usa-radio__input",
    "checkboxselectmultiple": "usa-checkbox__input",
    "checkboxinput": "usa-checkbox__input",
    "textarea": "usa-textarea",
    "select": "usa-select",
    "clearablefileinput": "usa-file-input",
    "fileinput": "usa-file-input",
}


def style_for_uswds(form):
    """Give every widget the U.S. Web Design System class for its kind."""
    for field in form.fields.values():
        kind = field.widget.__class__.__name__.lower()
        field.widget.attrs.setdefault("class", _WIDGET_CLASSES.get(kind, "usa-input"))


class UswdsForm(forms.Form):
    default_renderer = RENDERER  # Django's widget HTML, written without a template per widget and option

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_for_uswds(self)


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question: 'not answered' is not the same as 'no'."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(c.value, c.label) for c in questionnaire.YES_NO])
        kwargs.setdefault("coerce", lambda value: value == "yes")
        kwargs.setdefault("error_messages", {"required": gettext_lazy("Answer yes or no.")})
        super().__init__(**kwargs)


PERCENT_RANGE = gettext_lazy("Enter a percentage between 0 and 100, for example 82.5.")


class PercentField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": PERCENT_RANGE,
                "max_decimal_places": gettext_lazy("Use at most one decimal place, for example 82.5."),
                "max_digits": PERCENT_RANGE,
                "max_whole_digits": PERCENT_RANGE,
            },
        )
        super().__init__(
            validators=[
                MinValueValidator(Decimal(0), gettext_lazy("A percentage cannot be below 0.")),
                MaxValueValidator(Decimal(100), gettext_lazy("A percentage cannot be above 100.")),
            ],
            **kwargs,
        )
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"})


def validate_this_century(value):
    """A date someone means. Far ones cannot even be stored (9999-12-31 in New York is year 10000 in UTC)."""
    if value and not 2000 <= value.year <= 2099:
        raise ValidationError(gettext("Enter a date between 2000 and 2099."), code="out_of_range")


class DeadlineField(forms.DateTimeField):
    """A deadline: a date and time of this century, read on the clock of a named time zone.

    ``zone`` is an IANA name (the form that asks which zone sets it before cleaning): a date and time
    typed without an offset is read in that zone (``timezone.make_aware(naive, ZoneInfo(zone))``, refusing
    a time the zone skips or repeats), and a stored deadline is shown back on that clock. Without a zone,
    Django's default: the current time zone (TIME_ZONE)."""

    default_validators = [validate_this_century]

    def __init__(self, *, zone=None, **kwargs):
        self.zone = zone
        super().__init__(**kwargs)

    def _zone(self):
        return ZoneInfo(self.zone) if self.zone else timezone.get_current_timezone()

    def to_python(self, value):
        # Django's parsing, with a naive result made aware in our zone (from_current_timezone): the
        # zone is the one the person was told, not the server's.
        with timezone.override(self._zone()):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self._zone()).replace(tzinfo=None)
        return super().prepare_value(value)


class SignInForm(AuthenticationForm):
    """Django's sign-in form sets the username's max_length without checking it: a longer username went on to
    django-axes' record of failed sign-ins (255 characters), a server error on PostgreSQL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))
        style_for_uswds(self)


def _pairs(choices):
    return [(c.value, c.label) for c in choices]


def _whole_number_field(q, common, messages):
    return forms.IntegerField(
        min_value=q.min_value,
        max_value=q.max_value,
        **{**common, "error_messages": {**messages, **common.get("error_messages", {})}},
    )


def _messages_of_kind(q):
    """The messages a count or a year gives for a wrong number."""
    if q.kind == "year":
        return {
            "invalid": gettext_lazy("Enter a year, for example 2025."),
            "min_value": interpolated_lazy(gettext_lazy("Enter a year after %(year)s."), {"year": q.min_value}),
            "max_value": interpolated_lazy(gettext_lazy("Enter a year before %(year)s."), {"year": q.max_value}),
        }
    return {
        "invalid": interpolated_lazy(gettext_lazy("Enter a whole %(unit)s, for example 12."), {"unit": q.unit}),
        "min_value": gettext_lazy("This cannot be negative."),
        "max_value": interpolated_lazy(
            gettext_lazy("This looks too large; the most we accept is %(most)s."), {"most": _grouped(q.max_value)}
        ),
    }


def _grouped_now(number):
    return number_format(number, force_grouping=True)


# 1,000,000 in English, 1 000 000 in French: the number as the page's language writes it.
_grouped = lazy(_grouped_now, str)


def field_for(q, in_rows=False):
    """The form field that asks question ``q`` (a ``questionnaire.Question``); a choice in a row is a drop-down."""
    common = {"label": q.label, "help_text": q.help_text, "required": q.required}
    messages = {code: text for code, text in q.messages.items() if not (q.required_if and code == "required")}
    if messages:
        common["error_messages"] = messages
    match q.kind:
        case "yes_no":
            return YesNoField(choices=_pairs(q.choices), **common)
        case "choice" if in_rows:
            return forms.ChoiceField(choices=[("", CHOOSE)] + _pairs(q.choices), **common)
        case "choice":
            return forms.ChoiceField(choices=_pairs(q.choices), widget=forms.RadioSelect, **common)
        case "multiple_choice":
            return forms.MultipleChoiceField(choices=_pairs(q.choices), widget=forms.CheckboxSelectMultiple, **common)
        case "count" | "year":
            return _whole_number_field(q, common, _messages_of_kind(q))
        case "percent":
            return PercentField(decimal_places=q.decimal_places, **common)
        case "text":
            return forms.CharField(max_length=q.max_length, **common)
        case "narrative":
            return forms.CharField(max_length=q.max_length, widget=forms.Textarea(attrs={"rows": q.lines}), **common)
        case "email":
            return forms.EmailField(**common)
        case "url":
            return forms.URLField(assume_scheme="https", max_length=q.max_length, **common)
        case "confirm":
            return forms.BooleanField(**common)
    raise ValueError(f"No form field asks a question of kind {q.kind!r}.")


def form_for(step_key, name, base):
    """A form class asking every question of the step ``step_key``, named ``name``."""
    step = questionnaire.step(step_key)
    fields = {q.key: field_for(q, in_rows=step.repeated) for q in step.questions}
    attrs = {"__module__": __name__, "__qualname__": name, **fields}
    if not step.repeated:
        attrs.update(step=step.key, title=step.title, intro=step.intro)
    return type(name, (base,), attrs)


class StepForm(UswdsForm):
    """One step's form: ``step`` names its questionnaire step."""

    step = ""
    title = ""
    intro = ""

    def clean(self):
        data = super().clean()
        for q in questionnaire.step(self.step).questions if self.step else ():
            if q.required_if and data.get(q.required_if) is True and data.get(q.key) in (None, ""):
                self.add_error(q.key, forms.ValidationError(q.messages["required"], code="required"))
        return data


ProfileForm = form_for("profile", "ProfileForm", StepForm)
ChannelsForm = form_for("channels", "ChannelsForm", StepForm)
TechnologyForm = form_for("technology", "TechnologyForm", StepForm)
MetricForm = form_for("metrics", "MetricForm", UswdsForm)
PerformanceForm = form_for("performance", "PerformanceForm", StepForm)
AccountabilityForm = form_for("accountability", "AccountabilityForm", StepForm)
ParticipationForm = form_for("participation", "ParticipationForm", StepForm)
WorkforceForm = form_for("workforce", "WorkforceForm", StepForm)
PlanningForm = form_for("planning", "PlanningForm", StepForm)
EvidenceForm = form_for("evidence", "EvidenceForm", StepForm)
AttestationForm = form_for("review", "AttestationForm", StepForm)


class BaseMetricFormSet(forms.BaseFormSet):
    title = questionnaire.step("metrics").title
    intro = questionnaire.step("metrics").intro

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kinds = [f.cleaned_data["kind"] for f in self.forms if f.cleaned_data and f.cleaned_data.get("kind")]
        if not kinds:
            raise forms.ValidationError(gettext("List at least one metric you track."), code="no_metrics")


MetricFormSet = forms.formset_factory(
    MetricForm, formset=BaseMetricFormSet, extra=5, max_num=40, validate_max=True, absolute_max=60, renderer=RENDERER
)

_FORMS = {
    "profile": ProfileForm,
    "channels": ChannelsForm,
    "technology": TechnologyForm,
    "metrics": MetricFormSet,
    "performance": PerformanceForm,
    "accountability": AccountabilityForm,
    "participation": ParticipationForm,
    "workforce": WorkforceForm,
    "planning": PlanningForm,
    "evidence": EvidenceForm,
    "review": AttestationForm,
}
STEPS = [(step.key, _FORMS[step.key]) for step in questionnaire.STEPS]
STEP_TITLES = {step.key: step.title for step in questionnaire.STEPS}


class EvidenceUploadForm(UswdsForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is this document?"), choices=[("", CHOOSE)] + EvidenceDocument.Kind.choices
    )
    file = forms.FileField(
        label=gettext_lazy("PDF file"),
        error_messages={
            "required": gettext_lazy("Choose a PDF file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            sizes = {
                "size": number_format(Decimal(f"{upload.size / 1_048_576:.1f}"), 1),
                "limit": number_format(Decimal(f"{self.max_bytes / 1_048_576:.0f}"), 0),
            }
            raise forms.ValidationError(
                gettext("The file is %(size)s MB; the limit is %(limit)s MB.") % sizes, code="too_large"
            )
        # The rewritten copy to store (CheckedPdf): bytes, pages, what was removed.
        self.checked = validators.check_pdf(upload)
        self.pages = self.checked.pages
        return upload
