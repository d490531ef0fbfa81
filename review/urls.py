from django.urls import path

from review import panel_views, views

urlpatterns = [
    # Reviewers
    path("reviews/<int:pk>/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    # Applicants
    # Organizers
    path("organize/cycles/<int:pk>/panel/", panel_views.panel_cycle, name="panel_cycle"),
    path("organize/cycles/<int:pk>/auto-assign/", panel_views.panel_auto_assign, name="panel_auto_assign"),
    path("organize/cycles/<int:pk>/bulk-decide/", panel_views.panel_bulk_decide, name="panel_bulk_decide"),
    path("organize/cycles/<int:pk>/publish/", panel_views.panel_publish, name="panel_publish"),
    path("organize/applications/<uuid:pk>/panel/", panel_views.panel_application, name="panel_application"),
    path("organize/applications/<uuid:pk>/assign/", panel_views.panel_assign, name="panel_assign"),
    path("organize/applications/<uuid:pk>/decide/", panel_views.panel_decide, name="panel_decide"),
    path("organize/assignments/<int:pk>/end/", panel_views.panel_unassign, name="panel_unassign"),
    path("organize/appeals/<int:pk>/decide/", panel_views.appeal_decide, name="appeal_decide"),
]
