from django.urls import path

from pages import application, home

urlpatterns = [
    path("", home.home, name="home"),
    path("applications/<uuid:pk>/", application.application_detail, name="application_detail"),
]
