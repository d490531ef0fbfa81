from django.contrib import admin
from django.urls import include, path

from config.language import switch_language
from config.views import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("language/<str:code>/", switch_language, name="switch_language"),
    path("", include("pages.urls")),
    path("", include("assessment.urls")),
    path("", include("review.urls")),
    path("", include("reports.urls")),
]
