"""Widgets written in Python (assessment/widget_html.py) are byte for byte what Django's widget templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.forms import STEPS, UswdsForm
from assessment.templatetags.metric_rows import metric_cells
from assessment.templatetags.uswds_choices import choice_options
from assessment.widget_html import RENDERER
from tests.factories.answers import post_data
from tests.wizard_inputs import field_names, hostile_text

TEMPLATES = DjangoTemplates()
# What includes/field.html wrote for a choice field before {% choice_options %}.
OPTION_LOOP = Template(
    """{% for option in field %}
    <div class="{% if kind == 'radioselect' %}usa-radio{% else %}usa-checkbox{% endif %}">
      {{ option.tag }}
      <label class="{% if kind == 'radioselect' %}usa-radio__label{% else %}usa-checkbox__label{% endif %}" """
    """for="{{ option.id_for_label }}">{{ option.choice_label }}</label>
    </div>
    {% endfor %}"""
)


def bound_fields(form):
    """Every bound field of a step's form, or of each row (and the management form) of a formset."""
    if hasattr(form, "forms"):
        return [field for row in [form.management_form, *form.forms, form.empty_form] for field in row]
    return list(form)


def assert_same_html(fast_form, template_form):
    fast, slow = bound_fields(fast_form), bound_fields(template_form)
    assert fast_form.renderer is RENDERER and len(fast) == len(slow) > 0
    for ours, django in zip(fast, slow, strict=True):
        assert str(ours) == str(django), ours.html_name
        assert [str(o.tag()) for o in ours] == [str(o.tag()) for o in django], ours.html_name
        assert [str(o.tag(wrap_label=True)) for o in ours] == [str(o.tag(wrap_label=True)) for o in django]
        if ours.widget_type in ("radioselect", "checkboxselectmultiple"):
            loop = OPTION_LOOP.render(Context({"field": django, "kind": django.widget_type}))
            assert choice_options(ours, ours.widget_type) == loop


def both(form_class, **kwargs):
    """The form with this project's renderer, and the same form with Django's templates."""
    if issubclass(form_class, forms.BaseFormSet):
        return form_class(**kwargs), type("Templated", (form_class,), {"renderer": TEMPLATES})(**kwargs)
    return form_class(**kwargs), form_class(renderer=TEMPLATES, **kwargs)


@pytest.mark.parametrize("step,form_class", STEPS)
def test_every_step_unbound_and_complete(step, form_class):
    assert_same_html(*both(form_class, prefix=step))
    data = {k: v for k, v in post_data(step).items() if k not in ("version", "action")}
    fast, slow = both(form_class, prefix=step, data=data)
    assert_same_html(fast, slow)


@pytest.mark.parametrize("step,form_class", STEPS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_step_with_any_input_and_its_errors(step, form_class, data):
    body = {
        name: data.draw(st.one_of(hostile_text, st.lists(hostile_text, max_size=3)), label=name)
        for name in field_names(step)
    }
    posted = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in body.items()})
    fast, slow = both(form_class, prefix=step, data=posted)
    fast.is_valid(), slow.is_valid()
    assert_same_html(fast, slow)


class Odd(UswdsForm):
    """Values and attributes the step forms do not have: groups, safe text, True/False attributes, markup in labels."""

    grouped = forms.ChoiceField(choices=[("", "—"), ("Group <1>", [("a&b", "A & B"), ("c", mark_safe("<b>C</b>"))])])
    several = forms.MultipleChoiceField(
        choices=[(1, "one"), ("2", '"two"')],
        widget=forms.CheckboxSelectMultiple(attrs={"data-x": True, "hidden": False}),
    )
    radio = forms.TypedChoiceField(
        choices=[(True, "yes"), (False, "no")], coerce=bool, widget=forms.RadioSelect, disabled=True
    )
    text = forms.CharField(
        help_text="Say <it>", widget=forms.TextInput(attrs={"placeholder": mark_safe("&amp;"), "size": 3})
    )
    notes = forms.CharField(widget=forms.Textarea, initial="  <x> ")
    empty = forms.CharField(widget=forms.Textarea, required=False)
    when = forms.DateTimeField(required=False)
    amount = forms.DecimalField(initial=1.5)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="p'w")
    hidden = forms.CharField(widget=forms.HiddenInput, initial=("a", "b"))
    agree = forms.BooleanField(initial=True)


class OwnOption(forms.RadioSelect):
    option_template_name = "django/forms/widgets/checkbox_option.html"


def test_odd_values_and_widgets_with_templates_of_their_own():
    assert_same_html(*both(Odd, prefix="odd"))
    data = {
        "odd-grouped": "a&b",
        "odd-several": ["1", "2"],
        "odd-text": "<script>",
        "odd-notes": "x\r\ny",
        "odd-when": "no",
    }
    fast, slow = both(Odd, prefix="odd", data=data)
    fast.is_valid(), slow.is_valid()
    assert_same_html(fast, slow)

    class Own(UswdsForm):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=OwnOption)
        file = forms.FileField()

    assert_same_html(*both(Own))


# What assessment/wizard/metrics.html wrote for each row before {% metric_cells %}.
CELL_LOOP = Template(
    """{% for field in row %}
      <td>
        <label class="usa-sr-only" for="{{ field.id_for_label }}">Row {{ number }}: {{ field.label }}</label>
        {% for error in field.errors %}<span class="usa-error-message">{{ error }}</span>{% endfor %}
        {{ field }}
      </td>
      {% endfor %}"""
)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_metric_cells_are_the_template_loop(data):
    names = field_names("metrics")
    body = {name: data.draw(st.lists(hostile_text, max_size=2), label=name) for name in names}
    body.update({"metrics-TOTAL_FORMS": ["3"], "metrics-INITIAL_FORMS": ["0"]})  # three rows, their errors shown
    formset = dict(STEPS)["metrics"](prefix="metrics", data=MultiValueDict(body))
    formset.is_valid()
    for number, row in enumerate(formset, start=1):
        assert metric_cells(row, number).count("<td>") == 5
        assert metric_cells(row, number) == CELL_LOOP.render(Context({"row": row, "number": number}))
