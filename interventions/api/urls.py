from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("hearings", views.HearingViewSet, basename="hearing")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("interventions", views.InterventionViewSet, basename="intervention")

app_name = "api"

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: our Content Security Policy forbids inline scripts.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="interventions/api_docs.html"),
        name="docs",
    ),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),
]
