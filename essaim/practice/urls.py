from django.urls import path

from essaim.practice import views

app_name = "practice"

urlpatterns = [path("", views.practice_list, name="list")]
