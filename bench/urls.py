"""The project's URLs, and the page benchmark's floor: a bare view that loads the session and the user."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    """What every signed-in page pays at least: the middleware, the session and the user, a small response."""
    return HttpResponse(f"{request.user.username} {request.session.get('_auth_user_backend', '')}")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *project_urlpatterns]
