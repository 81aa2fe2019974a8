from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Interventions Archive – curation"
admin.site.site_title = "Interventions Archive"
admin.site.index_title = "Curate hearings, organisations and interventions"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hearings/", include("hearings.urls")),
    path("", include("interventions.urls")),
]
