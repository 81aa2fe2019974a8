from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views
from config.pagecache import kept_page
from interventions.sitemaps import SITEMAPS, robots_txt

admin.site.site_header = _("Interventions Archive – curation")
admin.site.site_title = _("Interventions Archive")
admin.site.index_title = _("Curate hearings, organisations and interventions")

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("interventions.api.urls")),
    # The index is kept whole per change to the archive, as public pages are; a sitemap's page is not (4.5 MB).
    path(
        "sitemap.xml",
        kept_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", robots_txt, name="robots"),
    path("hearings/", include("hearings.urls")),
    path("", include("interventions.urls")),
]

handler500 = "config.errors.server_error"
