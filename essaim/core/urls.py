from django.urls import path

from essaim.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("pilotage/journal/", views.audit_log, name="audit-log"),
]
