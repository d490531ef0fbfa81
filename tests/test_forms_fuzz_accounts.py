"""Form fuzzing (tests/fuzz_forms.py), applications and people: extensions, evidence, starting an application,
jurisdictions, invitations, signing in, password resets and choosing a password."""

from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from hypothesis import event, given, settings
from hypothesis import strategies as st

from assessment.invitations import InvitationForm, JurisdictionForm, invitation_token_generator
from assessment.models import Application, EvidenceDocument, Invitation, Jurisdiction, User
from assessment.views import ExtensionForm
from tests.factories import (
    PASSWORD,
)
from tests.fuzz_forms import (
    answered,
    form_body,
    fuzz,
    hostile_text,
    hostile_value,
    moments,
    pdf_upload,
    post,
    rolled_back,
    sent,
    spoil,
    text_edges,
    world_fixture,  # noqa: F401  (the ``world`` fixture: pytest finds it by name)
)

# --- Applications and evidence ---------------------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_granting_an_extension(world, data):
    body = form_body(data, ExtensionForm, until=moments)
    with rolled_back():
        url = reverse("grant_extension", args=[world.draft.pk])
        messages = answered(post(world.client["organizer"], url, body), 200, 302)
        draft = Application.objects.get(pk=world.draft.pk)
        assert len(messages) == 1
        event("granted" if draft.extension_until else "refused")
        if draft.extension_until:
            assert messages == ["The extension was granted."] and draft.extension_until > timezone.now()
            assert world.client["organizer"].get(reverse("application_detail", args=[draft.pk])).status_code == 200


@fuzz
@given(data=st.data())
def test_uploading_evidence(world, data):
    body = {"kind": data.draw(st.sampled_from(EvidenceDocument.Kind.values)), "file": pdf_upload(data)}
    body = spoil(data, body, ["kind", "file", "other"])
    with rolled_back():
        messages = answered(post(world.client["drafter"], reverse("document_upload", args=[world.draft.pk]), body))
        document = EvidenceDocument.objects.filter(application=world.draft).first()
        event("stored" if document else "refused")
        assert messages
        if document:
            assert messages == [
                f"{document.original_name} was added ({document.pages} page{'s' if document.pages != 1 else ''})."
            ]
            assert "/" not in document.original_name and document.original_name.isprintable()


@fuzz
@given(data=st.data())
def test_starting_an_application(world, data):
    body = spoil(data, {"prefill": "yes"}, ["prefill"])
    with rolled_back():
        Application.objects.filter(pk=world.draft.pk).delete()
        response = post(world.client["drafter"], reverse("application_start", args=[world.cycle.pk]), body)
        assert response.status_code == 302
        assert Application.objects.filter(jurisdiction=world.drafter.jurisdiction).count() == 1


# --- Organizers: jurisdictions and invitations --------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_adding_a_jurisdiction(world, data):
    body = form_body(data, JurisdictionForm)
    count = Jurisdiction.objects.count()
    with rolled_back():
        response = post(world.client["organizer"], reverse("jurisdiction_create"), body)
        answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert response.context["form"].errors and Jurisdiction.objects.count() == count
        else:
            assert Jurisdiction.objects.count() == count + 1
            created = Jurisdiction.objects.order_by("-pk").first()
            assert created.name == sent(body, "name").strip()


@fuzz
@given(data=st.data())
def test_inviting_someone(world, data):
    body = form_body(data, InvitationForm)
    users = User.objects.count()
    mail.outbox.clear()
    with rolled_back():
        response = post(world.client["organizer"], reverse("invite"), body)
        answered(response, 200, 302)
        event(f"status {response.status_code}")
        if response.status_code == 200:
            assert response.context["form"].errors and User.objects.count() == users
        else:
            invited = User.objects.get(email=sent(body, "email").strip().lower())
            assert not invited.has_usable_password() and Invitation.objects.filter(user=invited).exists()


# --- Signing in, resetting a password, accepting an invitation ----------------------------------------------


@pytest.mark.parametrize("route", ["login", "admin:login"])
@settings(fuzz, max_examples=15)
@given(data=st.data())
def test_signing_in(world, route, data):
    real = world.applicant.username
    body = {
        "username": data.draw(st.one_of(st.just(real), hostile_value), label="username"),
        "password": data.draw(st.one_of(st.just(PASSWORD), hostile_value), label="password"),
        "next": data.draw(st.one_of(st.just("/"), hostile_value), label="next"),
    }
    body = spoil(data, body, ["username", "password", "next"], edges={"username": text_edges})
    with rolled_back():
        response = post(Client(), reverse(route), body)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert (sent(body, "username"), sent(body, "password")) == (real, PASSWORD)
            assert url_has_allowed_host_and_scheme(response.url, {"testserver"})  # never to another site
        else:
            assert response.context["form"].errors


@settings(fuzz, max_examples=25)
@given(data=st.data())
def test_asking_for_a_password_reset(world, data):
    real = world.applicant.email
    body = spoil(data, {"email": data.draw(st.one_of(st.just(real), hostile_value))}, ["email"])
    mail.outbox.clear()
    with rolled_back():
        response = post(Client(), reverse("password_reset"), body)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["form"].errors
        known = response.status_code == 302 and sent(body, "email").strip().lower() == real
        assert len(mail.outbox) == (1 if known else 0)


@pytest.fixture
def invited(world):
    person = User.objects.create_user(username="dana@example.gov", email="dana@example.gov", role=User.Role.REVIEWER)
    Invitation.objects.create(user=person, invited_by=world.organizer)
    world.invited = person
    return world


@pytest.mark.parametrize("route", ["accept_invitation", "password_reset_confirm"])
@settings(fuzz, max_examples=15)
@given(data=st.data())
def test_choosing_a_password(invited, route, data):
    person = invited.invited if route == "accept_invitation" else invited.applicant
    tokens = invitation_token_generator if route == "accept_invitation" else default_token_generator
    uid, token = urlsafe_base64_encode(force_bytes(person.pk)), tokens.make_token(person)
    if data.draw(st.booleans(), label="spoil the link"):
        uid, token = (
            data.draw(st.one_of(st.just(part), hostile_text.filter(bool).map(lambda t: quote(t, safe=""))))
            for part in (uid, token)
        )
    strong = "correct horse battery staple 42"
    body = {name: data.draw(st.one_of(st.just(strong), hostile_value)) for name in ("new_password1", "new_password2")}
    body = spoil(data, body, ["new_password1", "new_password2"])
    client = Client()
    with rolled_back():
        link = client.get(reverse(route, args=["uid", "token"]).removesuffix("uid/token/") + f"{uid}/{token}/")
        assert link.status_code in (200, 302, 404)
        if link.status_code == 200:
            assert not link.context["validlink"]  # the page says the link has expired
        if link.status_code != 302:
            return
        response = post(client, link.url, body)
        assert response.status_code in (200, 302)
        person.refresh_from_db()
        if response.status_code == 302:
            assert person.check_password(sent(body, "new_password1"))
        else:
            assert response.context["form"].errors and not person.check_password(sent(body, "new_password1"))
