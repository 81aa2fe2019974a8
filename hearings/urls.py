from django.urls import path

from config.pagecache import kept_page

from . import views

app_name = "hearings"

urlpatterns = [
    path("", kept_page(views.HearingListView.as_view()), name="list"),
    path("<slug:slug>/", kept_page(views.HearingDetailView.as_view()), name="detail"),
]
