from django.urls import path

from essaim.network import pilot_views, views

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
    path("mobilite/", views.turnover, name="turnover"),
    path("labs/<slug:slug>/", views.lab, name="lab"),
    path("pilotes/mes-propositions/", pilot_views.my_proposals, name="my-proposals"),
    path("labs/<slug:slug>/pilotes/", pilot_views.lab_pilot_list, name="pilots"),
    path("labs/<slug:slug>/pilotes/proposer/", pilot_views.pilot_propose, name="pilot-propose"),
    path("labs/<slug:slug>/pilotes/<int:pk>/", pilot_views.pilot_detail, name="pilot"),
    path("labs/<slug:slug>/pilotes/<int:pk>/decider/", pilot_views.pilot_decide, name="pilot-decide"),
    path("labs/<slug:slug>/pilotes/<int:pk>/etape/", pilot_views.pilot_advance, name="pilot-advance"),
    path("labs/<slug:slug>/pilotes/<int:pk>/equipe/", pilot_views.pilot_member_add, name="pilot-member"),
    path("labs/<slug:slug>/pilotes/<int:pk>/methodes/", pilot_views.pilot_describe, name="pilot-describe"),
    path("labs/<slug:slug>/pilotes/<int:pk>/ateliers/", pilot_views.pilot_workshop_add, name="pilot-workshop"),
    path(
        "labs/<slug:slug>/pilotes/<int:pk>/ateliers/<int:workshop_pk>/tenu/",
        pilot_views.pilot_workshop_held,
        name="pilot-workshop-held",
    ),
    path("labs/<slug:slug>/pilotes/<int:pk>/publier/", pilot_views.pilot_publish, name="pilot-publish"),
]
