"""Rows of the URL × role matrix (tests/test_access_matrix.py) for certificates: the public verification page
and withdrawing a designation.

The verification page needs no sign-in: everyone gets the form (200), and, for a code no certificate has,
the friendly "no certificate has this code" page with a 404 (tests/test_verify_page.py opens real ones).
Withdrawing is the organizers' alone (403 for anyone else); the world's application is a draft without a
designation, so an organizer is sent back to its page (302) with the reason, and nothing changes.
"""

LOGIN = "login"  # a 302 to the login page, as in MATRIX
ORGANIZERS_REDIRECTED = {"anonymous": LOGIN, "organizer": 302, "*": 403}
UNKNOWN_CODE = "7KQ2M-X9PDT"  # well-formed; no certificate in the world has it

# name: (method, {role: expected status}); see MATRIX in tests/access_matrix.py.
ROWS = {
    "verify_form": ("get", {"*": 200}),
    "verify_certificate": ("get", {"*": 404}),
    "designation_withdraw": ("get", ORGANIZERS_REDIRECTED),
    "designation_withdraw__post": ("post", ORGANIZERS_REDIRECTED),
}


def url_kwargs(name, world):
    if name == "verify_certificate":
        return {"code": UNKNOWN_CODE}
    if name == "designation_withdraw":
        return {"pk": world["application"].pk}
    return {}


def body(name, world):
    if name == "designation_withdraw":
        return {"reason": "The contact center closed.", "replaces": ""}
    return {}
