"""The application, step by step.

Each step is a form; its field names are the keys of ``Application.answers``
(``answers[step][field]``) that the scoring engine reads. Required fields are
required for Next and for Submit; drafts save whatever was typed.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone

from assessment.models import EvidenceDocument

YES_NO = [("yes", "Yes"), ("no", "No")]


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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_for_uswds(self)


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question: 'not answered' is not the same as 'no'."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("coerce", lambda value: value == "yes")
        kwargs.setdefault("error_messages", {"required": "Answer yes or no."})
        super().__init__(**kwargs)


class PercentField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Enter a percentage between 0 and 100, for example 82.5.",
                "max_decimal_places": "Use at most one decimal place, for example 82.5.",
                "max_digits": "Enter a percentage between 0 and 100, for example 82.5.",
                "max_whole_digits": "Enter a percentage between 0 and 100, for example 82.5.",
            },
        )
        super().__init__(
            validators=[
                MinValueValidator(Decimal(0), "A percentage cannot be below 0."),
                MaxValueValidator(Decimal(100), "A percentage cannot be above 100."),
            ],
            **kwargs,
        )
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.1", "min": "0", "max": "100"})


def validate_this_century(value):
    """A date someone means. Far ones cannot even be stored (9999-12-31 in New York is year 10000 in UTC)."""
    if value and not 2000 <= value.year <= 2099:
        raise ValidationError("Enter a date between 2000 and 2099.", code="out_of_range")


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


def count_field(label, help_text="", required=True, maximum=10_000_000, unit="number"):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": f"Enter a whole {unit}, for example 12.",
            "min_value": "This cannot be negative.",
            "max_value": f"This looks too large; the most we accept is {maximum:,}.",
        },
    )


def narrative_field(label, help_text="", required=True):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class StepForm(UswdsForm):
    title = ""
    intro = ""


class ProfileForm(StepForm):
    title = "Contact center profile"
    intro = "How residents reach your jurisdiction by phone, and who answers."

    NUMBER_TYPES = [("311", "3-1-1 only"), ("7digit", "A 7-digit (or 10-digit) number only"), ("both", "Both")]

    contact_number_type = forms.ChoiceField(
        label="Central contact number", choices=NUMBER_TYPES, widget=forms.RadioSelect
    )
    main_number = forms.CharField(label="The number residents call", max_length=40)
    crm_tracks_cases = YesNoField(label="Are all contacts tracked as cases in a CRM system?")
    live_agent_hours_per_week = count_field(
        "Live-agent hours per week",
        "Hours a week a person answers calls, e.g. 45 for Mon–Fri 8–5.",
        maximum=168,
        unit="number of hours",
    )
    agents_fte = count_field("Call takers (full-time equivalents)", maximum=10_000)
    yearly_contacts = count_field("Contacts handled last year (all channels)", maximum=100_000_000)
    contact_name = forms.CharField(label="Contact person for this application", max_length=200)
    contact_email = forms.EmailField(
        label="Contact e-mail", error_messages={"invalid": "Enter an e-mail address like name@city.gov."}
    )


class ChannelsForm(StepForm):
    title = "Channels and self-service"
    intro = "Every way a resident can ask for a service or information."

    CHANNELS = [
        ("live_phone", "Live agent by phone"),
        ("ivr", "Interactive voice response (IVR)"),
        ("web_form", "Web form"),
        ("mobile_app", "Mobile app"),
        ("email", "E-mail"),
        ("web_chat", "Web chat"),
        ("sms", "Text message (SMS)"),
        ("social_media", "Social media"),
        ("walk_in", "Walk-in counter"),
        ("voice_recognition", "Voice recognition"),
    ]
    SELF_SERVICE = [
        ("request_online", "Submit a service request online"),
        ("status_tracking", "Track a request's status"),
        ("knowledge_base", "Searchable answers (FAQ / knowledge base)"),
        ("payments", "Pay bills or fines online"),
        ("permits", "Apply for permits or licences online"),
        ("appointments", "Book appointments online"),
        ("ivr_self_service", "Self-service by phone (IVR)"),
        ("open_data", "Service-request open data"),
        ("alerts", "Subscribe to alerts"),
    ]

    channels = forms.MultipleChoiceField(
        label="Channels that take service requests",
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one channel."},
    )
    self_service = forms.MultipleChoiceField(
        label="Self-service options", choices=SELF_SERVICE, widget=forms.CheckboxSelectMultiple, required=False
    )
    language_access = YesNoField(
        label="Is service offered in languages other than English (interpreters or translated content)?"
    )
    tty_access = YesNoField(label="Is TTY / relay service available?")
    single_case_number = YesNoField(label="Does a request keep one case number whichever channel it came through?")
    mobile_app_photo_location = YesNoField(
        label="Can residents send a photo and location from a mobile app straight into the CRM?"
    )
    online_status_tracking = YesNoField(label="Can residents check the status of their request online?")


class TechnologyForm(StepForm):
    title = "Integrated technology"
    intro = "Your CRM and the systems it exchanges data with."

    INTEGRATIONS = [
        ("telephony", "Telephony / ACD"),
        ("work_management", "Work-order management"),
        ("gis", "GIS"),
        ("asset_management", "Asset management"),
        ("knowledge_base", "Knowledge base"),
    ]

    crm_product = forms.CharField(label="CRM product", max_length=200)
    crm_integrations = forms.MultipleChoiceField(
        label="Systems integrated with the CRM",
        choices=INTEGRATIONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    open311_endpoint = forms.URLField(
        assume_scheme="https",
        label="Open311 GeoReport v2 endpoint",
        required=False,
        max_length=300,
        help_text="Leave empty if you do not publish one.",
        error_messages={"invalid": "Enter a full web address starting with https://."},
    )
    knowledge_base_owner = forms.CharField(
        label="Who owns and updates the knowledge base?",
        max_length=200,
        required=False,
        help_text="A role or team, e.g. “311 knowledge manager”. Leave empty if there is none.",
    )


class MetricForm(UswdsForm):
    KINDS = [
        ("service_level", "Service level (% answered within N seconds)"),
        ("asa", "Average speed of answer"),
        ("abandonment", "Abandonment rate"),
        ("fcr", "First-contact resolution"),
        ("csat", "Customer satisfaction"),
        ("sla_compliance", "SLA compliance"),
        ("cost_per_contact", "Cost per contact"),
        ("agent_turnover", "Agent turnover"),
        ("email_response", "E-mail response time"),
        ("other", "Other"),
    ]
    kind = forms.ChoiceField(label="Metric", choices=[("", "— choose —")] + KINDS)
    name = forms.CharField(label="Name you use", max_length=200, required=False)
    target = forms.CharField(label="Target", max_length=100, required=False)
    latest_value = forms.CharField(label="Latest value", max_length=100, required=False)
    published_where = forms.CharField(label="Published where", max_length=300, required=False)


class BaseMetricFormSet(forms.BaseFormSet):
    title = "Performance metrics"
    intro = "Every metric you track. Add rows as needed; empty rows are ignored."

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kinds = [f.cleaned_data["kind"] for f in self.forms if f.cleaned_data and f.cleaned_data.get("kind")]
        if not kinds:
            raise forms.ValidationError("List at least one metric you track.", code="no_metrics")


MetricFormSet = forms.formset_factory(
    MetricForm, formset=BaseMetricFormSet, extra=5, max_num=40, validate_max=True, absolute_max=60
)


class PerformanceForm(StepForm):
    title = "Performance results"
    intro = "Your latest full-year figures."

    PUBLICATION = [
        ("weekly", "Weekly or more often"),
        ("monthly", "Monthly"),
        ("quarterly", "Quarterly"),
        ("yearly", "Yearly"),
        ("never", "Not published"),
    ]
    service_level_pct = PercentField(label="Service level: % of calls answered within the target time")
    service_level_seconds = count_field("Service-level target time (seconds)", maximum=3600, unit="number of seconds")
    asa_seconds = count_field("Average speed of answer (seconds)", maximum=36000, unit="number of seconds")
    abandonment_pct = PercentField(label="Abandonment rate (%)")
    fcr_pct = PercentField(label="First-contact resolution (%)", required=False)
    publication_frequency = forms.ChoiceField(
        label="How often do you publish performance results?", choices=PUBLICATION, widget=forms.RadioSelect
    )
    improvement_narrative = narrative_field(
        "Year-on-year improvement",
        "What improved compared with the year before, and how you know. Reviewers score this answer.",
    )


class AccountabilityForm(StepForm):
    title = "Service-delivery accountability"
    intro = "Agreements with the departments that deliver the services."

    MEETINGS = [
        ("weekly", "Weekly"),
        ("monthly", "Monthly"),
        ("quarterly", "Quarterly"),
        ("none", "No regular meetings"),
    ]

    written_slas = YesNoField(label="Do you have written service-level agreements with departments?")
    sla_coverage_pct = PercentField(label="Share of request types covered by an SLA (%)", required=False)
    sla_compliance_pct = PercentField(
        label="SLA compliance: share of requests closed within the agreed time (%)", required=False
    )
    department_meetings = forms.ChoiceField(
        label="Regular meetings with service departments", choices=MEETINGS, widget=forms.RadioSelect
    )
    residents_told_completion = YesNoField(label="Are residents told when their request is expected to be completed?")


class ParticipationForm(StepForm):
    title = "Participation, social media and open data"
    intro = "How residents give feedback and how you publish."

    FEEDBACK_TOOLS = [
        ("closure_survey", "Survey after a request is closed"),
        ("annual_survey", "Annual resident survey"),
        ("online_forum", "Online engagement platform"),
        ("town_halls", "Town halls or listening sessions"),
        ("social_listening", "Social-media listening"),
    ]
    PLATFORMS = [
        ("facebook", "Facebook"),
        ("x_twitter", "X (Twitter)"),
        ("instagram", "Instagram"),
        ("nextdoor", "Nextdoor"),
        ("youtube", "YouTube"),
        ("linkedin", "LinkedIn"),
        ("other", "Other"),
    ]
    OPEN_DATA = [
        ("daily", "Daily or live"),
        ("weekly", "Weekly"),
        ("monthly", "Monthly"),
        ("less", "Less often"),
        ("none", "Not published"),
    ]

    feedback_tools = forms.MultipleChoiceField(
        label="Feedback tools", choices=FEEDBACK_TOOLS, widget=forms.CheckboxSelectMultiple, required=False
    )
    csat_pct = PercentField(label="Customer satisfaction (% satisfied or very satisfied)", required=False)
    social_platforms = forms.MultipleChoiceField(
        label="Social-media accounts the contact center uses",
        choices=PLATFORMS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    social_takes_requests = YesNoField(label="Do you open service requests from social-media messages and reply there?")
    social_media_policy = YesNoField(
        label="Is there an adopted social-media policy (monitoring hours, access, emergencies)?"
    )
    open_data_frequency = forms.ChoiceField(
        label="How often is service-request data published as open data?", choices=OPEN_DATA, widget=forms.RadioSelect
    )
    data_changed_service = narrative_field(
        "An example of data changing a service",
        "A time when contact-center data led a department to change how it works. Reviewers score this answer.",
    )


class WorkforceForm(StepForm):
    title = "Workforce and operations"

    remote_call_takers = YesNoField(label="Do some call takers work remotely?")
    continuity_plan = YesNoField(label="Is there a written continuity plan (for emergencies and outages)?")
    training_hours = count_field("Training hours per call taker per year", maximum=2000, unit="number of hours")
    quality_monitoring = YesNoField(label="Are calls monitored for quality against a written standard?")
    recognition_program = YesNoField(label="Is there a recognition or retention program for agents?")
    agent_turnover_pct = PercentField(label="Agent turnover last year (%)", required=False)


class PlanningForm(StepForm):
    title = "Planning and improvement"

    technology_plan = YesNoField(label="Is there a written technology plan for the contact center?")
    technology_plan_year = forms.IntegerField(
        label="Year the plan was last updated",
        required=False,
        min_value=1990,
        max_value=2100,
        error_messages={
            "invalid": "Enter a year, for example 2025.",
            "min_value": "Enter a year after 1990.",
            "max_value": "Enter a year before 2100.",
        },
    )
    budgeted_roadmap = YesNoField(label="Is there a budgeted roadmap for technology upgrades?")
    challenges = narrative_field(
        "Challenges and next steps", "What stands in the way, and what you will do next. Reviewers score this answer."
    )

    def clean(self):
        data = super().clean()
        if data.get("technology_plan") is True and not data.get("technology_plan_year"):
            self.add_error(
                "technology_plan_year",
                forms.ValidationError("Enter the year the plan was last updated.", code="plan_year_required"),
            )
        return data


class EvidenceForm(StepForm):
    title = "Evidence documents"
    intro = "Attach PDFs that back your answers: technology plan, SLAs, a performance report, your social-media policy."

    notes = forms.CharField(
        label="Notes for reviewers about your documents",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttestationForm(StepForm):
    title = "Review and submit"
    intro = "Check your answers, then a senior official attests that they are accurate."

    official_name = forms.CharField(label="Name of the senior official", max_length=200)
    official_title = forms.CharField(
        label="Their title", max_length=200, help_text="For example City Manager or Chief Information Officer."
    )
    attest = forms.BooleanField(
        label="I confirm, as a senior official of this jurisdiction, that the answers and documents are accurate.",
        error_messages={"required": "A senior official must confirm the answers before you submit."},
    )


STEPS = [
    ("profile", ProfileForm),
    ("channels", ChannelsForm),
    ("technology", TechnologyForm),
    ("metrics", MetricFormSet),
    ("performance", PerformanceForm),
    ("accountability", AccountabilityForm),
    ("participation", ParticipationForm),
    ("workforce", WorkforceForm),
    ("planning", PlanningForm),
    ("evidence", EvidenceForm),
    ("review", AttestationForm),
]
STEP_TITLES = {name: form.title for name, form in STEPS}


class EvidenceUploadForm(UswdsForm):
    kind = forms.ChoiceField(
        label="What is this document?", choices=[("", "— choose —")] + EvidenceDocument.Kind.choices
    )
    file = forms.FileField(
        label="PDF file", error_messages={"required": "Choose a PDF file to upload.", "empty": "The file is empty."}
    )

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_file(self):
        from assessment.evidence import check_pdf

        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {self.max_bytes / 1_048_576:.0f} MB.",
                code="too_large",
            )
        # The rewritten copy to store (CheckedPdf): bytes, pages, what was removed.
        self.checked = check_pdf(upload)
        self.pages = self.checked.pages
        return upload
