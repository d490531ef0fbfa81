"""The rubric that ships with the product: domain.md's proposal, 100 points in 8 categories.

It is copied into every new cycle, where organizers may tune it until the
first application is submitted. ``field`` is "<step>.<field>" of the
application's answers; "metrics" is the list of metric rows.
"""

THRESHOLD = 60
MIN_CATEGORY_SHARE = 40  # percent of each category's points

LEVELS = [
    ("Designated", 60),
    ("Designated with Distinction", 75),
    ("Exemplary", 90),
]

PREREQUISITES = [
    {
        "code": "P1",
        "title": "A central contact number (3-1-1 or 7-digit)",
        "kind": "one_of",
        "params": {"field": "profile.contact_number_type", "values": ["311", "7digit", "both"]},
    },
    {
        "code": "P2",
        "title": "Contacts tracked as cases in a CRM",
        "kind": "yes_no",
        "params": {"field": "profile.crm_tracks_cases"},
    },
    {
        "code": "P3",
        "title": "At least 3 intake channels, including phone and web",
        "kind": "choices",
        "params": {"field": "channels.channels", "min": 3, "require": ["live_phone", "web_form"]},
    },
    {
        "code": "P4",
        "title": "At least 5 metrics tracked",
        "kind": "count",
        "params": {"field": "metrics", "min": 5},
    },
    {
        "code": "P5",
        "title": "Answers attested by a senior official",
        "kind": "yes_no",
        "params": {"field": "review.attest"},
    },
]


def _bands(field, direction, *bands, unit=""):
    return {"field": field, "direction": direction, "bands": [list(b) for b in bands], "unit": unit}


