"""The demo's data: its jurisdictions, people, answers and plans (a catalogue, read by ``assessment.demo``).

- The thirteen real 2013–2015 designees PTI announced on September 25, 2013,
  with an *illustrative reconstruction* of their answers (see ``assessment.demo``).
- The demo's logins, the reviewers without one, its fictional jurisdictions
  (every name starting "Demo: ") and each state's time zone.
- Answers of strong, middling and weak applications, and the plan of each
  application in the open cycle: what is typed, where the wizard stands, what
  happened to it; the applications submitted to the 2025–2027 cycle, now in
  review, and to the 2024–2026 one, now published (what the panel does with
  them is ``review.demo_data``'s).

Plain data and the small functions that compose it; nothing here writes to the database.
"""

import copy
import re
from dataclasses import dataclass

from assessment.models import Jurisdiction, User

PASSWORD = "demo-password-2026"
EMAIL_DOMAIN = "demo.example"
NAME_PREFIX = "Demo: "

OPEN_CYCLE = "2026–2028"
# Closed, in review: the panel's work in progress (``review.demo``).
REVIEW_CYCLE = "2025–2027"
EARLIER_CYCLE = "2024–2026"
CYCLE_2013_2015 = "2013–2015"
# Who signs the demo cycles' certificates: a fictional person, as every demo person is.
SIGNATORY = {
    "signatory_name": "Morgan T. Reyes",
    "signatory_title_en": "Program Director, Citizen-Engaged Communities",
    "signatory_title_fr": "Directrice du programme, Collectivités engagées envers les citoyens",
}
DESIGNATED = "application.designated"
DESIGNATION_SUMMARY = "Designated 2013–2015 (recorded from the PTI announcement of September 25, 2013)"

Kind = Jurisdiction.Kind
Role = User.Role


# --- The 2013–2015 designees (seed 004) ---------------------------------------


@dataclass(frozen=True)
class Designee:
    name: str
    state: str
    kind: str
    population: int  # approximate 2013 Census estimate

    def __str__(self):
        return f"{self.name}, {self.state}"


# In the announcement's order. Later code (the review app's decisions) can
# find each one as Jurisdiction(name=..., state=...) with an application in
# the cycle named CYCLE_2013_2015.
DESIGNEES_2013_2015 = (
    Designee("City of Chesapeake", "VA", Kind.CITY, 231_000),
    Designee("City of Dallas", "TX", Kind.CITY, 1_258_000),
    # A federal district whose one government does the work of a city and a county.
    Designee("Washington", "DC", Kind.CITY_COUNTY, 646_000),
    Designee("City of Durham", "NC", Kind.CITY, 245_000),
    Designee("City of Kansas City", "MO", Kind.CITY, 467_000),
    Designee("City of Minneapolis", "MN", Kind.CITY, 400_000),
    Designee("City of Philadelphia", "PA", Kind.CITY_COUNTY, 1_553_000),
    Designee("City of San Antonio", "TX", Kind.CITY, 1_409_000),
    Designee("City of Santa Monica", "CA", Kind.CITY, 92_000),
    Designee("City of Winston-Salem", "NC", Kind.CITY, 236_000),
    Designee("City and County of San Francisco", "CA", Kind.CITY_COUNTY, 837_000),
    Designee("Pinellas County", "FL", Kind.COUNTY, 938_000),
    Designee("Montgomery County", "MD", Kind.COUNTY, 1_017_000),
)

# Illustrative, chosen so that the thirteen together match the announcement's
# highlights; not facts about any one of them.
# (number type, live-agent hours a week, metrics tracked, self-service options,
#  remote call takers, technology plan and SLAs, channels beyond the six all had)
_RECONSTRUCTION = {
    "City of Chesapeake": ("7digit", 50, 9, 6, False, True, ("walk_in",)),
    "City of Dallas": ("311", 168, 12, 7, True, True, ("sms",)),
    "Washington": ("311", 168, 14, 8, True, True, ("web_chat", "sms")),
    "City of Durham": ("7digit", 45, 7, 5, False, False, ()),
    "City of Kansas City": ("311", 55, 11, 7, False, True, ("walk_in",)),
    "City of Minneapolis": ("311", 60, 13, 6, True, True, ()),
    "City of Philadelphia": ("311", 60, 10, 7, False, True, ("walk_in",)),
    "City of San Antonio": ("311", 60, 12, 6, False, True, ("sms",)),
    "City of Santa Monica": ("7digit", 45, 5, 5, False, False, ("walk_in",)),
    "City of Winston-Salem": ("both", 55, 8, 6, False, True, ()),
    "City and County of San Francisco": ("311", 168, 14, 8, True, True, ("sms", "walk_in")),
    "Pinellas County": ("both", 45, 6, 5, False, True, ()),
    "Montgomery County": ("311", 60, 10, 7, True, True, ()),
}

