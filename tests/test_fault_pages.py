"""The truth on the page when the database, the disk or the session fails (issue 16).

The failures are real ones of the database or the operating system, never mocks of our code: SQLite told
to refuse writes (``PRAGMA query_only``) or a PostgreSQL transaction made read-only, a trigger that makes the
score table refuse its write (PostgreSQL's own disk-full error code there), a write to /dev/full, and a
session deleted from the session store.
"""

import errno
import os
from contextlib import contextmanager
from html import unescape

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from assessment import domain
from assessment.models import Application
from config.faults import stash_cookie
from tests.factories import PASSWORD, make_cycle, make_jurisdiction, make_user
from tests.factories.answers import COMPLETE, post_data

pytestmark = pytest.mark.django_db

TYPED = "Our telephony contract ends in 2027 — typed just now, and never to be lost: ünïcödé too."
ENDED = "Your session had ended, so your answers were not saved yet. Sign in and they will be saved."
RESTORED = "Your answers from before you signed in again are saved."


def step_url(application, step):
    return reverse("application_step", kwargs={"pk": application.pk, "step": step})


def fresh(application):
    return Application.objects.get(pk=application.pk)


def page(response):
    return unescape(response.content.decode())


@pytest.fixture
def harbor():
    return make_jurisdiction(name="Harbor City")


@pytest.fixture
def applicant(harbor):
    return make_user(jurisdiction=harbor, username="pat")


@pytest.fixture
def application(harbor, applicant):
    return domain.start_application(harbor, make_cycle(name="2026–2028"), applicant)


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


def planning(version, challenges=TYPED, action="next"):
    return post_data("planning", dict(COMPLETE["planning"], challenges=challenges), version=version, action=action)


# A failed wizard save says so and keeps what was typed ------------------------------------------------


@contextmanager
def writes_refused():
    """The database refuses every write on this connection while inside (a savepoint undoes it after)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            if connection.vendor == "sqlite":
                # On the driver's connection: Django refuses queries in a block whose query failed.
                connection.connection.execute("PRAGMA query_only = OFF")
            transaction.set_rollback(True)


def refuse_score_writes():
    """The second write of a save (its score) fails: on PostgreSQL with its own disk-full error."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                cursor.execute(
                    f"CREATE TRIGGER refuse_score_{event.lower()} BEFORE {event} ON scoring_scoreresult "
                    "BEGIN SELECT RAISE(ABORT, 'the score table refused the write'); END"
                )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_score() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_score BEFORE INSERT OR UPDATE ON scoring_scoreresult "
                "FOR EACH ROW EXECUTE FUNCTION refuse_score()"
            )


def assert_not_saved_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = page(response)
    assert "Not saved: the server could not store your answers just now (" in text
    assert "What you typed is still below: try again in a minute, or copy it somewhere safe." in text
    assert "saved work is safe" not in text
    # What was typed is in the field, to send again or copy.
    assert f"{TYPED}</textarea>" in text
    return text


def test_a_save_the_database_refuses_says_not_saved_and_keeps_the_typed_text(signed_in, application):
    before = fresh(application)
    signed_in.get(step_url(application, "planning"))
    with writes_refused():
        response = signed_in.post(step_url(application, "planning"), planning(before.version))
    text = assert_not_saved_page(response)
    assert "its database is not accepting changes" in text
    # The page still carries the version it had, so sending again is a plain save, not a conflict.
    assert f'name="version" value="{before.version}"' in text
    after = fresh(application)
    assert (after.version, after.answers, after.wizard_state) == (before.version, before.answers, before.wizard_state)

    # Sent again once the database takes writes: saved.
    response = signed_in.post(step_url(application, "planning"), planning(before.version, action="save"))
    assert response.status_code == 302
    assert fresh(application).answers["planning"]["challenges"] == TYPED


