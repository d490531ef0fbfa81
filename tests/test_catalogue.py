"""The French catalogue is complete: every message has a translation, none is fuzzy, none loses a placeholder,
and no string marked in the code is missing from it.

The last check runs Django's makemessages on a copy of the sources (never on the repository: it would rewrite
locale/) and compares what it finds with the committed catalogue. It needs GNU gettext (xgettext), which
`make test` installs with the other Debian packages.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = ["assessment", "scoring", "review", "reports", "pages", "config", "templates"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|(?<!\{)\{(\w*)\}(?!\})")


def entries():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def placeholders(text):
    return {name for pair in PLACEHOLDER.findall(text) for name in pair if name}


def test_every_message_has_a_french_translation_that_is_not_fuzzy():
    untranslated = [entry.msgid for entry in entries() if not entry.translated()]
    fuzzy = [entry.msgid for entry in entries() if "fuzzy" in entry.flags]
    assert not untranslated, f"{len(untranslated)} messages have no French, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} messages are marked fuzzy, e.g. {fuzzy[:5]}"
    assert len(entries()) > 500  # the whole product, not a sample


def test_no_translation_loses_or_invents_a_placeholder():
    wrong = []
    for entry in entries():
        if entry.msgid_plural:
            allowed = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            for form, text in entry.msgstr_plural.items():
                found = placeholders(text)
                # The singular may say "une" for the count; the plural keeps every placeholder.
                if not found <= allowed or (int(form) > 0 and found != placeholders(entry.msgid_plural)):
                    wrong.append((entry.msgid, text))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, f"placeholders differ: {wrong[:5]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is installed by `make test`")
def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch):
    root = Path(settings.BASE_DIR)
    for name in SOURCES:
        shutil.copytree(
            root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations", "tests")
        )
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["fr"], extensions=["html", "txt", "py", "svg"], verbosity=0, no_wrap=True)
    found = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert len(found) > 500, "makemessages found too little: is the copy of the sources complete?"
    known = {(entry.msgctxt, entry.msgid) for entry in entries()}
    missing = [entry.msgid for entry in found if (entry.msgctxt, entry.msgid) not in known]
    assert not missing, f"{len(missing)} strings marked in the code are not in locale/: {missing[:5]}"