# --- People -------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    jurisdiction: str
    first_name: str
    last_name: str
    title: str
    what_to_try: str

    @property
    def email(self):
        return f"{self.username}@{EMAIL_DOMAIN}"


LOGINS = (
    Login(
        "applicant",
        Role.APPLICANT,
        "Demo: Harbor City",
        "Alex",
        "Moreno",
        "311 Program Manager",
        "finish and submit the 2026–2028 draft; answer the panel's question on 2025–2027",
    ),
    Login(
        "colleague",
        Role.APPLICANT,
        "Demo: Harbor City",
        "Casey",
        "Lindqvist",
        "Performance Analyst",
        "sign in alongside applicant: you share one draft and one question",
    ),
    Login(
        "applicant2",
        Role.APPLICANT,
        "Demo: Riverton",
        "Jordan",
        "Achebe",
        "Customer Service Director",
        "the 2024–2026 decision and your pending appeal; start 2026–2028 from it",
    ),
    Login(
        "reviewer",
        Role.REVIEWER,
        "Demo: Cedar County",
        "Robin",
        "Okafor",
        "Deputy CIO",
        "one review to start, one draft to finish; conflicted on Cedar County and its cities",
    ),
    Login(
        "reviewer2",
        Role.REVIEWER,
        "",
        "Avery",
        "Sato",
        "Civic Technology Consultant",
        "the lenient one: reviews submitted; see the other scores, answered questions",
    ),
    Login(
        "reviewer3",
        Role.REVIEWER,
        "Demo: Northgate County",
        "Dev",
        "Kowalczyk",
        "Director of Performance Management",
        "the harsh one: a draft waiting on Harbor City's answer to your question",
    ),
    Login(
        "organizer",
        Role.ORGANIZER,
        "",
        "Morgan",
        "Ellis",
        "Program Director",
        "the 2025–2027 panel: disagreement, leniency, decisions; an appeal; Bayport's certificate; the admin",
    ),
)


# Reviewers without a login (no usable password): the rest of the panel.
@dataclass(frozen=True)
class Panelist:
    username: str
    first_name: str
    last_name: str
    title: str

    @property
    def email(self):
        return f"{self.first_name}.{self.last_name}@{EMAIL_DOMAIN}".lower()


PANELISTS = (Panelist("demo-reviewer-ortiz", "Jamie", "Ortiz", "Former 311 Director"),)

# Who "did" the 2013 submissions: not a person, and never able to sign in.
ARCHIVE_USERNAME = "demo-archive"


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    state: str
    population: int
    county: str = ""
    # A staff member who cannot sign in: the one who "typed" the application.
    contact: tuple = ()

    @property
    def contact_username(self):
        return "demo-" + re.sub(r"[^a-z]+", "-", self.name.removeprefix(NAME_PREFIX).lower())


