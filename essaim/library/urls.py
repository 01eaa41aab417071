from django.urls import path

from essaim.library import views

app_name = "library"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("proposer/", views.resource_submit, name="submit"),
    path("mes-contributions/", views.my_contributions, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("collections/", views.collections, name="collections"),
    path("collections/<int:pk>/", views.collection_detail, name="collection"),
    path("<int:pk>/collection/", views.collection_add_view, name="collection-add"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/modifier/", views.resource_edit, name="edit"),
    path("<int:pk>/examiner/", views.review, name="review"),
    path("<int:pk>/signaler/", views.report, name="report"),
    path("<int:pk>/avis/", views.feedback, name="feedback"),
    path("<int:pk>/fichiers/<int:file_pk>/", views.resource_file, name="file"),
]
