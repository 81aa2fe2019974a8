from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Interventions Archive – curation"
admin.site.site_title = "Interventions Archive"
admin.site.index_title = "Curate hearings, organisations and interventions"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("hearings/", include("hearings.urls")),
    path("", include("interventions.urls")),
]

handler500 = "config.errors.server_error"
