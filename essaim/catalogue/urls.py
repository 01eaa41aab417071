from django.urls import path

from essaim.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.path_view, name="path"),
    path("<slug:code>/", views.course_detail, name="detail"),
]
