"""The case of the search form of a cycle's applications for tests/test_forms_keep_typed.py: a GET form, so
what the test "posts" goes in the query string."""

from django.test import Client
from django.urls import reverse


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
