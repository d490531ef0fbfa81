"""URLs of the organizer's pages (filled in by the module that owns them)."""

urlpatterns = []
