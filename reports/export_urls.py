"""Organizer exports of a cycle, and the public designee list with its open data and seals."""

from django.urls import path

from reports import export_views as views

urlpatterns = [
    # Organizers
    path("organize/cycles/<int:cycle_id>/exports/", views.cycle_exports, name="cycle_exports"),
    path(
        "organize/cycles/<int:cycle_id>/exports/designees.xlsx",
        views.export_designees_xlsx,
        name="export_designees_xlsx",
    ),
    path(
        "organize/cycles/<int:cycle_id>/exports/designees.csv", views.export_designees_csv, name="export_designees_csv"
    ),
    path(
        "organize/cycles/<int:cycle_id>/exports/analysis.xlsx", views.export_analysis_xlsx, name="export_analysis_xlsx"
    ),
    path("organize/cycles/<int:cycle_id>/exports/analysis.csv", views.export_analysis_csv, name="export_analysis_csv"),
    # Everyone (no login)
    path("designees/", views.public_designees, name="public_designees"),
    path("designees.csv", views.public_designees_csv, name="public_designees_csv"),
    path("designees.json", views.public_designees_json, name="public_designees_json"),
    path("designees/<int:cycle_id>/<int:jurisdiction_id>/seal.svg", views.public_seal, name="public_seal"),
]
