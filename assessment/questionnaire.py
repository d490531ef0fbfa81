"""The application's questions, as data: every step, every question, its choices and its limits.

Plain Python, like ``scoring/default_rubric.py``: Django only for the translation of its words. A
question's ``key`` is the key of its answer in ``Application.answers[step][key]`` and never changes; its
words (label, help text, choice labels, units, messages) are read from here by the wizard's forms
(``assessment/forms.py`` builds them from these questions), the answers pages, the engine's reasons, the PDF
report and the exports' data dictionary, so rewording a question is a change here only. ``metrics`` is a
step of repeated rows: its questions are the columns of one row and its answer is a list of dicts.

Every word a person reads is marked with ``_``: inside Django it is ``gettext_lazy`` (the French is in the
catalogue; the words are looked up in the reader's language each time they are shown, so a consumer that
joins them with ``str.join``, stores them or writes them to JSON makes them ``str`` at that point). Read by
the scoring engine in a process without Django (tests/test_engine_pure.py), the words are the English itself.

Kinds: ``yes_no`` (True/False, asked as the choices yes and no), ``choice`` (one value of ``choices``), ``multiple_choice`` (a list of
values), ``count`` (a whole number from ``min_value`` to ``max_value``, counted in ``unit``), ``percent``
(0–100 with ``decimal_places``), ``year``, ``text`` (one line of at most ``max_length``), ``narrative``
(several lines, ``lines`` tall), ``email``, ``url`` and ``confirm`` (a box a senior official ticks).
"""

import sys
from dataclasses import dataclass, field

if "django" in sys.modules:  # the site: words in the reader's language, looked up each time they are shown
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext_lazy
else:  # the pure scoring engine, run without Django: the English words as they are

    def _(words):
        return words

    def pgettext_lazy(context, words):
        return words


KINDS = (
    "yes_no",
    "choice",
    "multiple_choice",
    "count",
    "percent",
    "year",
    "text",
    "narrative",
    "email",
    "url",
    "confirm",
)


@dataclass(frozen=True)
class Choice:
    value: str  # stored in the answers; stable
    label: str


@dataclass(frozen=True)
class Question:
    key: str  # stored in the answers; stable
    kind: str
    label: str
    help_text: str = ""
    choices: tuple = ()  # (Choice, ...) of a choice or multiple_choice question
    required: bool = True
    required_if: str = ""  # the key of a yes/no question of the same step whose yes makes this one required
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    decimal_places: int | None = None
    unit: str = ""  # what a count counts, in words ("number of hours")
    lines: int = 6  # the height of a narrative's box
    messages: dict = field(default_factory=dict, hash=False)  # error code → message, instead of the kind's own

    def choice_label(self, value):
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str
    questions: tuple
    repeated: bool = False  # the answer is a list of rows, each answering ``questions``


def _choices(*pairs):
    return tuple(Choice(value, label) for value, label in pairs)


NUMBER = _("number")  # what a count counts unless told
YES_NO = _choices(("yes", _("Yes")), ("no", _("No")))  # stored as True and False


def yes_no(key, label, **more):
    return Question(key, "yes_no", label, choices=YES_NO, **more)


def choice(key, label, choices, **more):
    return Question(key, "choice", label, choices=_choices(*choices), **more)


def multiple_choice(key, label, choices, **more):
    return Question(key, "multiple_choice", label, choices=_choices(*choices), **more)


def count(key, label, help_text="", *, maximum=10_000_000, unit=NUMBER, required=True):
    return Question(key, "count", label, help_text, required=required, min_value=0, max_value=maximum, unit=unit)


def percent(key, label, **more):
    return Question(key, "percent", label, min_value=0, max_value=100, decimal_places=1, **more)


def text(key, label, max_length=200, **more):
    return Question(key, "text", label, max_length=max_length, **more)


def narrative(key, label, help_text="", *, max_length=5000, lines=6, required=True):
    return Question(key, "narrative", label, help_text, required=required, max_length=max_length, lines=lines)


