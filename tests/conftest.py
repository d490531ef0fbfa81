import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(db, settings, tmp_path):
    """An applicant of Harbor City and its draft, with uploads in a temporary folder (the evidence tests)."""
    from assessment import domain
    from tests.factories import make_cycle, make_jurisdiction, make_user

    settings.MEDIA_ROOT = tmp_path
    home = make_jurisdiction(name="Harbor City")
    applicant = make_user(jurisdiction=home)
    application = domain.start_application(home, make_cycle(), applicant)
    return applicant, application, tmp_path


# A fresh installation in its own processes (server, worker, commands): tests/stack.py.
from tests.stack import stack  # noqa: E402, F401
