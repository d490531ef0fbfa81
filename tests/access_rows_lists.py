"""Rows of the URL × role matrix (tests/test_access_matrix.py) for the organizer's lists pages, and the case of
their search form for tests/test_forms_keep_typed.py."""

from django.test import Client
from django.urls import reverse

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


# --- The search form of a cycle's applications, in tests/test_forms_keep_typed.py --------------------------


class SearchClient(Client):
    """A browser sending a search form (method GET): what tests/test_forms_keep_typed.py "posts" goes in the
    query string, which is where the list reads it."""

    def post(self, path, data=None, follow=False, **extra):
        return self.get(path, data, follow=follow, **extra)


def filter_case(world, typed):
    """The keyword arguments of a ``keep_typed_cases.Case``: every filter of the list set, the lowest score not a
    number. ``typed``: keep_typed_cases.typed, text nobody else puts on a page."""
    client = SearchClient()
    client.force_login(world.organizer)
    kept = {"q": typed("q"), "status": "decided", "band": "250000", "score_min": "abc", "score_max": "80.5"}
    kept |= {"reviewer": str(world.reviewer.pk), "disagree": "on", "sort": "-score"}
    url = reverse("cycle_applications", args=[world.cycle.pk])
    return {"client": client, "url": url, "kept": kept, "error": "Enter a number of points, for example 55 or 62.5."}