STEPS = (
    Step(
        "profile",
        _("Contact center profile"),
        _("How residents reach your jurisdiction by phone, and who answers."),
        (
            choice(
                "contact_number_type",
                _("Central contact number"),
                [("311", _("3-1-1 only")), ("7digit", _("A 7-digit (or 10-digit) number only")), ("both", _("Both"))],
            ),
            text("main_number", _("The number residents call"), max_length=40),
            yes_no("crm_tracks_cases", _("Are all contacts tracked as cases in a CRM system?")),
            count(
                "live_agent_hours_per_week",
                _("Live-agent hours per week"),
                _("Hours a week a person answers calls, e.g. 45 for Mon–Fri 8–5."),
                maximum=168,
                unit=_("number of hours"),
            ),
            count("agents_fte", _("Call takers (full-time equivalents)"), maximum=10_000),
            count("yearly_contacts", _("Contacts handled last year (all channels)"), maximum=100_000_000),
            text("contact_name", _("Contact person for this application")),
            Question(
                "contact_email",
                "email",
                _("Contact e-mail"),
                messages={"invalid": _("Enter an e-mail address like name@city.gov.")},
            ),
        ),
    ),
    Step(
        "channels",
        _("Channels and self-service"),
        _("Every way a resident can ask for a service or information."),
        (
            multiple_choice(
                "channels",
                _("Channels that take service requests"),
                [
                    ("live_phone", _("Live agent by phone")),
                    ("ivr", _("Interactive voice response (IVR)")),
                    ("web_form", _("Web form")),
                    ("mobile_app", _("Mobile app")),
                    ("email", _("E-mail")),
                    ("web_chat", _("Web chat")),
                    ("sms", _("Text message (SMS)")),
                    ("social_media", _("Social media")),
                    ("walk_in", _("Walk-in counter")),
                    ("voice_recognition", _("Voice recognition")),
                ],
                messages={"required": _("Choose at least one channel.")},
            ),
            multiple_choice(
                "self_service",
                _("Self-service options"),
                [
                    ("request_online", _("Submit a service request online")),
                    ("status_tracking", _("Track a request's status")),
                    ("knowledge_base", _("Searchable answers (FAQ / knowledge base)")),
                    ("payments", _("Pay bills or fines online")),
                    ("permits", _("Apply for permits or licences online")),
                    ("appointments", _("Book appointments online")),
                    ("ivr_self_service", _("Self-service by phone (IVR)")),
                    ("open_data", _("Service-request open data")),
                    ("alerts", _("Subscribe to alerts")),
                ],
                required=False,
            ),
            yes_no(
                "language_access",
                _("Is service offered in languages other than English (interpreters or translated content)?"),
            ),
            yes_no("tty_access", _("Is TTY / relay service available?")),
            yes_no("single_case_number", _("Does a request keep one case number whichever channel it came through?")),
            yes_no(
                "mobile_app_photo_location",
                _("Can residents send a photo and location from a mobile app straight into the CRM?"),
            ),
            yes_no("online_status_tracking", _("Can residents check the status of their request online?")),
        ),
    ),
    Step(
        "technology",
        _("Integrated technology"),
        _("Your CRM and the systems it exchanges data with."),
        (
            text("crm_product", _("CRM product")),
            multiple_choice(
                "crm_integrations",
                _("Systems integrated with the CRM"),
                [
                    ("telephony", _("Telephony / ACD")),
                    ("work_management", _("Work-order management")),
                    ("gis", _("GIS")),
                    ("asset_management", _("Asset management")),
                    ("knowledge_base", _("Knowledge base")),
                ],
                required=False,
            ),
            Question(
                "open311_endpoint",
                "url",
                _("Open311 GeoReport v2 endpoint"),
                _("Leave empty if you do not publish one."),
                required=False,
                max_length=300,
                messages={"invalid": _("Enter a full web address starting with https://.")},
            ),
            text(
                "knowledge_base_owner",
                _("Who owns and updates the knowledge base?"),
                required=False,
                help_text=_("A role or team, e.g. “311 knowledge manager”. Leave empty if there is none."),
            ),
        ),
    ),
    Step(
        "metrics",
        _("Performance metrics"),
        _("Every metric you track. Add rows as needed; empty rows are ignored."),
        (
            choice(
                "kind",
                _("Metric"),
                [
                    ("service_level", _("Service level (% answered within N seconds)")),
                    ("asa", _("Average speed of answer")),
                    ("abandonment", _("Abandonment rate")),
                    ("fcr", _("First-contact resolution")),
                    ("csat", _("Customer satisfaction")),
                    ("sla_compliance", _("SLA compliance")),
                    ("cost_per_contact", _("Cost per contact")),
                    ("agent_turnover", _("Agent turnover")),
                    ("email_response", _("E-mail response time")),
                    ("other", _("Other")),
                ],
            ),
            text("name", _("Name you use"), required=False),
            text("target", _("Target"), max_length=100, required=False),
            text("latest_value", _("Latest value"), max_length=100, required=False),
            text("published_where", _("Published where"), max_length=300, required=False),
        ),
        repeated=True,
    ),
    Step(
        "performance",
        _("Performance results"),
        _("Your latest full-year figures."),
        (
            percent("service_level_pct", _("Service level: % of calls answered within the target time")),
            count(
                "service_level_seconds",
                _("Service-level target time (seconds)"),
                maximum=3600,
                unit=_("number of seconds"),
            ),
            count("asa_seconds", _("Average speed of answer (seconds)"), maximum=36000, unit=_("number of seconds")),
            percent("abandonment_pct", _("Abandonment rate (%)")),
            percent("fcr_pct", _("First-contact resolution (%)"), required=False),
            choice(
                "publication_frequency",
                _("How often do you publish performance results?"),
                [
                    ("weekly", _("Weekly or more often")),
                    ("monthly", _("Monthly")),
                    ("quarterly", _("Quarterly")),
                    ("yearly", _("Yearly")),
                    ("never", pgettext_lazy("frequency", "Not published")),
                ],
            ),
            narrative(
                "improvement_narrative",
                _("Year-on-year improvement"),
                _("What improved compared with the year before, and how you know. Reviewers score this answer."),
            ),
        ),
    ),
    Step(
        "accountability",
        _("Service-delivery accountability"),
        _("Agreements with the departments that deliver the services."),
        (
            yes_no("written_slas", _("Do you have written service-level agreements with departments?")),
            percent("sla_coverage_pct", _("Share of request types covered by an SLA (%)"), required=False),
            percent(
                "sla_compliance_pct",
                _("SLA compliance: share of requests closed within the agreed time (%)"),
                required=False,
            ),
            choice(
                "department_meetings",
                _("Regular meetings with service departments"),
                [
                    ("weekly", _("Weekly")),
                    ("monthly", _("Monthly")),
                    ("quarterly", _("Quarterly")),
                    ("none", _("No regular meetings")),
                ],
            ),
            yes_no(
                "residents_told_completion", _("Are residents told when their request is expected to be completed?")
            ),
        ),
    ),
    Step(
        "participation",
        _("Participation, social media and open data"),
        _("How residents give feedback and how you publish."),
        (
            multiple_choice(
                "feedback_tools",
                _("Feedback tools"),
                [
                    ("closure_survey", _("Survey after a request is closed")),
                    ("annual_survey", _("Annual resident survey")),
                    ("online_forum", _("Online engagement platform")),
                    ("town_halls", _("Town halls or listening sessions")),
                    ("social_listening", _("Social-media listening")),
                ],
                required=False,
            ),
            percent("csat_pct", _("Customer satisfaction (% satisfied or very satisfied)"), required=False),
            multiple_choice(
                "social_platforms",
                _("Social-media accounts the contact center uses"),
                [
                    ("facebook", "Facebook"),
                    ("x_twitter", "X (Twitter)"),
                    ("instagram", "Instagram"),
                    ("nextdoor", "Nextdoor"),
                    ("youtube", "YouTube"),
                    ("linkedin", "LinkedIn"),
                    ("other", _("Other")),
                ],
                required=False,
            ),
            yes_no(
                "social_takes_requests", _("Do you open service requests from social-media messages and reply there?")
            ),
            yes_no(
                "social_media_policy",
                _("Is there an adopted social-media policy (monitoring hours, access, emergencies)?"),
            ),
            choice(
                "open_data_frequency",
                _("How often is service-request data published as open data?"),
                [
                    ("daily", _("Daily or live")),
                    ("weekly", _("Weekly")),
                    ("monthly", _("Monthly")),
                    ("less", _("Less often")),
                    ("none", pgettext_lazy("frequency", "Not published")),
                ],
            ),
            narrative(
                "data_changed_service",
                _("An example of data changing a service"),
                _(
                    "A time when contact-center data led a department to change how it works. Reviewers score this answer."
                ),
            ),
        ),
    ),
    Step(
        "workforce",
        _("Workforce and operations"),
        "",
        (
            yes_no("remote_call_takers", _("Do some call takers work remotely?")),
            yes_no("continuity_plan", _("Is there a written continuity plan (for emergencies and outages)?")),
            count(
                "training_hours", _("Training hours per call taker per year"), maximum=2000, unit=_("number of hours")
            ),
            yes_no("quality_monitoring", _("Are calls monitored for quality against a written standard?")),
            yes_no("recognition_program", _("Is there a recognition or retention program for agents?")),
            percent("agent_turnover_pct", _("Agent turnover last year (%)"), required=False),
        ),
    ),
    Step(
        "planning",
        _("Planning and improvement"),
        "",
        (
            yes_no("technology_plan", _("Is there a written technology plan for the contact center?")),
            Question(
                "technology_plan_year",
                "year",
                _("Year the plan was last updated"),
                required=False,
                required_if="technology_plan",
                min_value=1990,
                max_value=2100,
                messages={"required": _("Enter the year the plan was last updated.")},
            ),
            yes_no("budgeted_roadmap", _("Is there a budgeted roadmap for technology upgrades?")),
            narrative(
                "challenges",
                _("Challenges and next steps"),
                _("What stands in the way, and what you will do next. Reviewers score this answer."),
            ),
        ),
    ),
    Step(
        "evidence",
        _("Evidence documents"),
        _("Attach PDFs that back your answers: technology plan, SLAs, a performance report, your social-media policy."),
        (narrative("notes", _("Notes for reviewers about your documents"), max_length=2000, lines=3, required=False),),
    ),
    Step(
        "review",
        _("Review and submit"),
        _("Check your answers, then a senior official attests that they are accurate."),
        (
            text("official_name", _("Name of the senior official")),
            text(
                "official_title",
                _("Their title"),
                help_text=_("For example City Manager or Chief Information Officer."),
            ),
            Question(
                "attest",
                "confirm",
                _("I confirm, as a senior official of this jurisdiction, that the answers and documents are accurate."),
                messages={"required": _("A senior official must confirm the answers before you submit.")},
            ),
        ),
    ),
)

_STEPS = {s.key: s for s in STEPS}
_QUESTIONS = {(s.key, q.key): q for s in STEPS for q in s.questions}


def step(key):
    """The step named ``key`` (KeyError if there is none)."""
    return _STEPS[key]


def question(step_key, key):
    """The question ``key`` of step ``step_key`` (KeyError if there is none)."""
    return _QUESTIONS[(step_key, key)]


def label(step_key, key):
    return question(step_key, key).label


def choice_label(step_key, key, value):
    """The words for a stored choice; the value itself when it is not (or no longer) a choice."""
    return question(step_key, key).choice_label(value)


def choice_labels():
    """{"<step>.<question>": {value: label}} of every question with choices, in the catalogue's order."""
    return {
        f"{step_key}.{key}": {c.value: c.label for c in q.choices}
        for (step_key, key), q in _QUESTIONS.items()
        if q.choices
    }


def answer_paths():
    """Every path a rubric criterion may read: "<step>.<question>", and "<step>" of a repeated step (its rows)."""
    return {f"{s.key}.{q.key}" for s in STEPS for q in s.questions if not s.repeated} | {
        s.key for s in STEPS if s.repeated
    }