def test_a_save_whose_second_write_fails_stores_nothing_of_it(signed_in, application):
    before = fresh(application)
    refuse_score_writes()
    response = signed_in.post(step_url(application, "planning"), planning(before.version))
    text = assert_not_saved_page(response)
    if connection.vendor == "postgresql":
        assert "its disk is full" in text
    # The draft's row was updated before the score failed: rolled back with it, nothing half-written.
    after = fresh(application)
    assert (after.version, after.answers, after.wizard_state) == (before.version, before.answers, before.wizard_state)
    assert f'name="version" value="{before.version}"' in text


# The 503 page for an unavailable database or a full disk elsewhere ------------------------------------


def database_gone(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def disk_full(request):
    with open("/dev/full", "w") as full:  # every write to it fails with ENOSPC, as on a full disk
        full.write("x" * 10)
        full.flush()
    return HttpResponse("written")


def missing_file(request):
    with open("/no/such/folder/file.txt") as missing:
        return HttpResponse(missing.read())


@login_not_required
def broken(request):
    raise ValueError("a bug, not an outage")


urlpatterns = [
    path("fault/database/", database_gone),
    path("fault/disk/", disk_full),
    path("fault/missing/", missing_file),
    path("fault/bug/", broken),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_an_unavailable_database_gives_a_503_page_that_says_so(signed_in):
    response = signed_in.get("/fault/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = page(response)
    assert "The service is unavailable for a moment: its database is not answering." in text
    assert "Nothing you had saved before is lost" in text
    assert "what you sent just now was not saved" not in text  # a page view sent nothing
    assert "Sign out pat" in text  # the site's own page, with its header
    assert "Content-Security-Policy" in response.headers

    response = signed_in.post("/fault/database/", {"note": "typed"})
    assert response.status_code == 503
    assert "Nothing you had saved before is lost; what you sent just now was not saved. Try again in a minute." in (
        page(response)
    )


@pytest.mark.urls(__name__)
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make a real ENOSPC")
def test_a_full_disk_gives_a_503_page_that_says_so(signed_in):
    response = signed_in.post("/fault/disk/", {"note": "typed"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = page(response)
    assert "The service is unavailable for a moment: its disk is full" in text
    assert "what you sent just now was not saved" in text


@pytest.mark.urls(__name__)
def test_other_errors_are_not_taken_for_an_outage(signed_in):
    with pytest.raises(FileNotFoundError) as raised:
        signed_in.get("/fault/missing/")
    assert raised.value.errno == errno.ENOENT
    with pytest.raises(ValueError):
        Client().get("/fault/bug/")
    response = Client(raise_request_exception=False).get("/fault/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "saved work is safe" not in page(response)


# /health/ and the disk's free space --------------------------------------------------------------------


def test_health_reports_the_disk_low_under_the_threshold(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    settings.DISK_FREE_MIN_BYTES = free + 10 * 1024**4  # more than is free
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["disk"] == "low"
    assert response.json()["status"] == "failing"

    settings.DISK_FREE_MIN_BYTES = 1
    response = client.get(reverse("health"))
    assert response.json()["disk"] == "ok"


# A session that ends in the middle of the wizard ------------------------------------------------------


def sign_in(client, user, next_url):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url})


def post_after_the_session_ended(client, user, application):
    """Signed in, on the planning step; the session ends (deleted from the store); the step is posted."""
    assert sign_in(client, user, "/").status_code == 302
    version = fresh(application).version
    assert client.get(step_url(application, "planning")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).delete()
    return client.post(step_url(application, "planning"), planning(version))


def test_a_step_posted_after_the_session_ended_is_saved_after_signing_in(client, applicant, application):
    # Posted to no draft: nothing is held (a made-up address stores nothing).
    missing = "00000000-0000-0000-0000-000000000000"
    response = client.post(f"/applications/{missing}/steps/planning/", planning(1))
    assert response.status_code == 302 and stash_cookie() not in response.cookies

    before = fresh(application)
    response = post_after_the_session_ended(client, applicant, application)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={step_url(application, 'planning')}"
    held = response.cookies[stash_cookie()]
    assert held["httponly"] and held["samesite"] == "Lax" and held["max-age"] == 24 * 60 * 60
    assert fresh(application).version == before.version  # nothing written without a signed-in user
    assert TYPED not in str(fresh(application).wizard_state)
    login_page = client.get(response.url)
    assert ENDED in page(login_page)

    response = sign_in(client, applicant, step_url(application, "planning"))
    assert response.url == step_url(application, "planning")
    response = client.get(response.url, follow=True)
    assert RESTORED in page(response)
    assert f"{TYPED}</textarea>" in page(response)
    saved = fresh(application)
    assert saved.answers["planning"]["challenges"] == TYPED
    assert saved.version == before.version + 1
    assert saved.updated_by == applicant

    # Once only: opening the step again, even with the old cookie put back, saves nothing more.
    token = response.client.cookies.get(stash_cookie())
    assert token is None or token.value == ""
    client.cookies[stash_cookie()] = "replayed"
    again = client.get(step_url(application, "planning"))
    assert again.status_code == 200 and RESTORED not in page(again)
    assert fresh(application).version == saved.version


def test_a_stash_is_applied_once_even_with_its_cookie_replayed(client, applicant, application):
    post_after_the_session_ended(client, applicant, application)
    token = client.cookies[stash_cookie()].value
    sign_in(client, applicant, "/")
    assert RESTORED in page(client.get(step_url(application, "planning"), follow=True))
    version = fresh(application).version
    client.cookies[stash_cookie()] = token
    response = client.get(step_url(application, "planning"))
    assert response.status_code == 200 and RESTORED not in page(response)
    assert fresh(application).version == version


def test_another_user_with_the_same_cookie_cannot_apply_it(client, applicant, application):
    post_after_the_session_ended(client, applicant, application)
    before = fresh(application)
    elsewhere = make_jurisdiction(name="Cedar County")
    stranger = make_user(jurisdiction=elsewhere, username="sam")
    their_own = domain.start_application(elsewhere, before.cycle, stranger)
    their_version = fresh(their_own).version

    sign_in(client, stranger, step_url(application, "planning"))
    assert client.get(step_url(application, "planning")).status_code in (403, 404)  # not theirs to see
    mine = client.get(step_url(their_own, "planning"))
    assert mine.status_code == 200 and RESTORED not in page(mine)
    assert fresh(application).version == before.version
    assert fresh(their_own).version == their_version
    assert TYPED not in str(fresh(their_own).wizard_state)

    # The stash is still there for the person who typed it.
    client.post(reverse("logout"))
    sign_in(client, applicant, step_url(application, "planning"))
    response = client.get(step_url(application, "planning"), follow=True)
    assert RESTORED in page(response)
    assert fresh(application).answers["planning"]["challenges"] == TYPED


def test_a_stash_older_than_a_colleagues_save_is_a_conflict_not_an_overwrite(client, applicant, application, harbor):
    post_after_the_session_ended(client, applicant, application)
    colleague = make_user(jurisdiction=harbor, username="lee")
    other = Client()
    other.force_login(colleague)
    theirs = "The colleague's answer, saved while Pat was signed out."
    assert (
        other.post(step_url(application, "planning"), planning(fresh(application).version, theirs)).status_code == 302
    )

    sign_in(client, applicant, step_url(application, "planning"))
    response = client.get(step_url(application, "planning"))
    text = page(response)
    assert f"Not saved: {colleague} changed this page" in text
    assert f"{TYPED}</textarea>" in text  # still on the page, to save again or drop
    assert fresh(application).answers["planning"]["challenges"] == theirs


# The CSRF failure page ---------------------------------------------------------------------------------


def test_a_csrf_failure_gets_a_styled_page_that_says_what_to_do(applicant):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": applicant.username, "password": PASSWORD})
    assert response.status_code == 403
    text = page(response)
    assert (
        "This form was open too long or your browser blocked a cookie. Go back, reload the page, and send it "
        "again; what you typed may still be in the form after going back." in text
    )
    assert "usa-header" in text and "uswds" in text  # the site's own page, not Django's bare one
    assert "CSRF verification failed" not in text
