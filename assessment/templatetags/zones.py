"""Moments as people read them: always with their time zone.

A cycle's dates are set and shown in the cycle's zone (``Cycle.time_zone``); an applicant also reads a
deadline in their jurisdiction's zone when its clock says something else::

    {% load zones %}
    {{ cycle.closes_at|in_zone:cycle.time_zone }}            January 15, 2027 at 23:59 EST
    {% deadline cycle.closes_at cycle.time_zone jurisdiction %}
                                 January 15, 2027 at 23:59 EST (20:59 PST in Harbor City)

The domain's messages and e-mails use the same functions (``in_zone``, ``deadline_text``).
"""

import functools
from datetime import tzinfo
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessment.models import valid_time_zones

register = template.Library()


def zone_named(zone):
    """The zone called ``zone`` (an IANA name or a tzinfo); the current zone (TIME_ZONE) if there is none."""
    if isinstance(zone, tzinfo):
        return zone
    if zone and zone in valid_time_zones():
        return ZoneInfo(zone)
    return timezone.get_current_timezone()


def abbreviation(local):
    """EST, PDT, …; zones without a letter abbreviation say it by offset (UTC+04)."""
    name = local.tzname() or ""
    return f"UTC{name}" if not name or name[0] in "+-" else name


@functools.lru_cache(maxsize=8)
def _words_of(language):
    """The formats a language writes moments with, looked up once per language (a table of 50 rows would
    otherwise ask the catalogue for them 150 times): the catalogue does not change while the process runs."""
    with translation.override(language):
        return {
            "clock": pgettext("time of day", "%(hours)s:%(minutes)s"),
            "short day": pgettext("short date, Django's date format", "M j, Y"),
            "short": pgettext("short date and time", "%(date)s %(time)s"),
            "long day": pgettext("long date, Django's date format", "F j, Y"),
            "long": pgettext("long date and time", "%(date)s at %(time)s"),
        }


def _words():
    return _words_of(translation.get_language())


def clock(local, words=None):
    """The time of day as the active language writes it: '23:59' in English, '23 h 59' in French."""
    return (words or _words())["clock"] % {"hours": f"{local:%H}", "minutes": f"{local:%M}"}


def in_zone(moment, zone=None, short=False):
    """``moment`` on the clock of ``zone``, with the zone's abbreviation: 'January 15, 2027 at 23:59 EST'
    ('15 janvier 2027 à 23 h 59 EST' in French); ``short``: 'Jan 15, 2027 23:59 EST'."""
    if moment is None or moment == "":
        return ""
    local, words = timezone.localtime(moment, zone_named(zone)), _words()
    kind = "short" if short else "long"
    day = date_format(local, words[f"{kind} day"])
    text = words[kind] % {"date": day, "time": clock(local, words)}
    return f"{text} {abbreviation(local)}"


def deadline_text(moment, zone=None, jurisdiction=None, short=False):
    """``moment`` in ``zone`` and, when the jurisdiction's clock reads otherwise, on that clock too:
    'January 15, 2027 at 23:59 EST (20:59 PST in Harbor City)'; the date is repeated only when it differs."""
    text = in_zone(moment, zone, short)
    if not text or jurisdiction is None:
        return text
    here = timezone.localtime(moment, zone_named(zone))
    there = timezone.localtime(moment, zone_named(jurisdiction.time_zone))
    if there.replace(tzinfo=None) == here.replace(tzinfo=None) and abbreviation(there) == abbreviation(here):
        return text
    if there.date() == here.date():
        there_text = f"{clock(there)} {abbreviation(there)}"
    else:
        there_text = in_zone(moment, there.tzinfo, short)
    return _("%(moment)s (%(there)s in %(place)s)") % {"moment": text, "there": there_text, "place": jurisdiction.name}


@register.filter(name="in_zone")
def in_zone_filter(moment, zone=None):
    """``{{ moment|in_zone:cycle.time_zone }}``: 'January 15, 2027 at 23:59 EST'."""
    return in_zone(moment, zone)


@register.filter(name="in_zone_short")
def in_zone_short_filter(moment, zone=None):
    """``{{ moment|in_zone_short:cycle.time_zone }}``: 'Jan 15, 2027 23:59 EST' (for tables)."""
    return in_zone(moment, zone, short=True)


@register.simple_tag(name="deadline")
def deadline_tag(moment, zone=None, jurisdiction=None, short=False):
    """``{% deadline application.deadline application.cycle.time_zone application.jurisdiction %}``."""
    return deadline_text(moment, zone, jurisdiction, short=short)
