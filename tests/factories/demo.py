"""The demo, loaded by ``manage.py load_demo``, for tests/test_demo.py and tests/test_demo_panel.py."""

from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from assessment import demo_data
from assessment.models import Application

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args):
    """Run ``load_demo`` with these arguments; what it printed."""
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def loaded_then_rolled_back(django_db_blocker):
    """For a class-scoped fixture: one load for a whole class of tests, rolled back after them (a load
    takes a few seconds). Yields what ``load_demo`` printed::

        @pytest.fixture(scope="class")
        def loaded_once(django_db_setup, django_db_blocker):
            yield from loaded_then_rolled_back(django_db_blocker)
    """
    with django_db_blocker.unblock(), override_settings(DEMO=True, PASSWORD_HASHERS=FAST_HASHERS):
        with transaction.atomic():
            yield load()
            transaction.set_rollback(True)


def application_of(name, cycle=demo_data.OPEN_CYCLE):
    return Application.objects.select_related("cycle", "jurisdiction").get(jurisdiction__name=name, cycle__name=cycle)
