"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the organizer's lists pages."""

LOGIN = "login"  # a 302 to the login page, as in MATRIX

# name: (method, {role: expected status}); see MATRIX in tests/access_matrix.py.
ROWS = {
    # As the cycle's panel page: organizers only, anyone else 403 (assessment.access.get_cycle_for).
    "cycle_applications": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
}


def url_kwargs(name, world):
    return {"pk": world["cycle"].pk}


def body(name, world):
    return {}
