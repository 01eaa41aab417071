"""ProConnect sign-in against panva oidc-provider set up like ProConnect's federation
(js/oidc-provider): the independent implementation, not our own stand-in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse

from essaim.accounts.models import ProConnectIdentity, User
from essaim.organisations.models import Affiliation
from tests.factories import OrganisationFactory
from tests.oidc_provider import ADMIN, CAMILLE, DGFIP_SIRET, INTERIOR_SIRET, play_at_provider

pytestmark = pytest.mark.django_db


def _sign_in(client, account: str, django_capture_on_commit_callbacks=None):
    start = client.get(reverse("accounts:proconnect-login"))
    assert start.status_code == 302
    back = play_at_provider(start["Location"], account)
    parts = urlsplit(back)
    assert parts.path == reverse("accounts:proconnect-callback"), back
    if django_capture_on_commit_callbacks is None:
        return client.get(f"{parts.path}?{parts.query}")
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(f"{parts.path}?{parts.query}")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _refused(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert "oidc_id_token" not in client.session
    messages = _messages(response)
    assert len(messages) == 1, messages
    return messages[0]


@pytest.fixture
def dgfip(db):
    return OrganisationFactory(name="Direction générale des Finances publiques", kind="directorate", siret=DGFIP_SIRET)


def test_default_scopes_sign_in_lands_home_in_the_organisation_of_the_siret(client, real_proconnect, dgfip):
    response = _sign_in(client, "camille-fi1")
    assert response["Location"] == "/", _messages(response)
    user = User.objects.get(email=CAMILLE)
    assert (user.given_name, user.usual_name, user.organisation) == ("Camille", "Durand", dgfip)
    assert user.proconnect_identities.get().sub == "sub-camille-fia-bercy"
    assert "Bonjour Camille" in client.get("/").content.decode()


def test_es256_client_with_organizational_unit(client, node_proconnect_server, settings, dgfip):
    node_proconnect_server.point_settings_at(settings, client_id="essaim-es256")
    settings.OIDC_RP_SCOPES += " organizational_unit"
    response = _sign_in(client, "camille-fi1")
    assert response["Location"] == "/", _messages(response)
    assert User.objects.get(email=CAMILLE).unit == "Bureau des méthodes"


def test_asking_a_scope_the_client_was_not_granted_gives_its_own_message(client, real_proconnect, settings):
    settings.OIDC_RP_SCOPES = "openid given_name usual_name email uid siret idp_id organizational_unit"
    assert "(scope)" in _refused(client, _sign_in(client, "camille-fi1"))


def test_eidas2_is_accepted(client, real_proconnect):
    OrganisationFactory(name="Ministère de l’Intérieur", kind="ministry", siret=INTERIOR_SIRET)
    response = _sign_in(client, "dominique-eidas2")
    assert response["Location"] == "/", _messages(response)


def test_asking_exactly_eidas1_is_what_refused_eidas2(client, real_proconnect, settings):
    """The provider, not our code, refuses an FI answering eidas2 to `value: eidas1`."""
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
        "claims": '{"id_token": {"acr": {"essential": true, "value": "eidas1"}}}'
    }
    assert "niveau de sécurité" in _refused(client, _sign_in(client, "dominique-eidas2"))


def test_eidas0_is_refused_by_the_provider(client, real_proconnect):
    assert "niveau de sécurité demandé, ou vous avez annulé" in _refused(client, _sign_in(client, "lou-eidas0"))
    assert not User.objects.filter(email="lou.petit@interieur.gouv.fr").exists()


def test_eidas0_answered_anyway_is_refused_by_essaim(client, real_proconnect):
    message = _refused(client, _sign_in(client, "sam-eidas0-lax"))
    assert "niveau reçu : eidas0" in message
    assert not User.objects.filter(email="sam.roux@interieur.gouv.fr").exists()


def test_a_spent_code_says_so(client, real_proconnect):
    start = client.get(reverse("accounts:proconnect-login"))
    back = urlsplit(play_at_provider(start["Location"], "camille-fi1"))
    code = parse_qs(back.query)["code"][0]
    spent = requests.post(
        f"{real_proconnect.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "essaim-rs256",
            "client_secret": "secret-de-test-proconnect-0123456789",
            "redirect_uri": "http://testserver" + back.path,
        },
        timeout=5,
    )
    assert spent.status_code == 200
    response = client.get(f"{back.path}?{back.query}")
    assert "a expiré ou a déjà servi" in _refused(client, response)


def test_takeover_of_the_admin_by_email_is_refused(
    client, real_proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    response = _sign_in(client, "usurpateur", django_capture_on_commit_callbacks)
    assert "lien que nous venons d’envoyer" in _refused(client, response)
    programme_admin.refresh_from_db()
    assert programme_admin.usual_name != "Administrateur"
    assert not ProConnectIdentity.objects.exists()
    assert [m.to for m in mailoutbox] == [[ADMIN]]


def test_second_identity_provider_links_only_after_proof(
    client, real_proconnect, dgfip, mailoutbox, django_capture_on_commit_callbacks
):
    assert _sign_in(client, "camille-fi1")["Location"] == "/"
    client.logout()
    _refused(client, _sign_in(client, "camille-fi2", django_capture_on_commit_callbacks))
    link = re.search(r"https?://[^/\s]+(/connexion/proconnect/lier/[^\s]+/)", mailoutbox[-1].body).group(1)
    client.post(link)
    assert _sign_in(client, "camille-fi2")["Location"] == "/"
    user = User.objects.get(email=CAMILLE)
    assert set(user.proconnect_identities.values_list("idp_id", flat=True)) == {"fia-bercy", "fia-mfa"}
    # Still one post: the second FI did not record a fake change of post.
    assert Affiliation.objects.filter(user=user).count() == 1
