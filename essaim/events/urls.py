from django.urls import path

from essaim.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list_view, name="list"),
    path("<slug:slug>/", views.event_detail_view, name="detail"),
    path("<slug:slug>/inscription/", views.event_register_view, name="register"),
]
