"""The project's URLs plus one view that fails, to see the 500 page a visitor would get."""

from django.urls import path

from config.urls import handler500  # noqa: F401 - the resolver reads handler500
from config.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("broken/", broken_view), *project_urlpatterns]
