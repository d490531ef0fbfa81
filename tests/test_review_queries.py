"""The panel's pages and bulk decisions read a fixed number of queries, whatever the size of the cycle.

Each count is the literal number, at two sizes; the comment above it names the queries. Rule scores
are read from each application's stored ``ScoreResult`` (no engine run over the answers, no
per-application query), the rubric once per request.
"""

import pytest
from django.urls import reverse

from review.assignment import assign
from review.decisions import bulk_decide
from review.models import Decision, settings_for
from review.reviewing import save_review
from tests.factories import as_user, make_cycle, make_jurisdiction, make_organizer, make_reviewer
from tests.factories.applications import submitted
from tests.factories.reviews import FULL

pytestmark = pytest.mark.django_db


def reviewed_cycle(applications, reviewers=2):
    """A cycle of ``applications`` submitted applications, each reviewed by the same ``reviewers`` reviewers."""
    cycle = make_cycle()
    settings_for(cycle)  # the panel settings exist (the first page that reads them would create them)
    organizer = make_organizer()
    panel = [make_reviewer() for _ in range(reviewers)]
    apps = []
    for index in range(applications):
        application = submitted(make_jurisdiction(name=f"Place {index}"), cycle)
        for reviewer in panel:
            review = assign(application, reviewer, organizer).review
            save_review(review, reviewer, review.version, FULL, {}, "Clear.", "", submit=True)
        apps.append(application)
    return cycle, organizer, panel, apps


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("applications", [2, 6])
def test_the_cycle_panel_page(applications, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr("review.queries.PER_PAGE", 4)  # six applications make two pages
    cycle, organizer, _panel, _apps = reviewed_cycle(applications)
    client = as_user(organizer)
    url = reverse("panel_cycle", args=[cycle.pk])
    # The session and its user; the cycle; the panel settings; the rubric (its row); the cycle-wide
    # figures (review.summary): two aggregate queries for their fingerprint (which count the applications
    # for the pages too), then — not kept yet — the counted reviews' compact rows, the reviewed
    # applications' stored scores and the reviewers ever assigned; the page of applications with
    # jurisdiction and stored total; its assignments with reviewer and review; its current decisions;
    # the reviewers' names.
    with django_assert_num_queries(14):
        response = get(client, url)
    assert response.content.decode().count('/panel/">') == min(applications, 4)
    # The figures are kept while nothing they depend on changes: the fingerprint's two queries only.
    with django_assert_num_queries(11):
        response = get(client, url + "?page=2")
    assert response.content.decode().count('/panel/">') == (2 if applications == 6 else applications)


@pytest.mark.parametrize("reviewers", [2, 6])
def test_the_application_panel_page(reviewers, django_assert_num_queries):
    _cycle, organizer, _panel, apps = reviewed_cycle(2, reviewers)
    make_reviewer(), make_reviewer(jurisdiction=apps[0].jurisdiction)  # one free, one conflicted: not offered
    client = as_user(organizer)
    # The session and its user; the application with its jurisdiction and cycle; the rubric (its row; its
    # categories, criteria and levels are kept per process while its stamp stays);
    # the counted reviews with their reviewers; the stored score; the panel settings; the assignments
    # with reviewer and review; the documents' kinds (for the reasons in words); the active reviewers, then
    # their conflicts (the places of each county, the declared conflicts); the history; the decisions (the
    # current one among them); the appeals.
    with django_assert_num_queries(15):
        response = get(client, reverse("panel_application", args=[apps[0].pk]))
    assert response.content.decode().count("Clear.") == reviewers
    assert "1 reviewer is left out for a conflict of interest" in response.content.decode()


@pytest.mark.parametrize("applications", [2, 6])
def test_the_reviewer_home_page(applications, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr("review.views.REVIEWS_PER_PAGE", 4)  # six assignments make two pages
    _cycle, _organizer, panel, _apps = reviewed_cycle(applications)
    client = as_user(panel[0])
    # The session and its user; the number of the reviewer's active assignments; a page of them with
    # application, jurisdiction, cycle, panel settings and review; the judged criteria counted per cycle.
    with django_assert_num_queries(5):
        page = get(client, reverse("home")).content.decode()
    assert page.count('href="/reviews/') == min(applications, 4)
    with django_assert_num_queries(5):
        page = get(client, reverse("home") + "?page=2").content.decode()
    assert page.count('href="/reviews/') == (2 if applications == 6 else applications)


@pytest.mark.parametrize("applications, queries", [(2, 22), (6, 54)])
def test_bulk_decide(applications, queries, django_assert_num_queries):
    cycle, organizer, _panel, _apps = reviewed_cycle(applications)
    # Planning, whatever the number of applications: the panel settings; the current decisions; the
    # undecided submitted applications with jurisdiction, cycle and stored score; the rubric (its row);
    # the counted reviews of them all, with their reviewers. Then eight for each decision: its
    # savepoint, the application's row lock, the current decision, the savepoint of the insert, the
    # insert and its release, the audit event, the release. Last, the audit event of the whole.
    with django_assert_num_queries(queries):
        made, skipped = bulk_decide(cycle, organizer)
    assert len(made) == applications and not skipped
    assert 6 + 8 * applications == queries
    assert Decision.objects.filter(application__cycle=cycle, superseded_at=None).count() == applications
