"""Passwords are stored with Argon2id at OWASP's minimum cost, and older hashes are upgraded at sign-in."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from config import settings as product_settings
from tests.factories import PASSWORD, make_jurisdiction, make_user, sign_in


@pytest.fixture
def real_hashers(settings):
    # The suite hashes with MD5 for speed (tests/conftest.py); these tests need the list the product sets.
    settings.PASSWORD_HASHERS = product_settings.PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id_at_owasp_minimum(real_hashers, db):
    user = make_user(jurisdiction=make_jurisdiction())
    user.set_password("a long enough passphrase")
    algorithm, variant, version, params, *_ = user.password.split("$")
    assert (algorithm, variant) == ("argon2", "argon2id")
    assert params == "m=19456,t=2,p=1"
    assert user.check_password("a long enough passphrase")
    assert not user.check_password("a wrong passphrase")


def test_an_older_pbkdf2_hash_still_signs_in_and_is_rehashed_with_argon2id(real_hashers, client, db):
    user = make_user(jurisdiction=make_jurisdiction())
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert sign_in(client, user.username, PASSWORD)
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
