from django.urls import path

from review import views

urlpatterns = [
    path("applications/<uuid:pk>/questions/", views.ask, name="clarification_ask"),
    path("questions/<int:pk>/answer/", views.answer, name="clarification_answer"),
]
