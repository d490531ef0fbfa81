"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the exports and the public designee pages."""

from django.utils import timezone

from review.models import Decision
from tests.factories import make_application, make_jurisdiction

LOGIN = "login"  # test_access_matrix.LOGIN: a 302 to the login page
ORGANIZERS_ONLY = {"anonymous": LOGIN, "organizer": 200, "*": 403}
EVERYONE = {"*": 200}

# name: (method, {role: expected status}); see MATRIX in test_access_matrix.py.
ROWS = {
    "cycle_exports": ("get", ORGANIZERS_ONLY),
    "export_designees_xlsx": ("get", ORGANIZERS_ONLY),
    "export_designees_csv": ("get", ORGANIZERS_ONLY),
    "export_analysis_xlsx": ("get", ORGANIZERS_ONLY),
    "export_analysis_csv": ("get", ORGANIZERS_ONLY),
    "public_designees": ("get", EVERYONE),
    "public_designees_csv": ("get", EVERYONE),
    "public_designees_json": ("get", EVERYONE),
    # A published designee's seal; anyone else's is a 404 (tests/test_public_designees.py).
    "public_seal": ("get", EVERYONE),
}


def url_kwargs(name, world):
    if name == "public_seal":
        jurisdiction = make_jurisdiction(name="Seal City")
        application = make_application(jurisdiction=jurisdiction, cycle=world["cycle"], status="submitted")
        Decision.objects.create(
            application=application,
            outcome=Decision.Outcome.DESIGNATED,
            level="Designated",
            total=70,
            rationale="Meets every condition.",
            published_at=timezone.now(),
        )
        return {"cycle_id": world["cycle"].pk, "jurisdiction_id": jurisdiction.pk}
    if name.startswith("public_"):
        return {}
    return {"cycle_id": world["cycle"].pk}


def body(name, world):
    return {}
