"""The panel page's charts as SVG, built on the server from the cached figures (``review.summary.CycleSummary``).

No script and no style attribute (the pages' CSP forbids both): shapes carry SVG presentation attributes, sizes
come from static/css/site.css. Each chart is an image with a title and a description for screen readers
(``role="img"``); the page shows the same numbers as a table beside it. Every text is escaped (``format_html``).
"""

from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 360  # the viewBox's width, about a phone's: the CSS scales it to the column (13 px text there)
LEFT, RIGHT = 14, WIDTH - 14
INK, MUTED, GRID = "#1b1b1b", "#565c65", "#dfe1e2"
BOX, LENIENT, HARSH = "#1a4480", "#005ea2", "#d54309"
MAX_DOTS = 400  # beyond this many totals the dots are a cloud: the boxes say it better alone


def number(value):
    """As the page's tables write it (``floatformat:"-2"``), in the active language: 75, 75.50, -3.25 (75,50)."""
    value = round(float(value), 2)
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}".replace(".", get_format("DECIMAL_SEPARATOR"))


def _step(span, most=6):
    """A round step for ticks, at most ``most`` intervals over ``span``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if span / step <= most:
            return step
    return span


def _svg(name, height, title, desc, body):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="panel-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" font-family="Source Sans Pro Web, Helvetica, Arial, sans-serif">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        name,
        name,
        name,
        title,
        name,
        desc,
        body,
    )


def _text(x, y, text, anchor="start", size=13, fill=INK):
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}" fill="{}">{}</text>',
        round(x, 1),
        round(y, 1),
        anchor,
        size,
        fill,
        text,
    )


def _line(x1, y1, x2, y2, stroke=INK, width=1, dash=None):
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
        round(x1, 1),
        round(y1, 1),
        round(x2, 1),
        round(y2, 1),
        stroke,
        width,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _join(parts):
    return mark_safe("".join(parts))  # each part was built by format_html, its texts escaped


ROW = 54  # a band: its label, then its box


def _scale(bands, max_total, threshold):
    """The axis: from a round number below the lowest total (and the threshold) to the rubric's points, so that
    boxes of totals close together stay readable; with its tick step."""
    top = float(max_total or 1)
    lowest = min([t for b in bands for t in b["totals"]] + [float(threshold) if threshold is not None else 0.0])
    start = max(0.0, (int(lowest) // 10) * 10 - 10) if lowest < top else 0.0
    return start, top, _step(top - start)


def band_chart(bands, max_total, threshold=None):
    """Per population band (``CycleSummary.bands``), a box plot of the combined totals: a whisker from the lowest
    to the highest, a box over the middle half, a thick line at the median, and a dot for every total (while
    the cycle has few). ``max_total``: the rubric's points; ``threshold``: a dashed line where designation
    starts. The axis starts at a round number below the lowest total (``_scale``)."""
    start, end, step = _scale(bands, max_total, threshold)
    scale = (RIGHT - LEFT) / (end - start or 1)

    def x(value):
        return LEFT + scale * (float(value) - start)

    top, parts = 4, []
    bottom = top + ROW * len(bands)
    ticks = [start + i * step for i in range(int((end - start) / step + 1e-9) + 1)]
    for index in range(len(bands)):  # the grid runs behind the boxes only, never through a band's label
        y0 = top + index * ROW + 22
        parts.extend(_line(x(tick), y0, x(tick), y0 + ROW - 22, GRID) for tick in ticks)
        if threshold is not None:
            parts.append(_line(x(threshold), y0, x(threshold), y0 + ROW - 22, MUTED, 1.5, "4 3"))
    parts.extend(_text(x(tick), bottom + 14, number(tick), "middle", 12, MUTED) for tick in ticks)
    few = sum(len(b["totals"]) for b in bands) <= MAX_DOTS
    for index, band in enumerate(bands):
        y0 = top + index * ROW
        centre = y0 + 38
        if band["five"] is None:
            parts.append(_text(LEFT, y0 + 16, _("%(band)s: no fully scored application yet") % {"band": band["band"]}))
            continue
        low, q1, mid, q3, high = band["five"]
        n = len(band["totals"])
        # The translation's {band}, {count} and {median} are filled in by format_html, which escapes them.
        label = format_html(
            ngettext(
                "{band}: {count} application, median {median}", "{band}: {count} applications, median {median}", n
            ),
            band=format_html('<tspan font-weight="bold">{}</tspan>', band["band"]),
            count=n,
            median=number(mid),
        )
        parts.append(_text(LEFT, y0 + 16, label))
        parts.append(_line(x(low), centre, x(high), centre, BOX, 1.5))
        parts.append(_line(x(low), centre - 6, x(low), centre + 6, BOX, 1.5))
        parts.append(_line(x(high), centre - 6, x(high), centre + 6, BOX, 1.5))
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="#d9e8f6" fill-opacity="0.7" stroke="{}"/>',
                round(x(q1), 1),
                centre - 9,
                round(max(x(q3) - x(q1), 1), 1),
                BOX,
            )
        )
        if few:
            parts.extend(
                format_html(
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}" fill-opacity="0.55"/>',
                    round(x(total), 1),
                    centre + (i * 7919) % 13 - 6,  # a fixed jitter, so dots of equal totals stay apart
                    BOX,
                )
                for i, total in enumerate(band["totals"])
            )
        parts.append(_line(x(mid), centre - 10, x(mid), centre + 10, INK, 3))
    if threshold:
        axis = _("Combined total, points (dashed: threshold %(threshold)s)") % {"threshold": number(threshold)}
    else:
        axis = _("Combined total, points")
    parts.append(_text(WIDTH / 2, bottom + 32, axis, "middle", 12, MUTED))
    counted = sum(len(b["totals"]) for b in bands)
    desc = ngettext(
        "Box plots of the combined totals of %(count)s fully scored application by population band, on an axis "
        "from %(start)s to %(end)s points. %(bands)s.",
        "Box plots of the combined totals of %(count)s fully scored applications by population band, on an axis "
        "from %(start)s to %(end)s points. %(bands)s.",
        counted,
    ) % {
        "count": counted,
        "start": number(start),
        "end": number(end),
        "bands": "; ".join(_band_in_words(b) for b in bands),
    }
    return _svg("chart-bands", bottom + 42, _("Combined totals by population band"), desc, _join(parts))


def _band_in_words(band):
    """One band of the box plots, for its description: 'Under 10,000: 4, lowest 50, median 62, highest 80'."""
    if band["five"] is None:
        return _("%(band)s: none") % {"band": band["band"]}
    return _("%(band)s: %(count)s, lowest %(lowest)s, median %(median)s, highest %(highest)s") % {
        "band": band["band"],
        "count": len(band["totals"]),
        "lowest": number(band["five"][0]),
        "median": number(band["five"][2]),
        "highest": number(band["five"][4]),
    }


BAR_ROW = 38  # a reviewer: their name, then their bar


def leniency_chart(rows):
    """Reviewers' leniency as bars from 0: to the right, more lenient than their co-reviewers; to the left, harsher.
    ``rows``: [(reviewer's name, leniency in points)], in the order to draw them."""
    centre, half = WIDTH / 2, (RIGHT - LEFT) / 2 - 40  # room at each end for the value
    reach = _step(max([abs(v) for _name, v in rows] + [1]), 1)  # a round number of points at each end
    top = 24
    bottom = top + BAR_ROW * len(rows)
    parts = [
        _text(LEFT, 14, _("← harsher"), fill=MUTED),
        _text(RIGHT, 14, _("more lenient →"), "end", fill=MUTED),
        _line(centre, top, centre, bottom, INK, 1.5),
    ]
    for index, (name, value) in enumerate(rows):
        y0 = top + index * BAR_ROW
        end = centre + half * float(value) / reach
        parts.append(_text(LEFT, y0 + 14, name))
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>',
                round(min(centre, end), 1),
                y0 + 20,
                round(max(abs(end - centre), 1), 1),
                LENIENT if value >= 0 else HARSH,
            )
        )
        signed = ("+" if value > 0 else "") + number(value)
        parts.append(_text(end + (4 if value >= 0 else -4), y0 + 32, signed, "start" if value >= 0 else "end", 12))
    for value in (-reach, 0, reach):
        parts.append(_text(centre + half * value / reach, bottom + 16, number(value), "middle", 12, MUTED))
    parts.append(
        _text(WIDTH / 2, bottom + 34, _("Points above or below co-reviewers, on average"), "middle", 12, MUTED)
    )
    listed = "; ".join(f"{name}: {('+' if v > 0 else '') + number(v)}" for name, v in rows) or _("none yet")
    # The sentence is ours (written as it is, like format_html's format); the names in it are escaped.
    desc = mark_safe(
        _("Each reviewer's mean difference from their co-reviewers' totals: %(list)s.")
        % {"list": conditional_escape(listed)}
    )
    return _svg("chart-leniency", bottom + 44, _("Reviewers' leniency"), desc, _join(parts))


def band_table_rows(bands):
    """The band chart's numbers, for its table: (band, how many, lowest, lower quartile, median, upper, highest)."""
    return [(b["band"], len(b["totals"]), *(b["five"] or (None,) * 5)) for b in bands]
