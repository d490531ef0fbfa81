"""What one step's stored answers amount to: its valid answers and its problems, worked out once per content.

Every save scores the application from the valid answers of all eleven steps, and the review step lists
the problems of all eleven; binding and validating eleven forms (the metrics step a formset of up to 40
rows) on every click was a third of a save. A step's answers and problems depend on nothing but the
step's stored data (the steps' forms are fixed when the process starts: built from the questionnaire,
no database, clock or settings in their validation) and, for the wording of messages, the language.
So each process keeps the result of checking a step, keyed by a digest of exactly that (step, language,
data); a save re-checks only the step whose data changed, and nothing about the answers changes
(tests/test_step_checks.py compares with binding every form anew). Results are kept as JSON and read
back fresh each time, so no caller can change what the next one gets.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from assessment.forms import STEP_TITLES, STEPS

FORMS = dict(STEPS)
# At most this many characters of results are kept per process (least recently used go first); a complete
# application's results are about 4,000.
KEPT_CHARS = 8_000_000


def bind_step(step, raw):
    """The step's form (or formset) bound to stored raw data."""
    return FORMS[step](data=MultiValueDict(raw or {}), prefix=step)


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _text(value):
    return str(value) if isinstance(value, Promise) else value


def _problem(step, field, message):
    return {"step": step, "step_title": _text(STEP_TITLES[step]), "field": _text(field), "message": _text(message)}


def _answers(form):
    """The valid answers of a bound step, as ``answers[step]``: a formset one dict per filled-in row."""
    if hasattr(form, "forms"):
        rows = []
        for row in form.forms:
            cleaned = getattr(row, "cleaned_data", {}) or {}
            if cleaned.get("kind") and not (form.can_delete and cleaned.get("DELETE")):
                rows.append({k: _jsonable(v) for k, v in cleaned.items() if v not in ("", None)})
        return rows
    return {k: _jsonable(v) for k, v in form.cleaned_data.items() if v not in ("", None, [])}


def _problems(step, form):
    """Every invalid or missing answer of a bound, validated step."""
    problems = []
    if hasattr(form, "forms"):
        for message in form.non_form_errors():
            problems.append(_problem(step, "", message))
        for index, row in enumerate(form.forms, start=1):
            for name, errors in row.errors.items():
                label = row.fields[name].label if name in row.fields else ""
                field = _("Row %(number)s: %(label)s") % {"number": index, "label": label}
                problems.extend(_problem(step, field, message) for message in errors)
        return problems
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.extend(_problem(step, label, message) for message in errors)
    return problems


def check_step(step, raw):
    """(answers, problems) of one step's stored data, by binding and validating its form."""
    form = bind_step(step, raw)
    valid = form.is_valid()
    return _answers(form), [] if valid else _problems(step, form)


class _Kept:
    """A least-recently-used map of digest → JSON text, at most ``limit`` characters of text in all."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            text = self.items.get(key)
            if text is not None:
                self.items.move_to_end(key)
            return text

    def put(self, key, text):
        with self.lock:
            if key in self.items or len(text) > self.limit:
                return
            self.items[key] = text
            self.size += len(text)
            while self.size > self.limit:
                _key, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0


_kept = _Kept(KEPT_CHARS)


def checked_step(step, raw):
    """``check_step``'s (answers, problems), from the process's results when this data was checked before."""
    try:
        data = json.dumps([step, translation.get_language(), raw or {}], sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):  # not stored data (a value JSON cannot hold): nothing to key it by
        return check_step(step, raw)
    key = hashlib.blake2b(data.encode(), digest_size=20).digest()
    text = _kept.get(key)
    if text is None:
        result = check_step(step, raw)
        try:
            text = json.dumps(result, separators=(",", ":"))
        except (TypeError, ValueError):  # an answer JSON cannot hold: give it as it is, keep nothing
            return result
        _kept.put(key, text)
    answers, problems = json.loads(text)
    return answers, problems


def forget():
    """Drop every kept result (for tests that change the steps' forms)."""
    _kept.clear()
