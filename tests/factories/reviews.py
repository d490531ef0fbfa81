"""Reviews for tests: a panel of two assigned reviewers, their reviews through the domain, or bare rows."""

from django.utils import timezone

from review.assignment import assign
from review.models import Assignment, Review
from review.reviewing import save_review
from tests.factories import make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted

FULL = {"D7": 4, "F6": 2, "H3": 3}  # every judged criterion of the default rubric, scored
JUDGED = {"D7": 3, "F6": 3, "H3": 2}  # what make_review's reviewers give


def assigned_panel():
    """Harbor City's application submitted in cycle 2026–2028, two reviewers (Ada, Bo) assigned by an
    organizer; a dict of the cycle, application, organizer, reviewers (first, second), their reviews
    (r1, r2) and the applicant."""
    cycle = make_cycle(name="2026–2028")
    home = make_jurisdiction(name="Harbor City")
    application = submitted(home, cycle)
    organizer = make_organizer()
    first, second = make_reviewer(first_name="Ada"), make_reviewer(first_name="Bo")
    a1 = assign(application, first, organizer)
    a2 = assign(application, second, organizer)
    return {
        "cycle": cycle,
        "application": application,
        "organizer": organizer,
        "first": first,
        "second": second,
        "r1": a1.review,
        "r2": a2.review,
        "applicant": home.staff.first(),
    }


def submit_both(panel, first=FULL, second=None, adjust_first=None):
    """Both reviewers of ``assigned_panel()`` submit: the first ``first`` (with ``adjust_first``),
    the second ``second`` or D7 2, F6 2, H3 1."""
    save_review(panel["r1"], panel["first"], 1, first, adjust_first or {}, "Good work.", "Seemed rushed.", True)
    save_review(panel["r2"], panel["second"], 1, second or {"D7": 2, "F6": 2, "H3": 1}, {}, "Keep going.", "", True)


def make_review(application, comments="", notes="", status=Review.Status.SUBMITTED, excluded=False, reviewer=None):
    """A review of ``application`` written straight to the database (its assignment too), judged ``JUDGED``."""
    assignment = Assignment.objects.create(application=application, reviewer=reviewer or make_reviewer())
    return Review.objects.create(
        assignment=assignment,
        status=status,
        judged=JUDGED,
        comments_for_applicant=comments,
        private_notes=notes,
        excluded=excluded,
        submitted_at=timezone.now() if status == Review.Status.SUBMITTED else None,
    )
