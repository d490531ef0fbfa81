"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the organizer's cycles pages."""

LOGIN = "login"  # a 302 to the login page, as in MATRIX
# As the other organizer pages (panel_cycle, jurisdiction_create): organizers only, 403 for anyone else.
ORGANIZERS = {"anonymous": LOGIN, "organizer": 200, "*": 403}

# name: (method, {role: expected status}); see MATRIX in tests/access_matrix.py.
ROWS = {
    "cycle_detail": ("get", ORGANIZERS),
    "cycle_create": ("get", ORGANIZERS),
    # An empty form is refused: the page again, with what was typed (nothing) and the errors.
    "cycle_create__post": ("post", ORGANIZERS),
    "cycle_edit": ("get", ORGANIZERS),
    "cycle_edit__post": ("post", ORGANIZERS),
    "cycle_phase": ("get", ORGANIZERS),  # the confirmation page: what closing for review will do
    # Without the confirm button's value nothing changes: back to the confirmation page.
    "cycle_phase__post": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
}


def url_kwargs(name, world):
    if name == "cycle_create":
        return {}
    if name == "cycle_phase":
        return {"pk": world["cycle"].pk, "word": "review"}
    return {"pk": world["cycle"].pk}


def body(name, world):
    return {}
