"""Form fuzzing (tests/fuzz_forms.py) of the organizer's lists: the search and filters of a cycle's applications
(``ApplicationFilterForm``, a GET form, pages/application_filters.py). Whatever the query string, the page
answers (200), says each thing it could not use, and lists only applications of the cycle that match the
search it could use."""

import re
from html import unescape

from django.urls import reverse
from hypothesis import event, given, settings
from hypothesis import strategies as st

from assessment.models import User
from pages.application_filters import ApplicationFilterForm
from review.models import Assignment
from tests.fuzz_forms import (
    form_body,
    fuzz,
    rolled_back,
    sent,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)
from tests.keep_typed_cases import Page

ROW = re.compile(r'<th scope="row" data-label="Jurisdiction"><a href="/applications/[^"]+/">([^<]+)</a>')


def reviewers():
    """The reviewers the list offers: those assigned now."""
    return list(User.objects.filter(pk__in=Assignment.objects.filter(active=True).values("reviewer_id")))


def check(world, query):
    """Open the list with ``query`` (values sent twice: the last counts, as for the page) and check its answer;
    returns what the page could not use."""
    url = reverse("cycle_applications", args=[world.cycle.pk])
    response = world.client["organizer"].get(url, query)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    page = Page(html, url)
    form = ApplicationFilterForm(
        {name: sent(query, name) for name in query if sent(query, name)} or None, reviewers=reviewers()
    )
    form.is_valid()
    for name, errors in form.errors.items():
        for error in errors:
            assert " ".join(error.split()) in page.text, (name, error)  # the page's text, its spaces collapsed
    shown = [unescape(name) for name in ROW.findall(html)]
    places = {a.jurisdiction.name: a.jurisdiction for a in world.cycle.applications.select_related("jurisdiction")}
    assert set(shown) <= set(places)
    q = getattr(form, "cleaned_data", {}).get("q")
    for name in shown:
        place = places[name]
        county = place.county.name if place.county else ""
        assert not q or any(q.lower() in text.lower() for text in (name, place.state, county)), (q, name)
    return form.errors


@settings(fuzz, max_examples=30)
@given(data=st.data())
def test_filtering_a_cycles_applications(world, data):
    query = form_body(
        data,
        ApplicationFilterForm,
        extra={"page": data.draw(st.sampled_from(["1", "2", "0", "-3", "x", "9" * 30]), label="page")},
        form_kwargs={"reviewers": reviewers()},
    )
    with rolled_back():
        event("something refused" if check(world, query) else "all used")


EDGES = [
    {"score_min": "9" * 5000, "score_max": "-1e400"},
    {"score_min": "80", "score_max": "60.5", "disagree": "on"},
    {"score_min": "sNaN", "score_max": "Infinity"},
    {"q": "a\x00b", "reviewer": "²", "sort": ["score", "-answers"]},
    {"q": "harbor", "status": ["draft", "published"], "band": "100000", "reviewer": "9" * 30},
    {"q": "%", "sort": "-reviews"},
    {"q": "_", "sort": "status"},
]


def test_query_strings_at_the_edges(world):
    for query in EDGES:
        check(world, query)
