import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A fresh installation in its own processes (server, worker, commands): tests/stack.py.
from tests.stack import stack  # noqa: E402, F401
