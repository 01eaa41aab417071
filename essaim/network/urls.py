from django.urls import path

from essaim.network import views

app_name = "network"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("personnes/<int:pk>/", views.person, name="person"),
    path("ma-fiche/", views.my_profile, name="my-profile"),
    path("co-animations/declarer/", views.cofacilitation_declare, name="cofacilitation-declare"),
    path("co-animations/<int:pk>/confirmer/", views.cofacilitation_confirm, name="cofacilitation-confirm"),
    path("formateurs/<int:pk>/", views.trainer, name="trainer"),
    path("demandes/", views.requests, name="requests"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/repondre/", views.invitation_answer, name="invitation-answer"),
    path("invitations/<int:pk>/animee/", views.invitation_done, name="invitation-done"),
    path("lacunes/", views.gaps, name="gaps"),
    path("labs/", views.labs, name="labs"),
    path("labs/<slug:slug>/", views.lab, name="lab"),
]
