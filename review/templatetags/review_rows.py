"""Parts of the review pages written in Python: the anchors of a judged criterion as radio buttons that
carry their points (review/review_edit.html), and the rows of the panel's table of scores
(review/panel_application.html), byte for byte what its template loop wrote (tests/test_review_rows.py).

Each value is written as ``{{ value }}`` writes it (``assessment.widget_html.shown``).
"""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

from assessment.templatetags.points import LARGEST, plain_locale
from assessment.widget_html import input_html, shown

register = template.Library()


def hundredths(value, plain):
    """``floatformat:"-2"``: a whole number (most points) is written directly in a plain locale."""
    kind = type(value)
    if plain and kind is int:
        return str(value)
    if plain and kind is float and -LARGEST < value < LARGEST and value.is_integer():
        return str(int(value))
    if plain and kind is Decimal and value.is_finite() and abs(value) < LARGEST and value == value.to_integral_value():
        return str(int(value))
    return floatformat(value, "-2")


@register.simple_tag
def anchor_options(field):
    """The radio buttons of a judged criterion (``includes/field.html``'s options, USWDS tiles), each
    carrying its points in ``data-points`` for static/js/review_total.js."""
    html = []
    for option in field.subwidgets:
        data = dict(option.data, attrs={**option.data["attrs"], "data-points": option.data["value"]})
        data["attrs"]["class"] = f"{data['attrs'].get('class', 'usa-radio__input')} usa-radio__input--tile"
        html.append(
            '\n    <div class="usa-radio">\n'
            f"      {input_html(data)}\n"
            f'      <label class="usa-radio__label" for="{shown(option.id_for_label)}">{shown(option.choice_label)}</label>\n'
            "    </div>"
        )
    return mark_safe("".join(html))


@register.simple_tag
def score_rows(result, panel, combined):
    """The rows of the panel's table of scores (``review/panel_application.html``): per criterion of
    ``result`` (the combined result in words), its rule points, each counted review's points and the
    combined points. Writes what this loop wrote, byte for byte, in one pass instead of a search of
    every criterion's rule points and every review's points per cell::

        {% for c in result.criteria %}
        <tr>
          <th scope="row">{{ c.code }} {{ c.title }}</th>
          <td>{% for code, points in panel.rule.criteria.items %}{% if code == c.code %}{% if points is None %}—{% else %}{{ points|floatformat:"-2" }}{% endif %}{% endif %}{% endfor %}</td>
          {% for r in panel.reviews %}<td>{% for code, values in combined.per_criterion.items %}{% if code == c.code %}{% for rid, v in values.items %}{% if rid == r.assignment.reviewer_id %}{{ v|floatformat:"-2" }}{% endif %}{% endfor %}{% endif %}{% endfor %}</td>{% endfor %}
          <td>{% if c.points is None %}—{% else %}{{ c.points|floatformat:"-2" }}{% endif %}</td>
        </tr>
        {% endfor %}
    """
    plain = plain_locale()
    rule = panel["rule"]["criteria"]
    reviewer_ids = [r.assignment.reviewer_id for r in panel["reviews"]]
    rows = []
    for c in result["criteria"]:
        code = c["code"]
        if code not in rule:
            rule_cell = ""
        else:
            rule_cell = "—" if rule[code] is None else hundredths(rule[code], plain)
        values = combined.per_criterion.get(code, {})
        cells = "".join(f"<td>{hundredths(values[rid], plain) if rid in values else ''}</td>" for rid in reviewer_ids)
        rows.append(
            "\n  <tr>\n"
            f'    <th scope="row">{shown(code)} {shown(c["title"])}</th>\n'
            f"    <td>{rule_cell}</td>\n"
            f"    {cells}\n"
            f"    <td>{'—' if c['points'] is None else hundredths(c['points'], plain)}</td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(rows))
