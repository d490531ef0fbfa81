from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# The product's own name, in the catalogue; a SITE_NAME set otherwise is shown as written.
gettext_noop("Citizen-Engaged Community Designation")


def site(request):
    return {"SITE_NAME": gettext(settings.SITE_NAME), "DEMO": settings.DEMO}
