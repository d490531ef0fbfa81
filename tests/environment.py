"""Loaded by pytest before Django (``-p tests.environment`` in pyproject.toml).

Tests run the settings of local use: a throwaway key, cookies without the
Secure flag (the live server in browser tests speaks plain http).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 60)
# A developer's REDIS_URL would move every test's tasks to Redis; tests/test_tasks_rq.py reads TEST_REDIS_URL.
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Playwright's sync API runs an event loop in the test thread; the test's own
# database calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
