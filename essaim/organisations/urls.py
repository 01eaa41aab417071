from django.urls import path

from essaim.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list_view, name="list"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/membres/", views.organisation_members_view, name="members"),
    path("<slug:slug>/modifier/", views.organisation_edit, name="edit"),
]
