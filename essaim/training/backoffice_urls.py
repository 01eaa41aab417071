"""The sessions back office, mounted at /pilotage/sessions/."""

from django.urls import path

from essaim.training import backoffice_notices as notices
from essaim.training import backoffice_views as views
from essaim.training import checkin_views, scheduling, session_edit_views

app_name = "training_admin"

urlpatterns = [
    path("", views.session_list_view, name="list"),
    path("planification/", views.planning_view, name="planning"),
    path("<int:pk>/", views.session_detail_view, name="detail"),
    path("<int:pk>/inscrits.csv", views.registrants_export_view, name="export"),
    path("<int:pk>/places/", views.session_capacity_view, name="capacity"),
    path("<int:pk>/annuler/", views.session_cancel_view, name="cancel"),
    path("<int:pk>/message/", notices.session_message_view, name="message"),
    path("<int:pk>/lieu/", notices.session_venue_view, name="venue"),
    path("<int:pk>/publier/", session_edit_views.session_publish_view, name="publish"),
    path("<int:pk>/depublier/", session_edit_views.session_unpublish_view, name="unpublish"),
    path("<int:pk>/modifier/", session_edit_views.session_edit_view, name="edit"),
    path("<int:pk>/calendrier/", session_edit_views.session_timetable_view, name="timetable"),
    path("<int:pk>/formateurs/", session_edit_views.session_trainers_view, name="trainers"),
    path("<int:pk>/partenaires/", scheduling.session_partners_view, name="partners"),
    path("<int:pk>/presence/", views.attendance_view, name="attendance"),
    path("<int:pk>/presence/cloturer/", views.session_close_view, name="close"),
    path("<int:pk>/presence/qr/<int:slot_pk>/", checkin_views.checkin_code_view, name="checkin-code"),
    path("inscriptions/<int:pk>/accepter/", views.registration_approve_view, name="approve"),
    path("<int:pk>/demandes/accepter/", views.registrations_approve_view, name="approve-many"),
    path("inscriptions/<int:pk>/refuser/", views.registration_decline_view, name="decline"),
    path("inscriptions/<int:pk>/annuler/", views.registration_cancel_view, name="cancel-registration"),
    path("inscriptions/<int:pk>/transferer/", views.registration_move_view, name="move"),
]
