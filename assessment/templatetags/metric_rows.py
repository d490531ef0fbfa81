"""The cells of one row of the metrics step's table, written in Python.

``{% metric_cells row forloop.counter %}`` writes, byte for byte, what this loop of
``assessment/wizard/metrics.html`` wrote for each of the row's fields::

    {% for field in row %}
    <td>
      <label class="usa-sr-only" for="{{ field.id_for_label }}">Row {{ forloop.parentloop.counter }}: {{ field.label }}</label>
      {% for error in field.errors %}<span class="usa-error-message">{{ error }}</span>{% endfor %}
      {{ field }}
    </td>
    {% endfor %}

(indented as the page is): up to 40 rows of five fields, a template loop's bookkeeping for each of them
was a third of the step's time. The widgets themselves are Django's (``{{ field }}``).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessment.widget_html import shown

register = template.Library()


@register.simple_tag
def metric_cells(row, number):
    """The ``<td>`` of each field of ``row`` (a bound form of the metrics formset), the row numbered ``number``."""
    cells = []
    row_label = _("Row %(number)s: %(label)s")
    for field in row:
        label = row_label % {"number": shown(number), "label": shown(field.label)}
        errors = "".join(f'<span class="usa-error-message">{shown(error)}</span>' for error in field.errors)
        cells.append(
            "\n      <td>\n"
            f'        <label class="usa-sr-only" for="{shown(field.id_for_label)}">{label}</label>\n'
            f"        {errors}\n"
            f"        {shown(field)}\n"
            "      </td>\n      "
        )
    return mark_safe("".join(cells))
