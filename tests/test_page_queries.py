"""How many queries the home pages make: the literal number, the same at two sizes of the cycle.

The comment above each assertion names the queries, so a change in the number says which one appeared.
"""

import pytest
from django.urls import reverse

from pages import home
from tests.factories import make_application, make_cycle, make_jurisdiction, make_organizer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [5, 9])
def test_the_organizers_dashboard_pages_the_applications(client, django_assert_num_queries, monkeypatch, size):
    monkeypatch.setattr(home, "APPLICATIONS_PER_PAGE", 2)
    cycle, other = make_cycle(name="2026–2028"), make_cycle(name="2027–2029")
    for index in range(size):
        make_application(jurisdiction=make_jurisdiction(name=f"City {index:02}"), cycle=cycle)
    make_application(jurisdiction=make_jurisdiction(name="City 00b"), cycle=other)
    client.force_login(make_organizer())
    # 7: the session, the user; the number of applications in open cycles (the paginator's count); the
    # page's (jurisdiction, cycle) pairs; those applications, without their JSON; the cycles, their counts;
    # the appeals.
    with django_assert_num_queries(8):
        response = client.get(reverse("home"), {"page": 2})
    page = response.content.decode()
    # By jurisdiction: the second page holds the third and fourth, whatever the cycle.
    assert "City 01, VA" in page and "City 02, VA" in page and "City 00b" not in page and "City 03" not in page
    assert f"of {size + 1}, by jurisdiction" in page and 'aria-current="page"' in page
