"""The scoring engine's words: sentences as whole templates with named placeholders, numbers as people write them.

Pure Python like the engine (``scoring/engine.py``, ``scoring/rules.py``): no Django. ``WORDS`` says how to
translate a template and write a number; English as written here until ``scoring/apps.py`` gives it
Django's ``gettext``, ``ngettext`` and the active language's way of writing numbers. Marked with ``_`` and
``ngettext`` so that the translation tools find the templates.
"""


class Words:
    """How the engine's words are translated, and its numbers written, in the reader's language.

    English as written in the templates until ``scoring/apps.py`` gives Django's ``gettext``, ``ngettext``
    and a ``number`` that writes a number as the active language does ("82,5" in French; English as is)."""

    def __init__(self):
        self.gettext = lambda message: message
        self.ngettext = lambda singular, plural, n: singular if n == 1 else plural
        self.number = None  # None: numbers as English writes them


WORDS = Words()


def _(message):  # gettext: the template in the reader's language
    return WORDS.gettext(message)


def ngettext(singular, plural, n):
    return WORDS.ngettext(singular, plural, n)


def gettext_noop(message):
    """Marks words translated where they are shown (the rule kinds: ``scoring/criterion_forms.py``)."""
    return message


def fmt(value):
    """A number as people write it: 6, 82.5, 0.25 (82,5 in French)."""
    value = float(value)
    text = str(int(value)) if value == int(value) else f"{value:g}"
    return WORDS.number(text) if WORDS.number else text


def plural_count(number):
    """An int for choosing a plural: the number itself when whole, else 2 (English and French: "2.5 points")."""
    return int(number) if number == int(number) else 2


def pts(points, maximum):
    """The points part of a reason: "4 of 6 points"."""
    return ngettext("%(points)s of %(maximum)s point", "%(points)s of %(maximum)s points", plural_count(maximum)) % {
        "points": fmt(points),
        "maximum": fmt(maximum),
    }


def join_or(words):
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s or %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


# The default rubric's units after a number (its params' "unit": " hours", " %", " s"): the words among them.
gettext_noop("hours")


def unit(text):
    """A unit after a number (" hours"), its word in the reader's language when the catalogue has it; a unit
    an organizer wrote otherwise stays as written."""
    word = text.strip()
    return text.replace(word, _(word)) if word else text


def label(labels, value):
    """The words for a choice (the rubric's, possibly translated lazily), else the value itself."""
    return str(labels.get(value, value))
