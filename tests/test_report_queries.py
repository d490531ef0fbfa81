"""How many queries the reports' pages and documents make: the literal number, at two sizes.

Each count is the same at both sizes: nothing is read row by row. The comment
above each assertion names the queries, so a change in the number says which
one appeared.
"""

import pytest
from django.urls import reverse

from assessment.models import Application
from reports import application_report
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
    # 1: the designees, with their jurisdiction and cycle joined and the current decision in subqueries.
    with django_assert_num_queries(1):
        response = client.get(reverse("public_designees"))
    assert response.status_code == 200 and response.content.decode().count("Seal (SVG)") == size


@pytest.mark.parametrize("size", SIZES)
def test_the_exports_page(client, django_assert_num_queries, cycle, size):
    designees(cycle, size)
    make_cycle(name="2024–2026")
    client.force_login(make_organizer())
    # 7: the session, the user, the cycle; the counts of applications, designees and published designees;
    # the other cycles (linked from the page).
    with django_assert_num_queries(7):
        response = client.get(reverse("cycle_exports", kwargs={"cycle_id": cycle.pk}))
    assert response.status_code == 200 and f"{size + 1} applications" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_the_html_of_an_application_report(django_assert_num_queries, cycle, size):
    [application] = designees(cycle, 1)
    for index in range(size):
        make_review(application, comments=f"Comment {index}.")
    application = Application.objects.select_related("jurisdiction", "cycle").get(pk=application.pk)
    # 7: the current decision, the reviewers' comments for the applicant, the rubric, the documents' kinds;
    # the rubric's categories, criteria and levels (once, to score the application once).
    with django_assert_num_queries(7):
        html = application_report.html(application_report.gather(application))
    assert all(f"Comment {index}." in html for index in range(size))
