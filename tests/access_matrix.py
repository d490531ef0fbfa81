"""The URL × role matrix: every named route, the method it is opened with, and the status each role must get.

Read by tests/test_access_matrix.py (which opens every route as every role) and
tests/test_leaks.py (which checks that it knows every route). Rows of the PDF
reports and the exports are kept beside those parts (tests/access_rows_*.py)
and merged in here.
"""

from django.urls import URLPattern, URLResolver, get_resolver

from tests import (
    access_rows_certificates,
    access_rows_cycles,
    access_rows_exports,
    access_rows_language,
    access_rows_lists,
    access_rows_pdf,
    access_rows_rubric,
)

LOGIN = "login"  # a 302 to the login page

# name: (method, {role: expected status}); "*" is every role not listed.
MATRIX = {
    "health": ("get", {"*": 200}),
    "home": ("get", {"anonymous": LOGIN, "*": 200}),
    "login": ("get", {"*": 200}),
    "logout": ("post", {"*": 302}),
    "password_reset": ("get", {"*": 200}),
    "password_reset_done": ("get", {"*": 200}),
    "password_reset_confirm": ("get", {"*": 200}),  # a bad token shows "this link has expired"
    "password_reset_complete": ("get", {"*": 200}),
    "accept_invitation": ("get", {"*": 200}),
    "application_start": ("post", {"anonymous": LOGIN, "applicant": 302, "other_applicant": 302, "*": 403}),
    "application_detail": (
        "get",
        {"anonymous": LOGIN, "applicant": 200, "assigned_reviewer": 200, "organizer": 200, "*": 404},
    ),
    "application_step": (
        "get",
        {"anonymous": LOGIN, "applicant": 200, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "application_step__post": (
        "post",
        {"anonymous": LOGIN, "applicant": 302, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "document_upload": (
        "post",
        {"anonymous": LOGIN, "applicant": 302, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "document_download": (
        "get",
        {"anonymous": LOGIN, "applicant": 200, "assigned_reviewer": 200, "organizer": 200, "*": 404},
    ),
    "document_delete": (
        "post",
        {"anonymous": LOGIN, "applicant": 302, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "clarification_ask": (
        "post",
        # 200: the empty question is refused, on the application page again (a sent one redirects).
        {"anonymous": LOGIN, "applicant": 403, "assigned_reviewer": 200, "organizer": 200, "*": 404},
    ),
    "clarification_answer": (
        "post",
        {"anonymous": LOGIN, "applicant": 302, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "review_edit": ("get", {"anonymous": LOGIN, "assigned_reviewer": 200, "*": 404}),
    "review_conflict": ("post", {"anonymous": LOGIN, "assigned_reviewer": 302, "*": 404}),
    "review_submit": ("get", {"anonymous": LOGIN, "assigned_reviewer": 200, "*": 404}),
    "appeal_file": (
        "post",  # 200: a draft has no decision to appeal: refused, on the application page again
        {"anonymous": LOGIN, "applicant": 200, "assigned_reviewer": 403, "organizer": 403, "*": 404},
    ),
    "panel_cycle": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "panel_auto_assign": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "panel_bulk_decide": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "panel_bulk_decide__get": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),  # the confirmation page
    "panel_publish": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "panel_publish__get": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),  # the confirmation page
    "panel_application": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    # The application is a draft: assigning and deciding are refused, and the page comes back with the choice.
    "panel_assign": ("post", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "panel_decide": ("post", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "panel_unassign": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "appeal_decide": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
    "jurisdiction_list": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "jurisdiction_create": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "jurisdiction_create__post": ("post", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "jurisdiction_detail": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "invite": ("get", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "invite__post": ("post", {"anonymous": LOGIN, "organizer": 200, "*": 403}),
    "grant_extension": ("post", {"anonymous": LOGIN, "organizer": 302, "*": 403}),
}

# Rows kept beside the parts they test: each module has ROWS (like MATRIX),
# url_kwargs(name, world) and body(name, world).
EXTRA_ROW_MODULES = [
    access_rows_exports,
    access_rows_pdf,
    access_rows_cycles,
    access_rows_rubric,
    access_rows_lists,
    access_rows_certificates,
    access_rows_language,
]
for _module in EXTRA_ROW_MODULES:
    MATRIX.update(_module.ROWS)

# Routes outside our access rules: Django's admin checks is_staff itself.
NAMESPACES_WITH_THEIR_OWN_CHECKS = {"admin"}


def named_routes(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NAMESPACES_WITH_THEIR_OWN_CHECKS:
                continue
            yield from named_routes(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name