# Counties first: the cities inside them point at them.
PLACES = (
    Place("Demo: Cedar County", Kind.COUNTY, "WA", 648_000, contact=("Priya", "Raman", "Customer Service Manager")),
    Place(
        "Demo: Prairie County", Kind.COUNTY, "KS", 212_000, contact=("Maria", "Esposito", "Citizen Services Director")
    ),
    Place(
        "Demo: Northgate County", Kind.COUNTY, "TX", 780_000, contact=("Beth", "Caldwell", "Call Center Coordinator")
    ),
    Place("Demo: Harbor City", Kind.CITY, "WA", 182_400, county="Demo: Cedar County"),
    Place(
        "Demo: Port Alder",
        Kind.CITY,
        "WA",
        41_200,
        county="Demo: Cedar County",
        contact=("Sam", "Delgado", "City Clerk"),
    ),
    Place("Demo: Bayport", Kind.CITY_COUNTY, "CA", 1_120_000, contact=("Dana", "Whitfield", "311 Director")),
    Place("Demo: Granite Falls", Kind.CITY, "CO", 138_500, contact=("Lee", "Marchetti", "Contact Center Supervisor")),
    Place("Demo: Sandy Creek", Kind.TOWN, "GA", 23_800, contact=("Terry", "Boone", "Town Administrator")),
    Place("Demo: Millbrook", Kind.TOWN, "VT", 8_900, contact=("Ruth", "Ames", "Assistant Town Manager")),
    Place("Demo: Lake Tamsin", Kind.CITY, "MN", 74_300, contact=("Noah", "Berglund", "Communications Manager")),
    Place("Demo: Riverton", Kind.CITY, "OH", 312_000),
    Place("Demo: Copper Mesa", Kind.CITY, "AZ", 455_000, contact=("Ibrahim", "Haddad", "311 Operations Lead")),
    # Applicants of the 2025–2027 cycle only.
    Place(
        "Demo: Silver Lake County", Kind.COUNTY, "MI", 356_000, contact=("Grace", "Nowak", "Citizen Services Manager")
    ),
    Place("Demo: Westbrook", Kind.CITY, "OR", 96_400, contact=("Tomas", "Reyes", "Customer Experience Officer")),
    Place("Demo: Kingsford", Kind.CITY, "NC", 264_000, contact=("Alicia", "Grant", "311 Director")),
    Place("Demo: Three Rivers", Kind.CITY, "NM", 118_700, contact=("Marco", "Villanueva", "Contact Center Manager")),
    Place("Demo: Eastport", Kind.TOWN, "ME", 16_300, contact=("Hannah", "Pike", "Town Clerk")),
    Place("Demo: Maple Ridge", Kind.TOWN, "WI", 31_900, contact=("Owen", "Schultz", "Assistant Town Administrator")),
)

# The time zone of each state the demo's jurisdictions lie in (of the zones a state spans, the one most of
# its people live in: Texas and Kansas are Central, Florida Eastern; Arizona keeps no daylight saving).
STATE_TIME_ZONES = {
    "AZ": "America/Phoenix",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "KS": "America/Chicago",
    "MD": "America/New_York",
    "ME": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MO": "America/Chicago",
    "NC": "America/New_York",
    "NM": "America/Denver",
    "OH": "America/New_York",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "TX": "America/Chicago",
    "VA": "America/New_York",
    "VT": "America/New_York",
    "WA": "America/Los_Angeles",
    "WI": "America/Chicago",
}

# --- Answers ------------------------------------------------------------------

_METRIC_POOL = (
    {
        "kind": "service_level",
        "name": "80/30 service level",
        "target": "80%",
        "latest_value": "82%",
        "published_where": "Monthly dashboard",
    },
    {"kind": "asa", "name": "Average speed of answer", "target": "30 s", "latest_value": "26 s"},
    {"kind": "abandonment", "target": "5%", "latest_value": "3.8%", "published_where": "Monthly dashboard"},
    {"kind": "csat", "target": "85%", "latest_value": "89%", "published_where": "Annual report"},
    {"kind": "sla_compliance", "target": "90%", "latest_value": "88%", "published_where": "Open data portal"},
    {"kind": "fcr", "target": "75%", "latest_value": "79%"},
    {"kind": "cost_per_contact", "target": "$4.00", "latest_value": "$3.61"},
    {"kind": "agent_turnover", "target": "12%", "latest_value": "9.5%"},
    {"kind": "email_response", "name": "E-mail answered within 2 business days", "target": "95%"},
    {"kind": "other", "name": "Average handle time", "target": "4 min", "latest_value": "3 min 50 s"},
    {"kind": "other", "name": "Requests resolved by self-service", "target": "40%", "latest_value": "44%"},
    {"kind": "other", "name": "Calls per agent hour", "target": "9", "latest_value": "8.7"},
    {"kind": "other", "name": "Repeat requests within 30 days", "target": "5%", "latest_value": "6.1%"},
    {"kind": "other", "name": "Requests by channel", "published_where": "Open data portal"},
)

_SELF_SERVICE_POOL = (
    "request_online",
    "status_tracking",
    "knowledge_base",
    "payments",
    "ivr_self_service",
    "permits",
    "alerts",
    "open_data",
    "appointments",
)


def _metrics(count):
    return copy.deepcopy(list(_METRIC_POOL[:count]))


