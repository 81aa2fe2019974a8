from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("interventions/", views.InterventionListView.as_view(), name="list"),
    path("interventions/<int:pk>/", views.InterventionDetailView.as_view(), name="detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
