"""Password-reset e-mails are throttled per address and per client; reset links live hours, invitations days.

Links of a given age are made with Django's own token generators stamped that long ago, then opened through
the pages, as the person would open the link from their mail.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessment.invitations import invitation_token_generator
from assessment.models import Invitation, User
from tests.factories import make_organizer, make_user

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many password-reset requests came from your network in the last hour. Try again later."
SENT_PAGE = reverse("password_reset_done")


def ask(client, email, address="203.0.113.5", **headers):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, **headers)


def mails_to(email):
    return [message for message in mail.outbox if message.to == [email]]


@pytest.fixture
def alice():
    return make_user(username="alice", email="alice@example.gov")


@pytest.fixture
def bob():
    return make_user(username="bob", email="bob@example.gov")


# Throttling ----------------------------------------------------------------------------------------------


def test_seventeen_requests_send_three_mails_and_the_client_is_told_to_wait(client, alice, bob):
    answers = [ask(client, "alice@example.gov") for _ in range(17)]

    assert [message.to for message in mail.outbox] == [["alice@example.gov"]] * 3
    # The first ten look alike whether or not a mail went out: the "check your e-mail" page.
    assert [(a.status_code, a.get("Location")) for a in answers[:10]] == [(302, SENT_PAGE)] * 10
    # From the eleventh on, this client is told to wait, and nothing is sent.
    for answer in answers[10:]:
        assert answer.status_code == 429
        assert TOO_MANY in answer.content.decode()
    # Another address from another client still gets its mail.
    assert ask(client, "bob@example.gov", address="198.51.100.9").url == SENT_PAGE
    assert len(mails_to("bob@example.gov")) == 1


def test_another_address_from_the_same_client_gets_its_mail_within_the_client_limit(client, alice, bob):
    for _ in range(5):
        ask(client, "alice@example.gov")
    assert ask(client, "bob@example.gov").url == SENT_PAGE
    assert len(mails_to("alice@example.gov")) == 3
    assert len(mails_to("bob@example.gov")) == 1


def test_a_throttled_address_gets_the_same_page_as_an_unknown_one_and_a_mailed_one(client, alice, bob):
    for _ in range(3):
        ask(client, "alice@example.gov")
    throttled = ask(client, "Alice@Example.gov ", address="198.51.100.1", follow=True)
    unknown = ask(client, "nobody@example.gov", address="198.51.100.2", follow=True)
    known = ask(client, "bob@example.gov", address="198.51.100.3", follow=True)
    assert throttled.redirect_chain == unknown.redirect_chain == known.redirect_chain == [(SENT_PAGE, 302)]
    assert throttled.content == unknown.content == known.content
    assert "If an account uses that address, a link to choose a new password is on its way." in (
        throttled.content.decode()
    )
    assert len(mails_to("alice@example.gov")) == 3
    assert len(mails_to("bob@example.gov")) == 1


def test_one_client_may_ask_ten_times_an_hour_for_any_addresses(client):
    people = [make_user(username=f"person{i}", email=f"person{i}@example.gov") for i in range(12)]
    answers = [ask(client, person.email) for person in people]
    assert [a.status_code for a in answers] == [302] * 10 + [429] * 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people[:10])
    # The two it refused ask from elsewhere and get their mail.
    for person in people[10:]:
        assert ask(client, person.email, address="198.51.100.7").url == SENT_PAGE
    assert len(mail.outbox) == 12


def test_a_forged_forwarded_for_header_does_not_escape_the_client_limit(client):
    people = [make_user(username=f"person{i}", email=f"person{i}@example.gov") for i in range(11)]
    answers = [ask(client, p.email, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i, p in enumerate(people)]
    assert [a.status_code for a in answers] == [302] * 10 + [429]
    assert len(mail.outbox) == 10


def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_the_proxy_saw(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    people = [make_user(username=f"person{i}", email=f"person{i}@example.gov") for i in range(11)]
    answers = [
        ask(client, p.email, address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}") for i, p in enumerate(people)
    ]
    assert [a.status_code for a in answers] == [302] * 11
    assert len(mail.outbox) == 11
    # One client behind the proxy, asking for eleven addresses: counted as one client.
    answers = [
        ask(client, f"nobody{i}@example.gov", address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.200") for i in range(11)
    ]
    assert [a.status_code for a in answers] == [302] * 10 + [429]


# Lifetimes -----------------------------------------------------------------------------------------------


def link(route, user, generator, age=timedelta(0)):
    """The link a mail would have carried ``age`` ago."""
    timestamp = generator._num_seconds(generator._now() - age)
    token = generator._make_token_with_timestamp(user, timestamp, generator.secret)
    return reverse(route, args=[urlsafe_base64_encode(force_bytes(user.pk)), token])


@pytest.fixture
def invited():
    person = User.objects.create_user(username="dana@example.gov", email="dana@example.gov", role=User.Role.REVIEWER)
    Invitation.objects.create(user=person, invited_by=make_organizer())
    return person


CHOOSE = "Choose a password to finish setting up your account."
INVITATION_EXPIRED = "This invitation has expired or was already used."
RESET_FORM = '<button type="submit" class="usa-button">Set password</button>'
RESET_EXPIRED = "This link has expired or was already used."


def opened(client, url):
    return client.get(url, follow=True).content.decode()


def test_the_reset_mail_link_works_and_says_how_long(client, alice):
    ask(client, "alice@example.gov")
    (message,) = mail.outbox
    assert "Choose a new password here (the link works once, within 2 hours):" in message.body
    url = re.search(r"http://testserver(/password-reset/\S+/)", message.body)[1]
    assert RESET_FORM in opened(client, url)


def test_a_reset_link_three_hours_old_has_expired_while_an_invitation_as_old_still_works(client, alice, invited):
    three_hours = timedelta(hours=3)
    assert RESET_FORM in opened(
        client, link("password_reset_confirm", alice, default_token_generator, timedelta(hours=1))
    )
    assert RESET_EXPIRED in opened(client, link("password_reset_confirm", alice, default_token_generator, three_hours))
    assert CHOOSE in opened(client, link("accept_invitation", invited, invitation_token_generator, three_hours))


def test_an_invitation_works_for_seven_days_and_no_longer(client, invited):
    almost = link("accept_invitation", invited, invitation_token_generator, timedelta(days=7) - timedelta(minutes=5))
    assert CHOOSE in opened(client, almost)
    late = link("accept_invitation", invited, invitation_token_generator, timedelta(days=7, minutes=5))
    assert INVITATION_EXPIRED in opened(client, late)


def test_the_invitation_lifetime_is_a_setting(client, invited, settings):
    settings.INVITATION_TIMEOUT_DAYS = 2
    assert INVITATION_EXPIRED in opened(
        client, link("accept_invitation", invited, invitation_token_generator, timedelta(days=3))
    )


def test_a_reset_link_is_no_invitation_and_an_invitation_no_reset_link(client, invited):
    reset_token_as_invitation = link("accept_invitation", invited, default_token_generator)
    assert INVITATION_EXPIRED in opened(client, reset_token_as_invitation)
    invitation_token_as_reset = link("password_reset_confirm", invited, invitation_token_generator)
    assert RESET_EXPIRED in opened(client, invitation_token_as_reset)


def test_an_invitation_sent_by_an_organizer_says_its_lifetime_and_works(client, django_capture_on_commit_callbacks):
    client.force_login(make_organizer(first_name="Olive", last_name="Organizer"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invite"),
            {"email": "rae@example.gov", "first_name": "Rae", "last_name": "Kim", "role": "reviewer"},
        )
    (message,) = mail.outbox
    assert "Choose your password here (the link works once and expires in 7 days):" in message.body
    url = re.search(r"http://testserver(/invitation/\S+/)", message.body)[1]
    client.logout()
    assert CHOOSE in opened(client, url)


def test_the_sign_in_and_password_forms_have_full_width_uswds_inputs(client, alice, invited):
    reset = link("password_reset_confirm", alice, default_token_generator, timedelta(minutes=5))
    choose = link("accept_invitation", invited, invitation_token_generator, timedelta(minutes=5))
    for page in [client.get(reverse("login")).content.decode(), client.get(reverse("password_reset")).content.decode()]:
        inputs = re.findall(r"<input (?![^>]*type=\"hidden\")[^>]*>", page)
        assert inputs and all('class="usa-input"' in tag for tag in inputs), inputs
    for page in [opened(client, reset), opened(client, choose)]:
        inputs = re.findall(r"<input [^>]*type=\"password\"[^>]*>", page)
        assert len(inputs) == 2 and all('class="usa-input"' in tag for tag in inputs), inputs
