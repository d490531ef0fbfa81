"""Points as people read them: ``{{ value|points }}`` writes what ``{{ value|floatformat:"-1" }}`` writes.

Rules give whole points or halves, and a page of standing shows a hundred of them; Django's
``floatformat`` goes through ``Decimal`` and the locale's number format for each (a tenth of a
millisecond). A whole number or a half needs neither: it is written directly when the locale writes
numbers as English does (a point before the decimals, no thousands separator). Everything else
(other fractions, ``Decimal``, text, very large numbers, other locales) goes to ``floatformat`` itself.
``number`` is the same for ``{{ value }}`` of an int or a float. tests/test_application_page.py compares them.
"""

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

from assessment.widget_html import shown

register = template.Library()

LARGEST = 2**53  # beyond, a float's repr (which floatformat reads) is no longer its exact integer


def plain_locale():
    """Does the active language write numbers as Python does (a point, no thousands separator)?"""
    return not settings.USE_THOUSAND_SEPARATOR and get_format("DECIMAL_SEPARATOR") == "."


def write_points(value, plain):
    """``floatformat:"-1"`` of ``value``; ``plain``: ``plain_locale()``, asked once by the caller."""
    kind = type(value)
    if plain and kind is int:
        return mark_safe(str(value))
    if plain and kind is float and -LARGEST < value < LARGEST and (value * 2).is_integer():
        return mark_safe(f"{int(value)}" if value.is_integer() else f"{value:.1f}")
    return floatformat(value, "-1")


def number(value, plain):
    """``{{ value }}``: an int or a float in a plain locale is its ``str`` (unless in exponent notation)."""
    if plain and type(value) in (int, float):
        text = str(value)
        if "e" not in text:
            return text
    return shown(value)


@register.filter(is_safe=True)
def points(value):
    """``floatformat:"-1"``: an integer without decimals, anything else with one."""
    return write_points(value, plain_locale())
