"""URLs of the organizer's pages (filled in by the module that owns them)."""

from django.urls import path

from pages import applications_list

urlpatterns = [
    # A cycle's applications: search, filters, sortable columns (a GET form; nothing changes).
    path("organize/cycles/<int:pk>/applications/", applications_list.cycle_applications, name="cycle_applications"),
]
