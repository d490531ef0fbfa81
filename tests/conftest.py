"""Fixtures shared by the whole suite (factories are plain functions in tests/factories/)."""

import pytest

from assessment import domain
from tests.factories import make_cycle, make_jurisdiction, make_user
from tests.factories.reviews import assigned_panel

# A fresh installation in its own processes (server, worker, commands): tests/stack.py.
from tests.stack import stack  # noqa: F401


def pytest_collection_modifyitems(items):
    """A test on a ``stack`` starts processes of its own: marked ``process``, left out of ``make check``."""
    for item in items:
        if "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.process)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(db, settings, tmp_path):
    """An applicant of Harbor City and its draft, with uploads in a temporary folder (the evidence tests)."""
    settings.MEDIA_ROOT = tmp_path
    home = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=home)
    application = domain.start_application(home, make_cycle(), applicant)
    return applicant, application, tmp_path


@pytest.fixture
def panel(db):
    """Harbor City's submitted application with two reviewers assigned (``assigned_panel()``)."""
    return assigned_panel()
