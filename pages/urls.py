from django.urls import include, path

from pages import application, application_forms, home

urlpatterns = [
    path("", home.home, name="home"),
    path("applications/<uuid:pk>/", application.application_detail, name="application_detail"),
    # The application page's own forms: refused, the page comes again with what was typed.
    path("applications/<uuid:pk>/questions/", application_forms.ask, name="clarification_ask"),
    path("questions/<int:pk>/answer/", application_forms.answer, name="clarification_answer"),
    path("applications/<uuid:pk>/appeal/", application_forms.appeal, name="appeal_file"),
    path("organize/applications/<uuid:pk>/extension/", application_forms.extension, name="grant_extension"),
    # Organizers: cycles and their rubric, and the list of a cycle's applications.
    path("", include("pages.cycle_urls")),
    path("", include("pages.rubric_urls")),
    path("", include("pages.list_urls")),
    path("", include("pages.certificate_urls")),
]