STRONG = {
    "profile": {
        "contact_number_type": "both",
        "main_number": "311 or (555) 555-0131",
        "crm_tracks_cases": "yes",
        "live_agent_hours_per_week": "168",
        "agents_fte": "96",
        "yearly_contacts": "2400000",
    },
    "channels": {
        "channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "sms", "social_media", "walk_in"],
        "self_service": list(_SELF_SERVICE_POOL[:8]),
        "language_access": "yes",
        "tty_access": "yes",
        "single_case_number": "yes",
        "mobile_app_photo_location": "yes",
        "online_status_tracking": "yes",
    },
    "technology": {
        "crm_product": "Tideline CRM 12",
        "crm_integrations": ["telephony", "work_management", "gis", "asset_management", "knowledge_base"],
        "open311_endpoint": "https://311.bayport.demo.example/open311/v2",
        "knowledge_base_owner": "311 knowledge manager",
    },
    "metrics": _metrics(11),
    "performance": {
        "service_level_pct": "82",
        "service_level_seconds": "30",
        "asa_seconds": "26",
        "abandonment_pct": "3.8",
        "fcr_pct": "79",
        "publication_frequency": "weekly",
        "improvement_narrative": (
            "Average speed of answer fell from 48 s to 26 s after we added scheduled callbacks and moved "
            "billing questions to the IVR; the weekly dashboard shows the trend since January."
        ),
    },
    "accountability": {
        "written_slas": "yes",
        "sla_coverage_pct": "92",
        "sla_compliance_pct": "88",
        "department_meetings": "weekly",
        "residents_told_completion": "yes",
    },
    "participation": {
        "feedback_tools": ["closure_survey", "annual_survey", "online_forum", "town_halls", "social_listening"],
        "csat_pct": "89",
        "social_platforms": ["facebook", "x_twitter", "instagram", "nextdoor", "youtube"],
        "social_takes_requests": "yes",
        "social_media_policy": "yes",
        "open_data_frequency": "daily",
        "data_changed_service": (
            "Streetlight outages mapped from 311 requests showed one contractor's district lagging by nine days; "
            "Public Works rewrote the contract's response clause and outages now close in three."
        ),
    },
    "workforce": {
        "remote_call_takers": "yes",
        "continuity_plan": "yes",
        "training_hours": "48",
        "quality_monitoring": "yes",
        "recognition_program": "yes",
        "agent_turnover_pct": "9.5",
    },
    "planning": {
        "technology_plan": "yes",
        "technology_plan_year": "2025",
        "budgeted_roadmap": "yes",
        "challenges": (
            "Our telephony contract ends in 2027; the budgeted roadmap moves us to a cloud contact center "
            "with callbacks on every queue, then adds SMS status updates."
        ),
    },
    "evidence": {"notes": "The technology plan attached is the version the council adopted in March 2025."},
    "review": {"official_name": "Dana Whitfield", "official_title": "Chief Administrative Officer", "attest": "on"},
}

MIDDLING = {
    "profile": {
        "contact_number_type": "311",
        "main_number": "311",
        "crm_tracks_cases": "yes",
        "live_agent_hours_per_week": "45",
        "agents_fte": "14",
        "yearly_contacts": "210000",
    },
    "channels": {
        "channels": ["live_phone", "ivr", "web_form", "mobile_app", "email"],
        "self_service": ["request_online", "status_tracking", "knowledge_base", "payments"],
        "language_access": "yes",
        "tty_access": "yes",
        "single_case_number": "no",
        "mobile_app_photo_location": "yes",
        "online_status_tracking": "yes",
    },
    "technology": {"crm_product": "CivicDesk 7", "crm_integrations": ["telephony", "work_management"]},
    "metrics": _metrics(7),
    "performance": {
        "service_level_pct": "68",
        "service_level_seconds": "30",
        "asa_seconds": "58",
        "abandonment_pct": "8.5",
        "publication_frequency": "quarterly",
        "improvement_narrative": "Abandonment dropped from 11 % to 8.5 % after we staffed the Monday-morning peak.",
    },
    "accountability": {
        "written_slas": "yes",
        "sla_coverage_pct": "40",
        "sla_compliance_pct": "71",
        "department_meetings": "quarterly",
        "residents_told_completion": "no",
    },
    "participation": {
        "feedback_tools": ["closure_survey"],
        "csat_pct": "78",
        "social_platforms": ["facebook", "x_twitter"],
        "social_takes_requests": "no",
        "social_media_policy": "yes",
        "open_data_frequency": "monthly",
        "data_changed_service": "Missed-collection calls by route led Sanitation to rebalance two routes.",
    },
    "workforce": {
        "remote_call_takers": "no",
        "continuity_plan": "yes",
        "training_hours": "16",
        "quality_monitoring": "yes",
        "recognition_program": "no",
        "agent_turnover_pct": "22",
    },
    "planning": {
        "technology_plan": "yes",
        "technology_plan_year": "2021",
        "budgeted_roadmap": "no",
        "challenges": "The CRM is not connected to GIS; a grant application for the integration is pending.",
    },
    "evidence": {},
    "review": {"official_name": "Lee Marchetti", "official_title": "Deputy City Manager", "attest": "on"},
}

