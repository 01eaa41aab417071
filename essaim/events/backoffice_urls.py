"""The events back office, mounted at /pilotage/evenements/."""

from django.urls import path

from essaim.events import views

app_name = "events_admin"

urlpatterns = [
    path("", views.event_manage_list_view, name="list"),
    path("nouveau/", views.event_create_view, name="create"),
    path("<int:pk>/modifier/", views.event_edit_view, name="edit"),
]
