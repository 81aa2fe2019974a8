from django.urls import path

from . import views

app_name = "hearings"

urlpatterns = [
    path("", views.HearingListView.as_view(), name="list"),
    path("<slug:slug>/", views.HearingDetailView.as_view(), name="detail"),
]
