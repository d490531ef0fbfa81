from django.urls import include, path

urlpatterns = [
    path("", include("reports.export_urls")),
    path("", include("reports.pdf_urls")),
]
