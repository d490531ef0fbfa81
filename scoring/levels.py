"""A level's name as a person reads it.

Scores and decisions store a level by its English name (``Level.name_en``), whatever the language of the
person who scored or decided: it is the level's key, compared and counted across languages. A page, a
report or an e-mail shows it in the reader's language with ``label``: the French name an organizer gave the
level (``Level.name_fr``; the default rubric ships them), else the catalogue's word for "Designated" (a
decision without a level), else the English name.

The French names are read once a minute at most in each process (one query, only for readers of another
language than English), so a renamed level shows within a minute everywhere.
"""

import threading
import time

from django.utils import translation
from django.utils.translation import gettext_lazy

from scoring.models import STORED_LANGUAGE, Level

PLAIN = "Designated"  # what a designation without a named level says
PLAIN_WORDS = gettext_lazy("Designated")
FRESH_FOR = 60  # seconds

_lock = threading.Lock()
_words = {"read_at": float("-inf"), "names": {}}


def _names():
    with _lock:
        if time.monotonic() - _words["read_at"] < FRESH_FOR:
            return _words["names"]
    names = {}
    for english, french in Level.objects.exclude(name_fr=None).exclude(name_fr="").values_list("name_en", "name_fr"):
        names.setdefault(english, {"fr": french})
    with _lock:
        _words.update(read_at=time.monotonic(), names=names)
    return names


def forget():
    """Read the names again on next use (a level was renamed here; tests)."""
    with _lock:
        _words["read_at"] = float("-inf")


def forget_on_change(sender, **kwargs):
    forget()


def label(name):
    """The level ``name`` (its English name, as stored) in the active language."""
    if not name:
        return name
    language = translation.get_language() or STORED_LANGUAGE
    if language == STORED_LANGUAGE:
        return name
    found = _names().get(name, {}).get(language)
    if found:
        return found
    return str(PLAIN_WORDS) if name == PLAIN else name
