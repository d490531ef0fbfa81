"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the language switch.

Anyone may switch, signed in or not (the login page has the switch too): a 302 back to the page (here the
home page, no ``next`` given). tests/test_language.py follows it.
"""

ROWS = {"switch_language": ("get", {"*": 302})}


def url_kwargs(name, world):
    return {"code": "en"}  # "fr" would leave the matrix's people reading French for the rows after


def body(name, world):
    return {}
