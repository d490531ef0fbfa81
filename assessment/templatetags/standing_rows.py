"""The rows of the standing tables, written in Python: a standing has about forty criteria and eight categories.

``{% criteria_rows result %}`` writes what this loop of ``scoring/criteria_table.html`` wrote::

    {% for c in result.criteria %}
    <tr>
      <th scope="row">{{ c.code }} {{ c.title }}</th>
      <td>{% if c.points is None %}—{% else %}{{ c.points|points }}{% endif %} / {{ c.max|points }}</td>
      <td>{{ c.reason }}</td>
    </tr>
    {% endfor %}

and ``{% category_rows standing %}`` the loop over ``standing.categories`` of ``scoring/standing.html``
(points, what reviewers may add, what is needed, a meter), byte for byte: each value is written as
``{{ value }}`` writes it (``assessment.widget_html.shown``) and points as ``points`` writes them.
tests/test_application_page.py compares with the loops.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assessment.templatetags.points import number, plain_locale, write_points
from assessment.widget_html import shown

register = template.Library()


def _get(item, key, missing=""):
    """``c.key`` of an engine result's dict: a missing key is "" to ``{{ }}`` and None to ``{% if %}``."""
    return item.get(key, missing) if isinstance(item, dict) else getattr(item, key, missing)


def _attribute(value, plain):
    """A number in an attribute (a meter's min, max, value): written as in the text in a plain locale, and
    never localized otherwise (a browser reads "12,5" as no number)."""
    return number(value, plain) if plain else escape(localize(value, use_l10n=False))


@register.simple_tag
def criteria_rows(result):
    plain = plain_locale()
    rows = []
    for c in _get(result, "criteria") or ():
        got = _get(c, "points", None)
        rows.append(
            "\n  <tr>\n"
            f'    <th scope="row">{shown(_get(c, "code"))} {shown(_get(c, "title"))}</th>\n'
            f"    <td>{'—' if got is None else write_points(got, plain)} / {write_points(_get(c, 'max'), plain)}</td>\n"
            f"    <td>{shown(_get(c, 'reason'))}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def category_rows(standing):
    plain = plain_locale()
    # The words, once per table (their placeholders filled for each row).
    up_to = _("(+ up to %(points)s from reviewers)")
    not_yet = _("— not yet")
    of = _("%(points)s of %(most)s")
    rows = []
    for c in _get(standing, "categories") or ():
        code, name, got, most, needed = (_get(c, key) for key in ("code", "name", "points", "max", "needed"))
        pending = _get(c, "pending")
        more = f' <span class="usa-hint">{up_to % {"points": write_points(pending, plain)}}</span>' if pending else ""
        short = "" if _get(c, "share_met") else f' <span class="text-secondary-dark">{not_yet}</span>'
        name, got_text, most_text = shown(name), number(got, plain), number(most, plain)
        points_of = of % {"points": write_points(got, plain), "most": write_points(most, plain)}
        value_of = of % {"points": got_text, "most": most_text}
        most_attr, needed_attr, got_attr = (_attribute(value, plain) for value in (most, needed, got))
        rows.append(
            "\n    <tr>\n"
            f'      <th scope="row">{shown(code)} {name}</th>\n'
            f"      <td>{points_of}{more}</td>\n"
            f"      <td>{write_points(needed, plain)}{short}</td>\n"
            f'      <td><meter min="0" max="{most_attr}" low="{needed_attr}" optimum="{most_attr}" value="{got_attr}"'
            f' aria-label="{name}: {value_of}">{value_of}</meter></td>\n'
            "    </tr>\n    "
        )
    return mark_safe("".join(rows))
