from django.urls import path

from essaim.surveys import views

app_name = "surveys"

urlpatterns = [
    path("resultats/", views.results, name="results"),
    path("resultats/<int:pk>/", views.results, name="survey_results"),
    path("<str:token>/", views.answer, name="answer"),
]
