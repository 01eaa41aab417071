from django.urls import path

from essaim.reporting import views

app_name = "reporting"

urlpatterns = [
    path("tableau-de-bord/", views.public_dashboard, name="public"),
    path("tableau-de-bord/export/<slug:table>.<str:fmt>", views.public_export, name="public_export"),
    path("tableau-de-bord/rapport-ogp/", views.progress, name="progress"),
    path("tableau-de-bord/rapport-ogp.pdf", views.progress_as_pdf, name="progress_pdf"),
    path("pilotage/tableau-de-bord/", views.internal_dashboard, name="internal"),
    path("pilotage/tableau-de-bord/export/<slug:table>.<str:fmt>", views.internal_export, name="internal_export"),
    path("donnees/", views.opendata_index, name="opendata"),
    path("donnees/datagouv.json", views.datagouv, name="datagouv"),
    path("donnees/<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("donnees/<slug:slug>.schema.json", views.dataset_schema, name="dataset_schema"),
]
