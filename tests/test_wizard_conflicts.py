"""Saving a step conflicts only when that same step was saved elsewhere since the page was opened.

Saves of other steps (a colleague's, or this person's other tab) are merged; a real conflict shows what is
saved now beside what was typed, answer by answer, and lets the person keep theirs or take the saved ones.
"""

import html

import pytest
from django.urls import reverse

from assessment import domain
from assessment.models import Application
from tests.factories import make_cycle, make_jurisdiction, make_user
from tests.factories.answers import post_data

pytestmark = pytest.mark.django_db


def step_url(application, step):
    return reverse("application_step", kwargs={"pk": application.pk, "step": step})


@pytest.fixture
def harbor():
    return make_jurisdiction(name="Harbor City")


@pytest.fixture
def pat(harbor):
    return make_user(jurisdiction=harbor, first_name="Pat", last_name="Rivera")


@pytest.fixture
def sam(harbor):
    return make_user(jurisdiction=harbor, first_name="Sam", last_name="Okafor")


@pytest.fixture
def application(harbor, pat):
    return domain.start_application(harbor, make_cycle(name="2026–2028"), pat)


def fresh(application):
    return Application.objects.get(pk=application.pk)


def save(client, application, step, version, **answers):
    return client.post(step_url(application, step), post_data(step, answers, version=version, action="save"))


def text(response):
    return html.unescape(response.content.decode())


def saved_meanwhile(client, application, by, step, **answers):
    """``by`` saves ``step`` after the page was opened; the version the page was opened at."""
    opened = fresh(application).version
    client.force_login(by)
    save(client, application, step, opened, **answers)
    return opened


def test_one_person_in_two_tabs_saving_two_steps_has_no_conflict(client, pat, application):
    client.force_login(pat)
    opened = fresh(application).version  # both tabs opened now
    assert save(client, application, "technology", opened, crm_product="From tab one").status_code == 302
    assert save(client, application, "planning", opened, challenges="From tab two").status_code == 302
    answers = fresh(application).answers
    assert answers["technology"]["crm_product"] == "From tab one"
    assert answers["planning"]["challenges"] == "From tab two"


def test_a_colleagues_save_of_another_step_is_kept_beside_mine(client, pat, sam, application):
    opened = saved_meanwhile(client, application, sam, "planning", challenges="Sam's challenges")
    client.force_login(pat)
    response = save(client, application, "technology", opened, crm_product="Pat's CRM")
    assert response.status_code == 302 and response.url == step_url(application, "technology")
    answers = fresh(application).answers
    assert (answers["planning"]["challenges"], answers["technology"]["crm_product"]) == (
        "Sam's challenges",
        "Pat's CRM",
    )


def test_a_colleague_on_the_same_step_is_shown_field_by_field_and_mine_can_be_kept(client, pat, sam, application):
    opened = saved_meanwhile(client, application, sam, "technology", crm_product="Sam's CRM")
    client.force_login(pat)
    response = save(client, application, "technology", opened, crm_product="Pat's CRM")
    page = text(response)
    assert response.status_code == 200
    assert "Not saved: Sam Okafor changed this page" in page
    assert "Sam Okafor saved this page at" in page and "after you opened this page" in page
    assert "Pat Rivera" not in page.split("Not saved")[1].split("What you typed")[0]  # never named as the other
    # The row of the one answer that differs: the question, Sam's saved answer, then what Pat typed.
    row = page[page.index('<th scope="row" data-label="Question">') :]
    row = row[: row.index("</tr>")]
    assert "CRM product" in row and row.index("Sam's CRM") < row.index("Pat's CRM")
    assert page.count('<th scope="row" data-label="Question">') == 1  # only what differs
    assert 'value="Pat\'s CRM"' in page  # what Pat typed is still in the form
    assert fresh(application).answers["technology"]["crm_product"] == "Sam's CRM"
    # "Keep my answers" sends the form, which now carries the new version.
    current = fresh(application).version
    assert f'name="version" value="{current}"' in page
    assert 'form="step-form" name="action" value="save"' in page
    assert save(client, application, "technology", current, crm_product="Pat's CRM").status_code == 302
    assert fresh(application).answers["technology"]["crm_product"] == "Pat's CRM"


def test_taking_the_saved_answers_shows_them(client, pat, sam, application):
    opened = saved_meanwhile(client, application, sam, "technology", crm_product="Sam's CRM")
    client.force_login(pat)
    page = text(save(client, application, "technology", opened, crm_product="Pat's CRM"))
    assert f'href="{step_url(application, "technology")}">Take the saved answers of Sam Okafor' in page
    shown = text(client.get(step_url(application, "technology")))
    assert 'value="Sam\'s CRM"' in shown and "Pat's CRM" not in shown


def test_the_same_step_saved_in_my_other_tab_is_called_mine(client, pat, application):
    client.force_login(pat)
    opened = fresh(application).version
    save(client, application, "technology", opened, crm_product="Tab one")
    page = text(save(client, application, "technology", opened, crm_product="Tab two"))
    assert "Not saved: you changed this page in another tab or window" in page
    assert "You saved this page in another tab or window at" in page
    assert "colleague" not in page.lower()


def test_the_rows_of_the_metrics_step_are_compared_row_by_row(client, pat, sam, application):
    opened = fresh(application).version
    rows = post_data("metrics", version=opened, action="save")
    client.force_login(sam)
    assert client.post(step_url(application, "metrics"), rows).status_code == 302
    client.force_login(pat)
    mine = {**rows, "metrics-1-latest_value": "Pat's value"}
    page = text(client.post(step_url(application, "metrics"), mine))
    assert "Row 2: " in page and "Pat's value" in page
    assert page.count('<th scope="row" data-label="Question">') == 1


def test_a_draft_saved_before_steps_were_stamped_still_refuses_a_stale_save(client, pat, sam, application):
    opened = fresh(application).version
    legacy = {key: value for key, value in fresh(application).wizard_state.items() if key != "saved"}
    # Saved by Sam before saves were stamped with their step: which step is unknown.
    Application.objects.filter(pk=application.pk).update(wizard_state=legacy, version=opened + 1, updated_by=sam)
    client.force_login(pat)
    page = text(save(client, application, "technology", opened, crm_product="Pat's CRM"))
    assert "Sam Okafor saved this page at" in page
    assert "technology" not in fresh(application).answers or not fresh(application).answers["technology"].get(
        "crm_product"
    )
