"""Routes of the delegation: public and personal pages under /delegation/, the programme
admins' back office under /pilotage/delegation/ (one include in essaim/urls.py)."""

from django.urls import path

from essaim.delegation import views

app_name = "delegation"

urlpatterns = [
    path("delegation/", views.public, name="public"),
    path("delegation/ma-candidature/", views.my_application, name="mine"),
    path("delegation/candidatures/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("pilotage/delegation/", views.backoffice, name="backoffice"),
    path("pilotage/delegation/<int:pk>/", views.call_detail, name="call"),
    path("pilotage/delegation/<int:pk>/statut/", views.call_status, name="call-status"),
    path("pilotage/delegation/<int:pk>/compte-rendu/", views.call_report, name="call-report"),
    path("pilotage/delegation/<int:pk>/selection/", views.selection, name="selection"),
    path("pilotage/delegation/<int:pk>/publier/", views.publish, name="publish"),
    path("pilotage/delegation/candidatures/<int:pk>/decision/", views.decide, name="decide"),
]
