"""Rows of the URL × role matrix (tests/test_access_matrix.py) for these routes."""

# name: (method, {role: expected status}); see MATRIX in test_access_matrix.py.
ROWS = {}


def url_kwargs(name, world):
    return {}


def body(name, world):
    return {}
