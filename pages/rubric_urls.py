"""URLs of the organizer's rubric pages: a cycle's rubric, its settings and levels, its categories and criteria."""

from django.urls import path

from pages import rubric, rubric_parts

urlpatterns = [
    path("organize/cycles/<int:pk>/rubric/", rubric.rubric_edit, name="rubric_edit"),
    path("organize/cycles/<int:pk>/rubric/settings/", rubric.rubric_settings, name="rubric_settings"),
    path("organize/cycles/<int:pk>/rubric/copy/", rubric.rubric_copy, name="rubric_copy"),
    path("organize/cycles/<int:pk>/rubric/rescore/", rubric.rubric_rescore, name="rubric_rescore"),
    path("organize/cycles/<int:pk>/rubric/categories/new/", rubric_parts.category_add, name="rubric_category_add"),
    path("organize/rubric/categories/<int:pk>/", rubric_parts.category_edit, name="rubric_category_edit"),
    path("organize/rubric/categories/<int:pk>/delete/", rubric_parts.category_delete, name="rubric_category_delete"),
    path("organize/cycles/<int:pk>/rubric/criteria/new/", rubric_parts.criterion_add, name="rubric_criterion_add"),
    path("organize/rubric/criteria/<int:pk>/", rubric_parts.criterion_edit, name="rubric_criterion_edit"),
    path("organize/rubric/criteria/<int:pk>/delete/", rubric_parts.criterion_delete, name="rubric_criterion_delete"),
]
