from django.urls import path

from . import citations, exports, feeds, views

app_name = "interventions"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("interventions/", views.InterventionListView.as_view(), name="list"),
    path("interventions/export.csv", exports.export_csv, name="export-csv"),
    path("interventions/export.json", exports.export_json, name="export-json"),
    path("interventions/feed/", feeds.InterventionAtomFeed(), name="feed"),
    path("interventions/feed/rss/", feeds.InterventionRssFeed(), name="feed-rss"),
    path("interventions/<int:pk>/", views.InterventionDetailView.as_view(), name="detail"),
    path("interventions/<int:pk>/cite.bib", citations.cite_bibtex, name="cite-bibtex"),
    path("interventions/<int:pk>/cite.ris", citations.cite_ris, name="cite-ris"),
    path("interventions/<int:pk>/cite.json", citations.cite_csl_json, name="cite-csl-json"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