# Answers every question, so it can be submitted, but fails the prerequisites:
# no CRM, no web channel, three metrics.
WEAK_WITHOUT_CRM = {
    "profile": {
        "contact_number_type": "7digit",
        "main_number": "(555) 555-0188",
        "crm_tracks_cases": "no",
        "live_agent_hours_per_week": "40",
        "agents_fte": "3",
        "yearly_contacts": "14000",
    },
    "channels": {
        "channels": ["live_phone", "email", "walk_in"],
        "self_service": ["payments"],
        "language_access": "no",
        "tty_access": "yes",
        "single_case_number": "no",
        "mobile_app_photo_location": "no",
        "online_status_tracking": "no",
    },
    "technology": {"crm_product": "None: a shared spreadsheet and the town hall inbox"},
    "metrics": [
        {"kind": "asa", "latest_value": "95 s"},
        {"kind": "abandonment", "latest_value": "14%"},
        {"kind": "other", "name": "Calls answered per day", "latest_value": "55"},
    ],
    "performance": {
        "service_level_pct": "60",
        "service_level_seconds": "60",
        "asa_seconds": "95",
        "abandonment_pct": "14",
        "publication_frequency": "never",
        "improvement_narrative": "We started counting calls in March, so we have no year-on-year comparison yet.",
    },
    "accountability": {
        "written_slas": "no",
        "department_meetings": "none",
        "residents_told_completion": "no",
    },
    "participation": {
        "feedback_tools": ["town_halls"],
        "social_platforms": ["facebook"],
        "social_takes_requests": "no",
        "social_media_policy": "no",
        "open_data_frequency": "none",
        "data_changed_service": "None yet.",
    },
    "workforce": {
        "remote_call_takers": "no",
        "continuity_plan": "no",
        "training_hours": "8",
        "quality_monitoring": "no",
        "recognition_program": "no",
    },
    "planning": {
        "technology_plan": "no",
        "budgeted_roadmap": "no",
        "challenges": "We need a CRM first; the council will consider one in next year's budget.",
    },
    "evidence": {},
    "review": {"official_name": "Terry Boone", "official_title": "Town Administrator", "attest": "on"},
}


def _with(base, contact=None, **steps):
    """A copy of ``base`` with some steps' fields replaced (a list, such as metrics, replaces the step).

    ``contact`` is (name, e-mail) of the person who answers the organizers' questions.
    """
    answers = copy.deepcopy(base)
    for step, values in steps.items():
        if isinstance(values, dict) and isinstance(answers.get(step), dict):
            answers[step].update(copy.deepcopy(values))
        else:
            answers[step] = copy.deepcopy(values)
    if contact:
        answers["profile"].update(contact_name=contact[0], contact_email=contact[1])
    return answers


def _only(answers, *steps, **partial_steps):
    """Just the steps typed so far, and parts of the one in progress."""
    kept = {step: copy.deepcopy(answers[step]) for step in steps}
    kept.update(copy.deepcopy(partial_steps))
    return kept


