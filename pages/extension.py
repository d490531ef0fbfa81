"""The extension form as the application page offers it: the time zones of the United States and Canada.

``ExtensionForm`` (assessment/views.py) accepts any IANA zone zoneinfo knows, and its select listed all of
them, about 600 options: half an organizer's page for a draft. The program serves U.S. and Canadian
jurisdictions, so the page offers the zones used there: the common North American zones first (the
labels the other zone selects give them), then every other zone of the United States, its territories
and Canada (the tz database's zone.tab), and, should either be elsewhere, the jurisdiction's own zone and
the cycle's. What is posted is still checked against every zone zoneinfo knows.
"""

import functools

from django.utils.translation import gettext as _

from assessment.models import COMMON_TIME_ZONES, valid_time_zones
from assessment.views import ExtensionForm

# zone.tab's zones of US, CA, PR, VI, GU, MP, AS and UM, in its order.
NORTH_AMERICAN_ZONES = (
    "America/New_York America/Detroit America/Kentucky/Louisville America/Kentucky/Monticello "
    "America/Indiana/Indianapolis America/Indiana/Vincennes America/Indiana/Winamac America/Indiana/Marengo "
    "America/Indiana/Petersburg America/Indiana/Vevay America/Chicago America/Indiana/Tell_City "
    "America/Indiana/Knox America/Menominee America/North_Dakota/Center America/North_Dakota/New_Salem "
    "America/North_Dakota/Beulah America/Denver America/Boise America/Phoenix America/Los_Angeles "
    "America/Anchorage America/Juneau America/Sitka America/Metlakatla America/Yakutat America/Nome America/Adak "
    "Pacific/Honolulu America/St_Johns America/Halifax America/Glace_Bay America/Moncton America/Goose_Bay "
    "America/Blanc-Sablon America/Toronto America/Iqaluit America/Atikokan America/Winnipeg America/Resolute "
    "America/Rankin_Inlet America/Regina America/Swift_Current America/Edmonton America/Cambridge_Bay "
    "America/Inuvik America/Creston America/Dawson_Creek America/Fort_Nelson America/Whitehorse America/Dawson "
    "America/Vancouver America/Puerto_Rico America/St_Thomas Pacific/Guam Pacific/Saipan Pacific/Pago_Pago "
    "Pacific/Midway Pacific/Wake"
).split()


@functools.cache  # fixed for the process: the zones zoneinfo knows do not change while it runs
def _north_american_zones():
    """(the common zones with their (lazy) labels, the other North American zones' names)."""
    known = valid_time_zones()
    common = tuple((name, label) for name, label in COMMON_TIME_ZONES if name in known)
    taken = {name for name, _label in common}
    return common, tuple(name for name in sorted(set(NORTH_AMERICAN_ZONES) - taken) if name in known)


def _north_america():
    """The groups of zones offered to every application, in the reader's language:
    (("North America", ...), ("Other ...", ...))."""
    common, others = _north_american_zones()
    return (
        (_("North America"), tuple((name, f"{label} — {name}") for name, label in common)),
        (_("Other U.S. and Canadian time zones"), tuple((name, name) for name in others)),
    )


def offered_zones(*own):
    """The zone select's choices: North America's zones, and the zones in ``own`` wherever they are."""
    groups = _north_america()
    listed = {name for _group, zones in groups for name, _label in zones}
    elsewhere = [(name, name) for name in dict.fromkeys(own) if name and name not in listed]
    return ([(_("This application's time zones"), elsewhere)] if elsewhere else []) + [
        (group, list(zones)) for group, zones in groups
    ]


def extension_form(application, data=None):
    """``ExtensionForm`` for a draft (bound to ``data`` when posted), its zone chosen from ``offered_zones``."""
    form = ExtensionForm(data, application=application)
    form.fields["zone"].choices = offered_zones(application.jurisdiction.time_zone, application.cycle.time_zone)
    return form
