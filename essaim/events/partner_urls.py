from django.urls import path

from essaim.events import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list_view, name="list"),
    path("<slug:slug>/", views.partner_detail_view, name="detail"),
]
