"""How many queries the reports' pages and documents make: the literal number, at two sizes.

Each count is the same at both sizes: nothing is read row by row. The comment
above each assertion names the queries, so a change in the number says which
one appeared.
"""

import pytest
from django.urls import reverse

from assessment.models import Application
from reports import application_report, export_views
from scoring.domain import rubric_for
from tests.factories import make_cycle, make_jurisdiction, make_organizer
from tests.factories.applications import make_submitted
from tests.factories.decisions import decide
from tests.factories.reviews import make_review

pytestmark = pytest.mark.django_db

SIZES = [2, 6]


@pytest.fixture
def cycle():
    cycle = make_cycle(name="2026–2028")
    rubric_for(cycle)
    return cycle


def designees(cycle, count):
    """``count`` published designees of the cycle, and one application not designated."""
    applications = []
    for index in range(count):
        application = make_submitted(jurisdiction=make_jurisdiction(name=f"City {index}"), cycle=cycle)
        decide(application)
        applications.append(application)
    decide(make_submitted(jurisdiction=make_jurisdiction(name="Refused"), cycle=cycle), outcome="not_designated")
    return applications


@pytest.mark.parametrize("size", SIZES)
def test_the_public_designees_page(client, django_assert_num_queries, cycle, size):
    designees(cycle, size)
    # 2: the number of designees (the paginator's count); the page of designees, with their jurisdiction,
    # cycle and current decision joined and their cycle's number of designees counted alongside.
    with django_assert_num_queries(2):
        response = client.get(reverse("public_designees"))
    assert response.status_code == 200 and response.content.decode().count("Seal (SVG)") == size


@pytest.mark.parametrize("size", [5, 9])
def test_a_page_of_the_public_designees(client, django_assert_num_queries, cycle, size, monkeypatch):
    monkeypatch.setattr(export_views, "DESIGNEES_PER_PAGE", 2)
    designees(cycle, size)
    # 2: the number of designees; the page of them, each cycle's number counted alongside. Whatever the size.
    with django_assert_num_queries(2):
        response = client.get(reverse("public_designees"), {"page": 2})
    page = response.content.decode()
    assert page.count("Seal (SVG)") == 2 and f"{size} designees" in page and 'aria-current="page"' in page


@pytest.mark.parametrize("size", SIZES)
def test_the_exports_page(client, django_assert_num_queries, cycle, size):
    designees(cycle, size)
    make_cycle(name="2024–2026")
    client.force_login(make_organizer())
    # 6: the session, the user, the cycle; the count of applications; the counts of designees and published
    # designees (one query); the other cycles (linked from the page).
    with django_assert_num_queries(6):
        response = client.get(reverse("cycle_exports", kwargs={"cycle_id": cycle.pk}))
    assert response.status_code == 200 and f"{size + 1} applications" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_the_html_of_an_application_report(django_assert_num_queries, cycle, size):
    [application] = designees(cycle, 1)
    for index in range(size):
        make_review(application, comments=f"Comment {index}.")
    application = Application.objects.select_related("jurisdiction", "cycle").get(pk=application.pk)
    application_report.gather(application)  # publishing issued its certificate; the cycle's peer figures are made
    # 6: the current decision, the reviewers' comments for the applicant, its certificate, the rubric (its
    # categories, criteria and levels are cached by its stamp, read by the first call), the cycle's peer
    # figures (cached: the one query of their key) and the documents' kinds.
    with django_assert_num_queries(6):
        html = application_report.html(application_report.gather(application))
    assert all(f"Comment {index}." in html for index in range(size))
