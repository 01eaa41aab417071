from django.urls import path

from essaim.credentials import views

app_name = "credentials"

urlpatterns = [
    path("", views.my_credentials_view, name="mine"),
    path("verifier/", views.verify_view, name="verify"),
    path("verifier/<str:code>/", views.verify_code_view, name="verify-code"),
    path("emetteur/", views.issuer_view, name="issuer"),
    path("emetteur/jwks.json", views.jwks_view, name="jwks"),
    path("emetteur/cles/<str:kid>/", views.key_view, name="key"),
    path("emetteur/multikey/<str:multibase>/", views.multikey_view, name="multikey"),
    path("statut/<int:number>/", views.status_list_view, name="status-list"),
    path("badges/<slug:course_code>/", views.achievement_view, name="achievement"),
    path("pilotage/", views.backoffice_view, name="backoffice"),
    path("pilotage/<str:code>/revoquer/", views.revoke_view, name="revoke"),
    path("pilotage/sessions/<int:pk>/attestations.zip", views.session_zip_view, name="session-zip"),
    path("<str:code>/attestation.pdf", views.attestation_pdf_view, name="pdf"),
    path("<str:code>/badge.json", views.badge_json_view, name="json"),
    path("<str:code>/badge.jwt", views.badge_jwt_view, name="jwt"),
]

record_urlpatterns = (
    [
        path("", views.learner_record_view, name="record"),
        path("export.json", views.learner_record_json_view, name="record-json"),
        path("export.pdf", views.learner_record_pdf_view, name="record-pdf"),
    ],
    "record",
)
