"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the organizer's lists pages."""

LOGIN = "login"  # a 302 to the login page, as in MATRIX

# name: (method, {role: expected status}); see MATRIX in tests/access_matrix.py.
ROWS = {}
