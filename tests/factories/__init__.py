"""Small factories for tests: plain functions with sensible defaults.

People, places, cycles and clients here; submitted applications in ``applications.py``, reviews in
``reviews.py``, decisions in ``decisions.py``, answers in ``answers.py``.
"""

import io
import itertools
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from assessment.models import Application, Cycle, Jurisdiction, User

_seq = itertools.count(1)

PASSWORD = "a-long-test-password-1"


def make_jurisdiction(name=None, kind=Jurisdiction.Kind.CITY, state="VA", population=120_000, county=None, **kw):
    return Jurisdiction.objects.create(
        name=name or f"Testville {next(_seq)}", kind=kind, state=state, population=population, county=county, **kw
    )


def make_user(role=User.Role.APPLICANT, jurisdiction=None, username=None, **kw):
    username = username or f"{role}{next(_seq)}"
    kw.setdefault("email", f"{username}@example.gov")
    user = User(username=username, role=role, jurisdiction=jurisdiction, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_organizer(**kw):
    return make_user(role=User.Role.ORGANIZER, **kw)


def make_reviewer(**kw):
    return make_user(role=User.Role.REVIEWER, **kw)


def make_cycle(name=None, open=True, closes_in=timedelta(days=30), **kw):
    now = timezone.now()
    return Cycle.objects.create(
        name=name or f"Cycle {next(_seq)}",
        opens_at=now - timedelta(days=10),
        closes_at=now + closes_in,
        status=Cycle.Status.OPEN if open else Cycle.Status.UPCOMING,
        valid_from=kw.pop("valid_from", date(now.year + 1, 1, 1)),
        **kw,
    )


def close_cycle(cycle):
    """The cycle's deadline has passed: its decisions may be published."""
    cycle.closes_at = timezone.now() - timedelta(minutes=1)
    cycle.save(update_fields=["closes_at"])


def make_application(jurisdiction=None, cycle=None, **kw):
    return Application.objects.create(
        jurisdiction=jurisdiction or make_jurisdiction(), cycle=cycle or make_cycle(), **kw
    )


def pdf_bytes(pages=1, password=None):
    """A real, blank PDF of ``pages`` pages (encrypted with ``password`` if given)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_in(client, username, password):
    """Sign in through the real sign-in page (as a person does, past the login throttle); True when it worked."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def as_user(user):
    """A test client signed in as ``user`` (without the sign-in page)."""
    client = Client()
    client.force_login(user)
    return client