def designee_answers(designee, index):
    """The illustrative 2013 application of one designee (see the module docstring)."""
    number_type, hours, metric_count, self_service, remote, plans, extra_channels = _RECONSTRUCTION[designee.name]
    not_recorded = "Not recorded (demo reconstruction)"
    illustrative = (
        "Illustrative answer for the demo, consistent with PTI's announcement of the 2013–2015 designees; "
        "the jurisdiction's own application was not published."
    )
    return {
        "profile": {
            "contact_number_type": number_type,
            "main_number": {"311": "3-1-1", "7digit": "A 7-digit number", "both": "3-1-1 and a 7-digit number"}[
                number_type
            ],
            "crm_tracks_cases": "yes",
            "live_agent_hours_per_week": str(hours),
            "agents_fte": str(max(8, designee.population // 25_000)),
            "yearly_contacts": str(designee.population // 2),
            "contact_name": not_recorded,
            "contact_email": f"not-recorded@{EMAIL_DOMAIN}",
        },
        "channels": {
            "channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "social_media", *extra_channels],
            "self_service": list(_SELF_SERVICE_POOL[:self_service]),
            "language_access": "yes",
            "tty_access": "yes",
            "single_case_number": "yes",
            "mobile_app_photo_location": "yes",
            "online_status_tracking": "yes",
        },
        "technology": {
            "crm_product": not_recorded,
            "crm_integrations": ["telephony", "work_management", "gis", "knowledge_base"]
            + (["asset_management"] if designee.population >= 400_000 else []),
            "knowledge_base_owner": "Contact-center knowledge base team",
        },
        # What was tracked, not the figures: those were never published.
        "metrics": [{k: v for k, v in row.items() if k in ("kind", "name")} for row in _metrics(metric_count)],
        "performance": {
            "service_level_pct": str(70 + (index * 3) % 16),
            "service_level_seconds": "30" if index % 2 else "60",
            "asa_seconds": str(25 + (index * 7) % 50),
            "abandonment_pct": str(4 + index % 5),
            "publication_frequency": "monthly",
            "improvement_narrative": illustrative,
        },
        "accountability": {
            "written_slas": "yes" if plans else "no",
            **({"sla_coverage_pct": "80", "sla_compliance_pct": "85"} if plans else {}),
            "department_meetings": "monthly",
            "residents_told_completion": "yes",
        },
        "participation": {
            "feedback_tools": ["closure_survey", "annual_survey", "social_listening"],
            # "other": Pinterest, Yelp and MindMixer, as the announcement says.
            "social_platforms": ["facebook", "x_twitter", "youtube", "other"],
            "social_takes_requests": "yes",
            "social_media_policy": "yes",
            "open_data_frequency": "monthly",
            "data_changed_service": illustrative,
        },
        "workforce": {
            "remote_call_takers": "yes" if remote else "no",
            "continuity_plan": "yes",
            "training_hours": "40",
            "quality_monitoring": "yes",
            "recognition_program": "yes",
        },
        "planning": {
            "technology_plan": "yes" if plans else "no",
            **({"technology_plan_year": "2012"} if plans else {}),
            "budgeted_roadmap": "yes",
            "challenges": (
                "Illustrative: the announcement names recognition and retention of skilled call agents, "
                "expanding open data, coordination with service departments and planning for technology "
                "upgrades as the designees' current and future work."
            ),
        },
        "evidence": {},
        "review": {"official_name": not_recorded, "official_title": not_recorded, "attest": "on"},
    }


@dataclass(frozen=True)
class Plan:
    """One application in the open cycle: what has been typed, where the wizard stands, what happened."""

    jurisdiction: str
    answers: dict
    step: str
    scenario: str
    submit: bool = False
    extension_days: int = 0


def open_cycle_plans():
    harbor = _with(
        STRONG,
        contact=("Alex Moreno", "applicant@demo.example"),
        profile={"contact_number_type": "311", "main_number": "311", "live_agent_hours_per_week": "60"},
        technology={"open311_endpoint": "https://311.harbor-city.demo.example/open311/v2"},
        metrics=_metrics(9),
        # The attestation is the one thing left: a senior official has not confirmed yet.
        review={"official_name": "Jamie Park", "official_title": "City Manager"},
    )
    del harbor["review"]["attest"]
    lake_tamsin = _with(MIDDLING, contact=("Noah Berglund", "noah.berglund@demo.example"))
    return [
        Plan(
            "Demo: Bayport",
            _with(STRONG, contact=("Dana Whitfield", "dana.whitfield@demo.example")),
            "review",
            "submitted, strong",
            submit=True,
        ),
        Plan(
            "Demo: Cedar County",
            _with(
                STRONG,
                contact=("Priya Raman", "priya.raman@demo.example"),
                profile={"contact_number_type": "7digit", "main_number": "(555) 555-0164", "agents_fte": "38"},
                technology={"open311_endpoint": "https://311.cedar-county.demo.example/open311/v2"},
                metrics=_metrics(9),
                review={"official_name": "Priya Raman", "official_title": "County Administrator"},
            ),
            "review",
            "submitted, strong (the reviewer's own county)",
            submit=True,
        ),
        Plan(
            "Demo: Granite Falls",
            _with(MIDDLING, contact=("Lee Marchetti", "lee.marchetti@demo.example")),
            "review",
            "submitted, middling",
            submit=True,
        ),
        Plan(
            "Demo: Prairie County",
            _with(
                MIDDLING,
                contact=("Maria Esposito", "maria.esposito@demo.example"),
                profile={"contact_number_type": "7digit", "main_number": "(555) 555-0172"},
                channels={"channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "social_media"]},
                technology={"crm_integrations": ["telephony", "work_management", "gis"]},
                metrics=_metrics(6),
                accountability={"written_slas": "no", "sla_coverage_pct": "", "department_meetings": "monthly"},
                participation={"social_takes_requests": "yes", "social_media_policy": "no"},
                workforce={"remote_call_takers": "yes"},
                planning={"technology_plan_year": "2023", "budgeted_roadmap": "yes"},
                review={"official_name": "Maria Esposito", "official_title": "County Manager"},
            ),
            "review",
            "submitted, middling",
            submit=True,
        ),
        Plan(
            "Demo: Sandy Creek",
            _with(WEAK_WITHOUT_CRM, contact=("Terry Boone", "terry.boone@demo.example")),
            "review",
            "submitted, weak: no CRM, fails a prerequisite",
            submit=True,
        ),
        Plan(
            "Demo: Northgate County",
            _with(
                MIDDLING,
                contact=("Beth Caldwell", "beth.caldwell@demo.example"),
                channels={"channels": ["live_phone", "ivr", "web_form"], "self_service": ["request_online"]},
                metrics=_metrics(5),
                performance={
                    "service_level_pct": "55",
                    "service_level_seconds": "60",
                    "asa_seconds": "140",
                    "abandonment_pct": "17",
                    "publication_frequency": "yearly",
                },
                accountability={
                    "written_slas": "no",
                    "sla_coverage_pct": "",
                    "sla_compliance_pct": "",
                    "department_meetings": "none",
                },
                participation={
                    "feedback_tools": [],
                    "csat_pct": "",
                    "social_takes_requests": "no",
                    "open_data_frequency": "none",
                },
                workforce={"continuity_plan": "no", "training_hours": "6", "quality_monitoring": "no"},
                planning={"technology_plan_year": "2019"},
                review={"official_name": "Beth Caldwell", "official_title": "County Judge"},
            ),
            "review",
            "submitted, weak: meets the prerequisites and little else",
            submit=True,
        ),
        Plan("Demo: Harbor City", harbor, "review", "draft, nearly complete: only the attestation is missing"),
        Plan(
            "Demo: Port Alder",
            _only(
                _with(MIDDLING, contact=("Sam Delgado", "sam.delgado@demo.example")),
                "profile",
                "channels",
                "technology",
                "metrics",
                "performance",
                "accountability",
                "participation",
                "workforce",
            ),
            "planning",
            "draft with an organizer's extension of 14 days",
            extension_days=14,
        ),
        Plan(
            "Demo: Lake Tamsin",
            _only(
                lake_tamsin,
                "profile",
                "channels",
                "technology",
                metrics=_metrics(4),
                # Drafts keep what was typed, valid or not: "about 40" stays until someone corrects it.
                performance={
                    "service_level_pct": "80",
                    "service_level_seconds": "30",
                    "asa_seconds": "about 40",
                    "abandonment_pct": "6",
                },
            ),
            "performance",
            "draft, half done, with an invalid value kept as typed",
        ),
        Plan(
            "Demo: Copper Mesa",
            _only(
                _with(STRONG, contact=("Ibrahim Haddad", "ibrahim.haddad@demo.example")),
                "profile",
                "channels",
                technology={"crm_product": "Tideline CRM 11"},
            ),
            "technology",
            "draft, a third done",
        ),
        Plan(
            "Demo: Millbrook",
            {"profile": {"contact_number_type": "7digit", "main_number": "(555) 555-0117"}},
            "profile",
            "draft, barely started",
        ),
    ]


def review_cycle_plans():
    """The applications submitted to the 2025–2027 cycle, which has closed and is in review.

    Their rule totals spread from the mid-thirties to the high seventies, so that the panel's
    scores (``review.demo_data``) land on both sides of the rubric's levels.
    """
    good = _with(
        STRONG,
        channels={"channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "social_media"]},
        technology={"crm_integrations": ["telephony", "work_management", "gis"], "open311_endpoint": ""},
        metrics=_metrics(8),
    )
    fair = _with(
        good,
        channels={"self_service": list(_SELF_SERVICE_POOL[:5]), "single_case_number": "no"},
        performance={"publication_frequency": "monthly", "fcr_pct": ""},
        participation={"open_data_frequency": "monthly", "social_takes_requests": "no"},
    )
    return [
        Plan(
            "Demo: Harbor City",
            _with(
                STRONG,
                contact=("Alex Moreno", "applicant@demo.example"),
                profile={"contact_number_type": "311", "main_number": "311", "live_agent_hours_per_week": "60"},
                technology={"open311_endpoint": "https://311.harbor-city.demo.example/open311/v2"},
                metrics=_metrics(9),
                planning={"technology_plan_year": "2024"},
                review={"official_name": "Jamie Park", "official_title": "City Manager"},
            ),
            "review",
            "submitted, strong; the panel has questions",
            submit=True,
        ),
        Plan(
            "Demo: Westbrook",
            _with(
                STRONG,
                contact=("Tomas Reyes", "tomas.reyes@demo.example"),
                profile={"agents_fte": "24", "yearly_contacts": "410000"},
                technology={"open311_endpoint": "https://311.westbrook.demo.example/open311/v2"},
                review={"official_name": "Tomas Reyes", "official_title": "Deputy City Manager"},
            ),
            "review",
            "submitted, strong; its reviewers disagree",
            submit=True,
        ),
        Plan(
            "Demo: Kingsford",
            _with(
                good,
                contact=("Alicia Grant", "alicia.grant@demo.example"),
                profile={"agents_fte": "52", "yearly_contacts": "1100000"},
                review={"official_name": "Alicia Grant", "official_title": "Assistant City Manager"},
            ),
            "review",
            "submitted, good; decided, not published",
            submit=True,
        ),
        Plan(
            "Demo: Three Rivers",
            _with(
                fair,
                contact=("Marco Villanueva", "marco.villanueva@demo.example"),
                profile={"agents_fte": "30", "yearly_contacts": "520000"},
                review={"official_name": "Marco Villanueva", "official_title": "City Administrator"},
            ),
            "review",
            "submitted, fair; decided, not published; normalising would change its level",
            submit=True,
        ),
        Plan(
            "Demo: Eastport",
            _with(
                fair,
                contact=("Hannah Pike", "hannah.pike@demo.example"),
                profile={
                    "contact_number_type": "7digit",
                    "main_number": "(555) 555-0143",
                    "agents_fte": "4",
                    "yearly_contacts": "21000",
                },
                review={"official_name": "Hannah Pike", "official_title": "Town Manager"},
            ),
            "review",
            "submitted, fair; fully reviewed, waiting for its decision",
            submit=True,
        ),
        Plan(
            "Demo: Silver Lake County",
            _with(
                MIDDLING,
                contact=("Grace Nowak", "grace.nowak@demo.example"),
                technology={"crm_integrations": ["telephony", "work_management", "gis"]},
                review={"official_name": "Grace Nowak", "official_title": "County Administrator"},
            ),
            "review",
            "submitted, middling; one review in, one in draft",
            submit=True,
        ),
        Plan(
            "Demo: Maple Ridge",
            _with(
                MIDDLING,
                contact=("Owen Schultz", "owen.schultz@demo.example"),
                review={"official_name": "Owen Schultz", "official_title": "Town Administrator"},
            ),
            "review",
            "submitted, middling; one review in, one not started",
            submit=True,
        ),
    ]


def earlier_cycle_plans():
    """The applications submitted to the 2024–2026 cycle: (jurisdiction, answers, submitted at (y, m, d, h, min))."""
    return [
        ("Demo: Bayport", bayport_2024_answers(), (2024, 11, 26, 10, 5)),
        ("Demo: Riverton", riverton_2024_answers(), (2024, 12, 2, 15, 40)),
    ]


def bayport_2024_answers():
    """Strong two years before its 2026–2028 application: the weekly dashboard and the SMS channel came later."""
    return _with(
        STRONG,
        contact=("Dana Whitfield", "dana.whitfield@demo.example"),
        channels={"channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "social_media", "walk_in"]},
        metrics=_metrics(10),
        performance={
            "publication_frequency": "monthly",
            "improvement_narrative": (
                "Average speed of answer fell from 48 s to 26 s after we added scheduled callbacks and moved "
                "billing questions to the IVR; the monthly dashboard shows the trend since January."
            ),
        },
        planning={
            "technology_plan_year": "2023",
            "challenges": (
                "Residents ask to text us; the budgeted roadmap adds SMS intake in 2025, then moves the "
                "telephony to a cloud contact center before its contract ends in 2027."
            ),
        },
        evidence={"notes": "The technology plan attached is the version the council adopted in May 2023."},
    )


def riverton_2024_answers():
    return _with(
        MIDDLING,
        contact=("Jordan Achebe", "applicant2@demo.example"),
        profile={"contact_number_type": "both", "main_number": "311 or (555) 555-0150", "agents_fte": "22"},
        technology={"crm_integrations": ["telephony", "work_management", "gis"]},
        metrics=_metrics(8),
        planning={"technology_plan_year": "2023"},
        review={"official_name": "Chris Novak", "official_title": "City Manager"},
    )
