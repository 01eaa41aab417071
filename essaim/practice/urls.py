from django.urls import path

from essaim.practice import views

app_name = "practice"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("<int:pk>/modifier/", views.practice_edit, name="edit"),
    path("<int:pk>/supprimer/", views.practice_delete, name="delete"),
]
