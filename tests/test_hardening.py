"""Running safely in production: deploy checks, cookies, the login throttle, the CSP and the health check."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config import views as config_views
from tests.factories import PASSWORD, make_jurisdiction, make_user, sign_in

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "EMAIL_BACKEND", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "designation.example.org",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            **extra,
        }
    )
    return env


# Deployment ------------------------------------------------------------------


@pytest.mark.process
def test_production_settings_pass_the_deploy_check_at_warning_level(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.process
def test_production_cookies_are_secure_http_only_and_same_site(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG]))"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, "Lax", True, True, True, False]


@pytest.mark.process
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY="short")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random string of at least 50 characters" in result.stderr


@pytest.mark.django_db
def test_the_session_key_changes_at_sign_in_and_sign_out_ends_the_session(client):
    user = make_user(jurisdiction=make_jurisdiction())
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    assert sign_in(client, user.username, PASSWORD)
    signed_in = client.cookies["sessionid"].value
    assert signed_in != before
    client.post(reverse("logout"))
    # The old cookie no longer opens anything: replaying it lands on the sign-in page.
    replay = Client()
    replay.cookies["sessionid"] = signed_in
    response = replay.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Login throttling (django-axes) ------------------------------------------------


@pytest.fixture
def dana(db):
    return make_user(jurisdiction=make_jurisdiction(), username="dana")


def attempt(client, username, password, address="203.0.113.7", **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def test_five_wrong_passwords_lock_the_account_out_from_that_address(client, dana):
    for _ in range(4):
        response = attempt(client, "dana", "guess")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    locked = attempt(client, "dana", "guess")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page and "15 minutes" in page and reverse("password_reset") in page
    # Even the right password is refused from here now, and nobody is signed in.
    right = attempt(client, "dana", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_another_client_is_not_locked_out_with_the_guesser(client, dana):
    other = make_user(jurisdiction=dana.jurisdiction, username="lee")
    for _ in range(5):
        attempt(client, "dana", "guess", address="203.0.113.7")
    # Dana at her own desk signs in.
    dana_desk = Client()
    assert attempt(dana_desk, "dana", PASSWORD, address="198.51.100.20").status_code == 302
    # A colleague behind the guesser's address signs in to their own account.
    colleague = Client()
    assert attempt(colleague, other.username, PASSWORD, address="203.0.113.7").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, dana):
    for _ in range(5):
        attempt(client, "dana", "guess")
    assert attempt(client, "dana", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "dana", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client, dana):
    for _ in range(4):
        attempt(client, "dana", "guess")
    assert attempt(client, "dana", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "dana", "guess").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, dana):
    for number in range(5):
        attempt(client, "dana", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert attempt(client, "dana", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_a_trusted_proxy_the_client_address_is_the_one_it_saw(client, dana, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        attempt(client, "dana", "guess", address=proxy, HTTP_X_FORWARDED_FOR="forged, 203.0.113.7")
    assert attempt(client, "dana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Someone else behind the same proxy is not affected.
    assert attempt(Client(), "dana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, db):
    make_user(username="boss", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "boss", "password": "guess"}, REMOTE_ADDR="203.0.113.7")
    response = client.post(url, {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429


def test_without_redis_the_admin_offers_no_rq_pages_and_every_link_it_offers_answers(client, db):
    boss = make_user(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Django-RQ" not in page and "/admin/django_rq/" not in page
    for link in sorted(set(re.findall(r'href="(/admin/[^"#?]+)"', page))):
        if "logout" not in link:
            assert client.get(link).status_code == 200, link


# Content-Security-Policy ---------------------------------------------------------


def policy(response):
    return dict(
        (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )


@pytest.mark.django_db
def test_html_pages_carry_a_policy_without_inline_scripts(client):
    for url in (reverse("login"), reverse("password_reset"), reverse("public_designees"), "/no-such-page/"):
        response = client.get(url)
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"], url


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    served = [
        path
        for path in (ROOT / "templates").rglob("*.html")
        if "reports/pdf" not in path.as_posix()  # rendered by WeasyPrint, never served as a page
    ]
    offenders = []
    for path in served:
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"<style\b|\sstyle=", text):
            offenders.append(f"{path}: inline style")
        if re.search(r"\son[a-z]+=", text) or "javascript:" in text:
            offenders.append(f"{path}: inline event handler")
    assert offenders == []


def test_no_template_comment_spans_lines():
    # Django's {# #} ends at the line's end: a comment over several lines is printed on the page as text.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*")
        if path.suffix in (".html", ".txt", ".svg")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert offenders == []


# Health check ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_health_check_answers_without_a_login_or_a_session(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    # No task worker runs in the tests: reported, without failing the check (tests/test_worker_recovery.py).
    assert response.json() == {"status": "ok", "database": "ok", "media": "ok", "worker": "not seen", "disk": "ok"}
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_fails_when_uploads_cannot_be_written(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "database": "ok",
        "media": "failing",
        "worker": "not seen",
        "disk": "ok",
    }


@pytest.mark.django_db
def test_the_health_check_fails_when_the_database_does_not_answer(client, monkeypatch):
    def unreachable():
        raise ConnectionError("database went away")

    monkeypatch.setitem(config_views.CHECKS, "database", unreachable)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "failing"
    assert "went away" not in response.content.decode()
