"""The answers of an application as its pages show them, written from the stored wizard data.

The page used to bind all eleven steps' forms (the metrics step a formset of up to 40 rows) and render
``assessment/answer.html`` for every field: most of an applicant's page. Showing an answer needs none of
that: each value is what the field's widget reads from the stored data (``value_from_datadict``, exactly
what a bound form's ``field.value`` is), and its words are the field's label and choice labels. So the
steps' form classes are read once per language, on first use (they are fixed: built from
``assessment/questionnaire.py``; their words are in the active language), and each answer is written here as ``answer.html`` writes it, escaped
the same way (tests/test_application_page.py compares with the bound forms and the template). The
application page and the review page show answers through it.
"""

import functools
import re
from dataclasses import dataclass

from django.forms.utils import pretty_name
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessment.forms import STEP_TITLES, STEPS
from assessment.widget_html import shown

CHOICE_KINDS = ("radioselect", "select", "checkboxselectmultiple")


@dataclass(frozen=True)
class Question:
    """One field of a step's form, as much of it as showing its answer needs."""

    name: str
    label: str  # escaped
    kind: str  # the widget's type, as ``BoundField.widget_type`` names it
    choices: tuple  # ((value, escaped label), ...)
    field: object  # the form field (its widget reads the value)


@dataclass(frozen=True)
class Section:
    step: str
    title: str
    is_formset: bool
    html: str  # the <dt>/<dd> of each answer, or the <tr> of each filled-in row (of a step of rows)


def _widget_type(field):
    # BoundField.widget_type: the widget's class name, less "Widget" or "Input".
    return re.sub(r"widget$|input$", "", field.widget.__class__.__name__.lower())


def _questions(fields):
    return tuple(
        Question(
            name,
            mark_safe(shown(pretty_name(name) if field.label is None else field.label)),
            _widget_type(field),
            tuple((value, shown(label)) for value, label in getattr(field, "choices", ())),
            field,
        )
        for name, field in fields.items()
    )


@functools.cache
def _steps_in(language):
    """{step: (its form class, its questions)} with the words of ``language`` (the active one when called);
    a formset's questions are the columns of one row."""
    return {
        step: (
            form_class,
            _questions(form_class.form.base_fields if hasattr(form_class, "form") else form_class.base_fields),
        )
        for step, form_class in STEPS
    }


def _steps():
    return _steps_in(translation.get_language())


def _not(words):
    return f'<span class="text-base">{shown(words)}</span>'


def _value(question, data, name):
    """``BoundField.value()`` of a form bound to ``data``: what the widget reads, as the field prepares it."""
    field = question.field
    return field.prepare_value(field.bound_data(field.widget.value_from_datadict(data, {}, name), None))


def _contains(value, choice):
    try:
        return choice in value
    except TypeError:  # the template's ``in`` is False where Python's raises
        return False


def answer_html(question, value):
    """``assessment/answer.html`` for a field of ``question`` whose value is ``value``."""
    kind = question.kind
    if kind in CHOICE_KINDS:
        if kind == "checkboxselectmultiple":
            words = [
                f'<span class="usa-tag margin-right-1">{label}</span>'
                for choice, label in question.choices
                if _contains(value, choice)
            ]
        else:
            words = [label for choice, label in question.choices if choice == value]
        return "".join(words) + ("" if value else _not(_("Not answered")))
    if kind == "checkbox":
        return _("Yes") if value else _not(_("Not confirmed"))
    return linebreaksbr(value) if value else _not(_("Not answered"))


def _cell(question, value):
    """A metrics row's cell: the label of the chosen metric, or the value (a dash when empty)."""
    if question.name == "kind":
        return "".join(label for choice, label in question.choices if choice == value)
    return shown(value or "—")


def _answers_html(step, questions, data):
    """What the page's loop over a bound step form wrote: a <dt> and a <dd> (``answer.html``) per field."""
    return "".join(
        f'\n    <dt class="text-bold margin-top-1">{q.label}</dt>\n'
        f'    <dd class="margin-left-0">{answer_html(q, _value(q, data, f"{step}-{q.name}"))}\n</dd>\n  '
        for q in questions
    )


def _rows_html(step, form_class, questions, data):
    """What the page's loop over a bound formset wrote: a <tr> per row with a metric chosen."""
    # As many rows as the formset would have: its management form's count, capped as the formset caps it.
    count = form_class(data=data, prefix=step).total_form_count()
    if count <= 0:
        return f'<tr><td colspan="5">{shown(_("No metrics listed."))}</td></tr>'
    chosen = next(i for i, q in enumerate(questions) if q.name == "kind")  # rows without a metric are empty
    rows = []
    for index in range(count):
        values = [_value(q, data, f"{step}-{index}-{q.name}") for q in questions]
        if values[chosen]:
            cells = "".join(f"<td>{_cell(q, value)}</td>" for q, value in zip(questions, values, strict=True))
            rows.append(f"\n    <tr>{cells}</tr>\n    ")
    return "".join(rows)


def section(step, raw):
    """The step's answers, from its stored raw data (``wizard_state["step_data"][step]``)."""
    form_class, questions = _steps()[step]
    data = MultiValueDict(raw or {})
    if hasattr(form_class, "form"):
        return Section(step, str(STEP_TITLES[step]), True, mark_safe(_rows_html(step, form_class, questions, data)))
    return Section(step, str(STEP_TITLES[step]), False, mark_safe(_answers_html(step, questions, data)))


def sections(application):
    """Every step's answers, in the questionnaire's order."""
    state = application.wizard_state.get("step_data", {})
    return [section(step, state.get(step)) for step, _form_class in STEPS]


@dataclass(frozen=True)
class Difference:
    """One answer of a step as it is saved now and as this person typed it (both as the page shows answers)."""

    label: str  # escaped
    saved: str  # html
    typed: str  # html


def _row_count(form_class, step, data):
    return max(form_class(data=data, prefix=step).total_form_count(), 0)


def differences(step, saved_raw, typed_raw):
    """The answers of ``step`` that differ between the saved data and what was typed, in the form's order."""
    form_class, questions = _steps()[step]
    saved, typed = MultiValueDict(saved_raw or {}), MultiValueDict(typed_raw or {})
    if not hasattr(form_class, "form"):
        names = [(q, f"{step}-{q.name}", q.label) for q in questions]
    else:
        rows = max(_row_count(form_class, step, saved), _row_count(form_class, step, typed))
        names = [
            (
                q,
                f"{step}-{index}-{q.name}",
                mark_safe(_("Row %(number)s: %(label)s") % {"number": index + 1, "label": q.label}),
            )
            for index in range(rows)
            for q in questions
        ]
    found = []
    for question, name, label in names:
        before, after = _value(question, saved, name), _value(question, typed, name)
        if (before or None) != (after or None):  # an empty field and a missing one are the same answer
            found.append(
                Difference(label, mark_safe(answer_html(question, before)), mark_safe(answer_html(question, after)))
            )
    return found
