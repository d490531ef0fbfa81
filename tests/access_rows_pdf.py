"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the PDF reports and their batches.

The world's application is a draft without a decision: organizers and its
assigned reviewer may preview its (draft) report; its applicant may not yet
(403: the report comes once a decision is published); everyone else gets 404.
Cycle summaries and batches are organizers' alone. The record of submission is the jurisdiction's staff's
and the organizers' once the application is submitted: of the world's draft, a 404 saying there is none
yet; a reviewer gets 403, as for every PDF of an application they may read (tests/test_submission_record.py
downloads a submitted one).
"""

from reports.models import ReportBatch, ReportBatchItem

LOGIN = "login"  # a 302 to the login page, as in MATRIX
ORGANIZERS_ONLY = {"anonymous": LOGIN, "organizer": 200, "*": 403}

# name: (method, {role: expected status}); see MATRIX in test_access_matrix.py.
ROWS = {
    "application_report_pdf": (
        "get",
        {"anonymous": LOGIN, "applicant": 403, "assigned_reviewer": 200, "organizer": 200, "*": 404},
    ),
    "application_submission_record": (
        "get",
        {"anonymous": LOGIN, "applicant": 404, "assigned_reviewer": 403, "organizer": 404, "*": 404},
    ),
    "cycle_summary_pdf": ("get", ORGANIZERS_ONLY),
    "report_batches": ("get", ORGANIZERS_ONLY),
    "report_batch_start": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "report_batch": ("get", ORGANIZERS_ONLY),
    "report_batch_status": ("get", ORGANIZERS_ONLY),
    "report_batch_retry": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "report_batch_resume": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
}


def _failed_item(world):
    """A finished batch of the world's cycle whose one report failed (made once per test)."""
    if "report_item" not in world:
        batch = ReportBatch.objects.create(cycle=world["cycle"], total=1, failed=1)
        world["report_item"] = ReportBatchItem.objects.create(
            batch=batch, application=world["application"], status=ReportBatchItem.Status.FAILED, error="Timed out."
        )
    return world["report_item"]


def url_kwargs(name, world):
    if name in ("application_report_pdf", "application_submission_record"):
        return {"pk": world["application"].pk}
    if name in ("cycle_summary_pdf", "report_batches", "report_batch_start"):
        return {"cycle_id": world["cycle"].pk}
    if name in ("report_batch", "report_batch_status", "report_batch_resume"):
        return {"pk": _failed_item(world).batch_id}
    if name == "report_batch_retry":
        return {"pk": _failed_item(world).pk}
    return {}


def body(name, world):
    return {}
