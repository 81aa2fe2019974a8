from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Interventions Archive – curation")
admin.site.site_title = _("Interventions Archive")
admin.site.index_title = _("Curate hearings, organisations and interventions")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hearings/", include("hearings.urls")),
    path("", include("interventions.urls")),
]
