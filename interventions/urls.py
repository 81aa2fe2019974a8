from django.urls import path

from config.pagecache import kept_page

from . import citations, exports, feeds, views

app_name = "interventions"

urlpatterns = [
    path("", kept_page(views.HomeView.as_view()), name="home"),
    path("interventions/", kept_page(views.InterventionListView.as_view()), name="list"),
    path("interventions/export.csv", exports.export_csv, name="export-csv"),
    path("interventions/export.json", exports.export_json, name="export-json"),
    path("interventions/feed/", feeds.InterventionAtomFeed(), name="feed"),
    path("interventions/feed/rss/", feeds.InterventionRssFeed(), name="feed-rss"),
    path("interventions/<int:pk>/", kept_page(views.InterventionDetailView.as_view()), name="detail"),
    path("interventions/<int:pk>/cite.bib", citations.cite_bibtex, name="cite-bibtex"),
    path("interventions/<int:pk>/cite.ris", citations.cite_ris, name="cite-ris"),
    path("interventions/<int:pk>/cite.json", citations.cite_csl_json, name="cite-csl-json"),
    path("organisations/", kept_page(views.OrganisationListView.as_view()), name="organisation-list"),
    path("organisations/<slug:slug>/", kept_page(views.OrganisationDetailView.as_view()), name="organisation-detail"),
    path("themes/", kept_page(views.ThemeListView.as_view()), name="theme-list"),
    path("themes/<slug:slug>/", kept_page(views.ThemeDetailView.as_view()), name="theme-detail"),
    path("search/", kept_page(views.SearchView.as_view()), name="search"),
]
