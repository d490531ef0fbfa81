"""A choice field's options as U.S. Web Design System radio buttons or check boxes, written in Python.

``{% choice_options field kind %}`` writes what this loop in ``includes/field.html`` wrote::

    {% for option in field %}
    <div class="usa-radio">
      {{ option.tag }}
      <label class="usa-radio__label" for="{{ option.id_for_label }}">{{ option.choice_label }}</label>
    </div>
    {% endfor %}

(``usa-checkbox`` for check boxes), byte for byte, each ``<input>`` written by ``assessment.widget_html``
as Django's option templates write it: every attribute Django gives an option (id, name, value, class,
required, checked, disabled, aria-invalid...) in the same order, escaped the same way. An option whose
widget has a template of its own is rendered by that template.
"""

from django import template
from django.utils.safestring import mark_safe

from assessment.widget_html import OPTION_TEMPLATES, input_html, shown

register = template.Library()


@register.simple_tag
def choice_options(field, kind):
    """Every option of ``field`` (a bound RadioSelect or CheckboxSelectMultiple field), in a USWDS wrapper."""
    box = "usa-radio" if kind == "radioselect" else "usa-checkbox"
    html = []
    for option in field.subwidgets:
        data = option.data
        # option.tag() is the option's template without the label around it: input.html.
        tag = input_html(data) if data.get("template_name") in OPTION_TEMPLATES else option.tag()
        html.append(
            f'\n    <div class="{box}">\n      {tag}\n'
            f'      <label class="{box}__label" for="{shown(option.id_for_label)}">{shown(option.choice_label)}</label>\n'
            "    </div>\n    "
        )
    return mark_safe("".join(html))
