from django.urls import path

from essaim.training import checkin_views, scheduling, views

app_name = "training"

urlpatterns = [
    path("", views.session_list_view, name="list"),
    path("mes-inscriptions/", views.my_registrations_view, name="mine"),
    path("programmer/", scheduling.session_schedule, name="schedule"),
    path("<int:pk>/", views.session_detail_view, name="detail"),
    path("<int:pk>/agenda.ics", views.registration_calendar_view, name="calendar"),
    path("agenda/", views.calendar_feed_manage_view, name="calendar-feed-manage"),
    path("agenda/<str:token>.ics", views.calendar_feed_view, name="calendar-feed"),
    path("<int:pk>/inscription/", views.registration_create_view, name="register"),
    path("inscriptions/<int:pk>/annuler/", views.registration_cancel_view, name="cancel"),
    path("inscriptions/<int:pk>/accepter/", views.registration_accept_offer_view, name="accept-offer"),
    path("pointage/<str:token>/", checkin_views.checkin_view, name="check-in"),
]
