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
from django.utils.safestring import mark_safe

from assessment.templatetags.points import number, plain_locale, write_points
from assessment.widget_html import shown

register = template.Library()


def _get(item, key, missing=""):
    """``c.key`` of an engine result's dict: a missing key is "" to ``{{ }}`` and None to ``{% if %}``."""
    return item.get(key, missing) if isinstance(item, dict) else getattr(item, key, missing)


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
    rows = []
    for c in _get(standing, "categories") or ():
        code, name, got, most, needed = (_get(c, key) for key in ("code", "name", "points", "max", "needed"))
        pending = _get(c, "pending")
        more = (
            f' <span class="usa-hint">(+ up to {write_points(pending, plain)} from reviewers)</span>' if pending else ""
        )
        short = "" if _get(c, "share_met") else ' <span class="text-secondary-dark">— not yet</span>'
        name, got_text, most_text = shown(name), number(got, plain), number(most, plain)
        rows.append(
            "\n    <tr>\n"
            f'      <th scope="row">{shown(code)} {name}</th>\n'
            f"      <td>{write_points(got, plain)} of {write_points(most, plain)}{more}</td>\n"
            f"      <td>{write_points(needed, plain)}{short}</td>\n"
            f'      <td><meter min="0" max="{most_text}" low="{number(needed, plain)}" optimum="{most_text}" value="{got_text}"'
            f' aria-label="{name}: {got_text} of {most_text}">{got_text} of {most_text}</meter></td>\n'
            "    </tr>\n    "
        )
    return mark_safe("".join(rows))
