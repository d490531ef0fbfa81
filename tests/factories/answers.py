"""What an applicant types on each step, as the browser would post it."""

COMPLETE = {
    "profile": {
        "contact_number_type": "both",
        "main_number": "311 or (555) 010-0311",
        "crm_tracks_cases": "yes",
        "live_agent_hours_per_week": "60",
        "agents_fte": "42",
        "yearly_contacts": "850000",
        "contact_name": "Pat Rivera",
        "contact_email": "pat.rivera@example.gov",
    },
    "channels": {
        "channels": ["live_phone", "ivr", "web_form", "mobile_app", "email", "social_media"],
        "self_service": ["request_online", "status_tracking", "knowledge_base", "payments", "permits"],
        "language_access": "yes",
        "tty_access": "yes",
        "single_case_number": "yes",
        "mobile_app_photo_location": "yes",
        "online_status_tracking": "yes",
    },
    "technology": {
        "crm_product": "Acme CRM 9",
        "crm_integrations": ["telephony", "work_management", "gis", "knowledge_base"],
        "open311_endpoint": "https://311.example.gov/open311/v2",
        "knowledge_base_owner": "311 knowledge manager",
    },
    "metrics": [
        {
            "kind": "service_level",
            "name": "80/30",
            "target": "80%",
            "latest_value": "78%",
            "published_where": "Dashboard",
        },
        {"kind": "asa", "name": "ASA", "target": "30 s", "latest_value": "41 s", "published_where": "Dashboard"},
        {"kind": "abandonment", "target": "5%", "latest_value": "4.2%"},
        {"kind": "fcr", "target": "75%", "latest_value": "71%"},
        {"kind": "csat", "target": "85%", "latest_value": "88%"},
        {"kind": "sla_compliance", "target": "90%", "latest_value": "86%"},
    ],
    "performance": {
        "service_level_pct": "78",
        "service_level_seconds": "30",
        "asa_seconds": "41",
        "abandonment_pct": "4.2",
        "fcr_pct": "71",
        "publication_frequency": "monthly",
        "improvement_narrative": "Average speed of answer fell from 75 s to 41 s after we added a callback option.",
    },
    "accountability": {
        "written_slas": "yes",
        "sla_coverage_pct": "85",
        "sla_compliance_pct": "86",
        "department_meetings": "monthly",
        "residents_told_completion": "yes",
    },
    "participation": {
        "feedback_tools": ["closure_survey", "annual_survey"],
        "csat_pct": "88",
        "social_platforms": ["facebook", "x_twitter", "nextdoor"],
        "social_takes_requests": "yes",
        "social_media_policy": "yes",
        "open_data_frequency": "weekly",
        "data_changed_service": "Pothole requests mapped by ward moved two crews to the east side.",
    },
    "workforce": {
        "remote_call_takers": "yes",
        "continuity_plan": "yes",
        "training_hours": "40",
        "quality_monitoring": "yes",
        "recognition_program": "yes",
        "agent_turnover_pct": "12",
    },
    "planning": {
        "technology_plan": "yes",
        "technology_plan_year": "2025",
        "budgeted_roadmap": "yes",
        "challenges": "Our telephony contract ends in 2027; we will move to a cloud contact center.",
    },
    "evidence": {"notes": "The technology plan is the council-adopted version."},
    "review": {"official_name": "Jordan Lee", "official_title": "City Manager", "attest": "on"},
}


def post_data(step, values=None, version=1, action="next", prefix_extra=None):
    """The POST body of one wizard step, fields prefixed the way formtools renders them."""
    values = COMPLETE[step] if values is None else values
    data = {"version": str(version), "action": action}
    if step == "metrics":
        rows = values
        data.update(
            {
                "metrics-TOTAL_FORMS": str(len(rows)),
                "metrics-INITIAL_FORMS": "0",
                "metrics-MIN_NUM_FORMS": "0",
                "metrics-MAX_NUM_FORMS": "40",
            }
        )
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"metrics-{index}-{key}"] = value
        return data
    for key, value in values.items():
        data[f"{step}-{key}"] = value
    return data


def wizard_state(values=None, step="review"):
    """A draft's wizard state holding ``values`` (default: every step complete), as the wizard stores it."""
    values = COMPLETE if values is None else values
    step_data = {}
    for name in values:
        data = post_data(name, values[name])
        step_data[name] = {
            k: v if isinstance(v, list) else [v] for k, v in data.items() if k not in ("version", "action")
        }
    return {"step": step, "step_data": step_data, "step_files": {}, "extra_data": {}}


def complete_answers(**changes):
    """The answers of a complete application, as scoring and reports read them; ``changes`` replace steps."""
    from assessment.domain import answers_from_state

    answers = answers_from_state(wizard_state())
    answers.update(changes)
    return answers
