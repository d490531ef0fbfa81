"""Small typed readers for settings that come from the environment.

They fail loudly: a typo in a deployment variable must stop the start-up,
not silently fall back to a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def positive_ints(raw, most):
    """'14,7,2' as (14, 7, 2): whole numbers from 1 to ``most``, largest first, each once; ValueError otherwise."""
    items = [item.strip() for item in str(raw).split(",") if item.strip()]
    if not items or not all(item.isascii() and item.isdigit() and 0 < int(item) <= most for item in items):
        raise ValueError(f"expected whole numbers from 1 to {most} separated by commas, like 14,7,2, not {raw!r}")
    return tuple(sorted({int(item) for item in items}, reverse=True))


def env_positive_ints(name, default, most):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return tuple(default)
    try:
        return positive_ints(raw, most)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None
