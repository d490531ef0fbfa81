"""URLs of the organizer's cycle pages (``pages.cycles``)."""

from django.urls import path

from pages import cycles

urlpatterns = [
    path("organize/cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("organize/cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("organize/cycles/<int:pk>/edit/", cycles.cycle_edit, name="cycle_edit"),
    # Open, close for review, mark decided: GET says what will happen, POST from its confirm button does it.
    path("organize/cycles/<int:pk>/phase/<slug:word>/", cycles.cycle_phase, name="cycle_phase"),
]
