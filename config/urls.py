from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from interventions.sitemaps import SITEMAPS, robots_txt

admin.site.site_header = "Interventions Archive – curation"
admin.site.site_title = "Interventions Archive"
admin.site.index_title = "Curate hearings, organisations and interventions"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("interventions.api.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("hearings/", include("hearings.urls")),
    path("", include("interventions.urls")),
]
