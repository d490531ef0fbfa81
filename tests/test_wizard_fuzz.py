"""No input to any step of the wizard gives a server error, and every save keeps what was sent."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment import domain
from assessment.forms import STEPS
from assessment.models import Application
from tests.factories import make_cycle, make_jurisdiction, make_user
from tests.wizard_inputs import field_names, hostile_text


@pytest.fixture
def setup(db):
    jurisdiction = make_jurisdiction()
    applicant = make_user(jurisdiction=jurisdiction)
    application = domain.start_application(jurisdiction, make_cycle(), applicant)
    return applicant, application


@pytest.mark.parametrize("step", [name for name, _ in STEPS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_input_gives_a_server_error(client, setup, step, data):
    applicant, application = setup
    client.force_login(applicant)
    version = Application.objects.get(pk=application.pk).version
    body = {
        name: data.draw(st.one_of(hostile_text, st.lists(hostile_text, max_size=3)), label=name)
        for name in field_names(step)
    }
    body.update(version=str(version), action=data.draw(st.sampled_from(["next", "save", "save_exit", "bogus"])))
    url = reverse("application_step", kwargs={"pk": application.pk, "step": step})
    response = client.post(url, body)
    assert response.status_code in (200, 302)
    saved = Application.objects.get(pk=application.pk)
    assert saved.version == version + 1  # every POST is saved, valid or not
    assert client.get(url).status_code == 200