CATEGORIES = [
    {
        "code": "A",
        "name": "Multi-channel access",
        "points": 15,
        "criteria": [
            {
                "code": "A1",
                "title": "Channels that take service requests",
                "kind": "choices",
                "points": 6,
                "params": {"field": "channels.channels", "per_choice": 1},
            },
            {
                "code": "A2",
                "title": "Live-agent hours per week",
                "kind": "bands",
                "points": 3,
                "params": _bands("profile.live_agent_hours_per_week", "ge", (60, 3), (50, 2), (40, 1), unit=" hours"),
            },
            {
                "code": "A3",
                "title": "Language access",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.language_access"},
            },
            {
                "code": "A4",
                "title": "TTY / relay service",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.tty_access"},
            },
            {
                "code": "A5",
                "title": "One case number across channels",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.single_case_number"},
            },
        ],
    },
    {
        "code": "B",
        "name": "Self-service and mobile",
        "points": 10,
        "criteria": [
            {
                "code": "B1",
                "title": "Self-service options",
                "kind": "count",
                "points": 4,
                "params": {"field": "channels.self_service", "bands": [[7, 4], [5, 3], [3, 2], [1, 1]]},
            },
            {
                "code": "B2",
                "title": "Mobile app sends photo and location into the CRM",
                "kind": "yes_no",
                "points": 3,
                "params": {"field": "channels.mobile_app_photo_location"},
            },
            {
                "code": "B3",
                "title": "Online status tracking",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "channels.online_status_tracking"},
            },
            {
                "code": "B4",
                "title": "Public knowledge base",
                "kind": "choices",
                "points": 1,
                "params": {"field": "channels.self_service", "per_choice": 1, "only": ["knowledge_base"]},
            },
        ],
    },
    {
        "code": "C",
        "name": "Integrated technology",
        "points": 15,
        "criteria": [
            {
                "code": "C1",
                "title": "Systems integrated with the CRM",
                "kind": "choices",
                "points": 10,
                "params": {"field": "technology.crm_integrations", "per_choice": 2},
            },
            {
                "code": "C2",
                "title": "Open311 GeoReport v2 endpoint",
                "kind": "yes_no",
                "points": 3,
                "params": {"field": "technology.open311_endpoint"},
            },
            {
                "code": "C3",
                "title": "Knowledge base with an owner",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "technology.knowledge_base_owner"},
            },
        ],
    },
    {
        "code": "D",
        "name": "Performance measurement and reporting",
        "points": 20,
        "criteria": [
            {
                "code": "D1",
                "title": "Metrics tracked",
                "kind": "count",
                "points": 5,
                "params": {"field": "metrics", "bands": [[11, 5], [8, 3], [5, 2]]},
            },
            {
                "code": "D2",
                "title": "Service level",
                "kind": "bands",
                "points": 3,
                "params": _bands("performance.service_level_pct", "ge", (80, 3), (70, 2), (60, 1), unit=" %"),
            },
            {
                "code": "D3",
                "title": "Average speed of answer",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.asa_seconds", "le", (30, 2), (60, 1), unit=" s"),
            },
            {
                "code": "D4",
                "title": "Abandonment rate",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.abandonment_pct", "le", (5, 2), (10, 1), unit=" %"),
            },
            {
                "code": "D5",
                "title": "First-contact resolution",
                "kind": "bands",
                "points": 2,
                "params": _bands("performance.fcr_pct", "ge", (80, 2), (70, 1), unit=" %"),
            },
            {
                "code": "D6",
                "title": "Performance published at least monthly",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "performance.publication_frequency", "values": ["weekly", "monthly"]},
            },
            {
                "code": "D7",
                "title": "Year-on-year improvement",
                "kind": "judged",
                "points": 4,
                "params": {
                    "field": "performance.improvement_narrative",
                    "anchors": {
                        "0": "No improvement described, or only intentions.",
                        "2": "Improvements named with figures for one year.",
                        "4": "Sustained improvement over several measures, with figures and what caused it.",
                    },
                },
            },
        ],
    },
    {
        "code": "E",
        "name": "Service-delivery accountability",
        "points": 10,
        "criteria": [
            {
                "code": "E1",
                "title": "Written SLAs covering request types",
                "kind": "bands",
                "points": 3,
                "evidence": "sla",
                "params": _bands("accountability.sla_coverage_pct", "ge", (75, 3), (50, 2), (25, 1), unit=" %"),
            },
            {
                "code": "E2",
                "title": "SLA compliance",
                "kind": "bands",
                "points": 3,
                "params": _bands("accountability.sla_compliance_pct", "ge", (90, 3), (80, 2), (70, 1), unit=" %"),
            },
            {
                "code": "E3",
                "title": "Regular meetings with departments",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "accountability.department_meetings", "values": ["weekly", "monthly"]},
            },
            {
                "code": "E4",
                "title": "Residents told the expected completion",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "accountability.residents_told_completion"},
            },
        ],
    },
    {
        "code": "F",
        "name": "Citizen participation and transparency",
        "points": 15,
        "criteria": [
            {
                "code": "F1",
                "title": "Feedback tools",
                "kind": "choices",
                "points": 3,
                "params": {"field": "participation.feedback_tools", "per_choice": 1},
            },
            {
                "code": "F2",
                "title": "Customer satisfaction",
                "kind": "bands",
                "points": 3,
                "params": _bands("participation.csat_pct", "ge", (85, 3), (75, 2), (65, 1), unit=" %"),
            },
            {
                "code": "F3",
                "title": "Two-way social media that takes service requests",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "participation.social_takes_requests"},
            },
            {
                "code": "F4",
                "title": "Adopted social-media policy",
                "kind": "yes_no",
                "points": 1,
                "evidence": "social_media_policy",
                "params": {"field": "participation.social_media_policy"},
            },
            {
                "code": "F5",
                "title": "Service-request open data updated at least weekly",
                "kind": "one_of",
                "points": 2,
                "params": {"field": "participation.open_data_frequency", "values": ["daily", "weekly"]},
            },
            {
                "code": "F6",
                "title": "An example of data changing a service",
                "kind": "judged",
                "points": 4,
                "params": {
                    "field": "participation.data_changed_service",
                    "anchors": {
                        "0": "No example, or an example without a change in service.",
                        "2": "A concrete change in one service, traced to contact-center data.",
                        "4": "A measured change in service, with before and after figures and who acted.",
                    },
                },
            },
        ],
    },
    {
        "code": "G",
        "name": "Workforce and operations",
        "points": 8,
        "criteria": [
            {
                "code": "G1",
                "title": "Remote call takers",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "workforce.remote_call_takers"},
            },
            {
                "code": "G2",
                "title": "Written continuity plan",
                "kind": "yes_no",
                "points": 1,
                "evidence": "continuity_plan",
                "params": {"field": "workforce.continuity_plan"},
            },
            {
                "code": "G3",
                "title": "Training hours per call taker",
                "kind": "bands",
                "points": 2,
                "params": _bands("workforce.training_hours", "ge", (40, 2), (20, 1), unit=" hours"),
            },
            {
                "code": "G4",
                "title": "Quality monitoring",
                "kind": "yes_no",
                "points": 2,
                "params": {"field": "workforce.quality_monitoring"},
            },
            {
                "code": "G5",
                "title": "Recognition or retention program",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "workforce.recognition_program"},
            },
            {
                "code": "G6",
                "title": "Agent turnover",
                "kind": "bands",
                "points": 1,
                "params": _bands("workforce.agent_turnover_pct", "le", (15, 1), unit=" %"),
            },
        ],
    },
    {
        "code": "H",
        "name": "Planning and improvement",
        "points": 7,
        "criteria": [
            {
                "code": "H1",
                "title": "Written technology plan updated within 24 months",
                "kind": "recent_year",
                "points": 3,
                "evidence": "technology_plan",
                "params": {"field": "planning.technology_plan_year", "within_years": 2},
            },
            {
                "code": "H2",
                "title": "Budgeted upgrade roadmap",
                "kind": "yes_no",
                "points": 1,
                "params": {"field": "planning.budgeted_roadmap"},
            },
            {
                "code": "H3",
                "title": "Challenges and next steps",
                "kind": "judged",
                "points": 3,
                "params": {
                    "field": "planning.challenges",
                    "anchors": {
                        "0": "No challenges or next steps named.",
                        "1": "Challenges named without a plan.",
                        "3": "Challenges named, each with a funded or scheduled next step.",
                    },
                },
            },
        ],
    },
]
