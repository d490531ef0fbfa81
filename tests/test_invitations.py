"""Organizers add jurisdictions and invite their staff; the link lets them choose a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from assessment.models import AuditEvent, Invitation, Jurisdiction, User
from tests.factories import make_jurisdiction, make_organizer, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(client):
    client.force_login(make_organizer(first_name="Olive", last_name="Organizer"))
    return client


def test_organizer_adds_a_jurisdiction(organizer_client):
    county = make_jurisdiction(name="Pine County", kind="county", population=400_000)
    response = organizer_client.post(
        reverse("jurisdiction_create"),
        {
            "name": "Riverton",
            "kind": "city",
            "state": "OR",
            "country": "United States",
            "population": "88000",
            "county": county.pk,
            "time_zone": "America/Los_Angeles",
        },
    )
    riverton = Jurisdiction.objects.get(name="Riverton")
    assert riverton.time_zone == "America/Los_Angeles"
    assert response.url == reverse("jurisdiction_detail", args=[riverton.pk])
    assert riverton.county == county
    assert riverton.population_band == "Under 100,000"
    page = organizer_client.get(response.url).content.decode()
    assert "Riverton, OR" in page and "in Pine County, VA" in page


def test_a_bad_population_is_explained_on_the_page(organizer_client):
    response = organizer_client.post(
        reverse("jurisdiction_create"),
        {"name": "X", "kind": "city", "state": "OR", "country": "US", "population": "-5"},
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not Jurisdiction.objects.filter(name="X").exists()


def test_invited_staff_member_sets_a_password_and_signs_in(
    organizer_client, client, django_capture_on_commit_callbacks
):
    riverton = make_jurisdiction(name="Riverton")
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("invite"),
            {
                "email": "Dana.Lee@Riverton.example",
                "first_name": "Dana",
                "last_name": "Lee",
                "role": "applicant",
                "jurisdiction": riverton.pk,
            },
        )
    assert response.url == reverse("jurisdiction_detail", args=[riverton.pk])
    dana = User.objects.get(email="dana.lee@riverton.example")
    assert dana.jurisdiction == riverton and dana.is_applicant and not dana.has_usable_password()
    assert Invitation.objects.get(user=dana).accepted_at is None
    assert AuditEvent.objects.filter(action="user.invited").count() == 1
    (message,) = mail.outbox
    assert message.to == ["dana.lee@riverton.example"]
    assert "Olive Organizer invited you" in message.body
    link = re.search(r"http://testserver(/invitation/\S+/)", message.body).group(1)

    client.logout()
    page = client.get(link, follow=True)
    assert "Choose a password to finish setting up your account." in page.content.decode()
    set_password_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    client.post(set_password_url, {"new_password1": "riverton-staff-2026!", "new_password2": "riverton-staff-2026!"})
    assert Invitation.objects.get(user=dana).accepted_at is not None
    assert sign_in(client, "dana.lee@riverton.example", "riverton-staff-2026!")
    # The link works once.
    client.logout()
    assert "This invitation has expired or was already used." in client.get(link, follow=True).content.decode()


def test_an_applicant_invitation_needs_a_jurisdiction(organizer_client):
    response = organizer_client.post(
        reverse("invite"), {"email": "x@example.gov", "first_name": "X", "last_name": "Y", "role": "applicant"}
    )
    assert "Choose the jurisdiction this person works for." in response.content.decode()
    assert not User.objects.filter(email="x@example.gov").exists()


def test_the_same_address_cannot_be_invited_twice(organizer_client):
    make_organizer(email="taken@example.gov")
    response = organizer_client.post(
        reverse("invite"), {"email": "TAKEN@example.gov", "first_name": "T", "last_name": "K", "role": "reviewer"}
    )
    assert "Someone with this e-mail address already has an account." in response.content.decode()
