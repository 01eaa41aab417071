from django.urls import path

from essaim.accounts import personal_data_views, views
from essaim.accounts.proconnect import ProConnectCallbackView, ProConnectLoginView

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/proconnect/", ProConnectLoginView.as_view(), name="proconnect-login"),
    path("connexion/proconnect/retour/", ProConnectCallbackView.as_view(), name="proconnect-callback"),
    path("connexion/proconnect/lier/<str:token>/", views.proconnect_link, name="proconnect-link"),
    path("connexion/lien-envoye/", views.magic_link_sent, name="magic-link-sent"),
    path("connexion/lien/<str:token>/", views.magic_link, name="magic-link"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("deconnexion/terminee/", views.logged_out, name="logged-out"),
    path("compte/", views.profile, name="profile"),
    path("compte/jetons/", views.api_tokens, name="api-tokens"),
    path("compte/donnees/", personal_data_views.my_data_view, name="my-data"),
    path("compte/donnees/export.json", personal_data_views.my_data_download_view, name="my-data-download"),
    path("compte/donnees/effacement/", personal_data_views.my_data_erase_view, name="my-data-erase"),
    path("compte/jetons/<int:pk>/revoquer/", views.api_token_revoke_view, name="api-token-revoke"),
]
