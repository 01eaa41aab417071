from django.urls import path

from essaim.training import views

app_name = "training"

urlpatterns = [
    path("<int:pk>/", views.session_detail_view, name="detail"),
]
