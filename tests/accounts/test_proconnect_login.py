"""ProConnect sign-in through the real mozilla-django-oidc code path, against a local issuer
that signs real tokens."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse

from essaim.accounts.models import User
from essaim.accounts.proconnect import REFUSAL_SESSION_KEY
from essaim.core.models import AuditEntry
from essaim.organisations.models import Affiliation
from tests.factories import OrganisationFactory, UserFactory

CAMILLE = "camille.durand@finances.gouv.fr"

pytestmark = pytest.mark.django_db


def _start(client):
    response = client.get(reverse("accounts:proconnect-login"))
    assert response.status_code == 302
    return response["Location"]


def _authorize(url: str, email: str = CAMILLE) -> str:
    """Play the person at ProConnect: returns the callback URL with code and state."""
    answer = requests.get(url, params={"login_hint": email}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _callback(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def _login(client, email: str = CAMILLE):
    return _callback(client, _authorize(_start(client), email))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_authorize_request_carries_state_nonce_and_acr_claims(client, proconnect):
    query = parse_qs(urlsplit(_start(client)).query)
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert '"acr"' in query["claims"][0] and "eidas1" in query["claims"][0]
    assert set(query["scope"][0].split()) >= {"openid", "email", "given_name", "usual_name", "siret", "uid"}


def test_first_login_creates_the_account_in_the_organisation_of_its_siret(client, proconnect):
    dgfip = OrganisationFactory(
        name="Direction générale des Finances publiques", kind="directorate", siret="11000201100044"
    )

    response = _login(client)

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email=CAMILLE)
    assert (user.given_name, user.usual_name) == ("Camille", "Durand")
    assert user.proconnect_sub == "pc-sub-camille"
    assert user.auth_source == User.AuthSource.PROCONNECT
    assert user.organisation == dgfip
    assert Affiliation.objects.get(user=user, end_date__isnull=True).source == Affiliation.Source.PROCONNECT
    assert AuditEntry.objects.filter(action="accounts.user.create_proconnect", target_id=str(user.pk)).exists()
    home = client.get("/")
    assert "Bonjour Camille" in home.content.decode()


def test_account_is_found_again_by_sub_and_names_are_refreshed(client, proconnect):
    _login(client)
    user = User.objects.get(email=CAMILLE)
    User.objects.filter(pk=user.pk).update(given_name="Cam")
    client.logout()
    _login(client)
    user.refresh_from_db()
    assert user.given_name == "Camille"
    assert User.objects.filter(email=CAMILLE).count() == 1


@pytest.mark.parametrize(
    ("forgery", "expected"),
    [
        ("bad_signature", "signature"),
        ("wrong_audience", "audience"),
        ("wrong_nonce", "nonce"),
        ("expired", "expiré"),
    ],
)
def test_forged_id_tokens_are_refused_with_a_clear_message(client, proconnect, forgery, expected):
    authorize_url = _start(client)
    proconnect.forge(forgery)

    response = _callback(client, _authorize(authorize_url))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email=CAMILLE).exists()
    messages = _messages(response)
    assert len(messages) == 1 and expected in messages[0].lower()
    assert "_auth_user_id" not in client.session


def test_callback_with_unknown_state_is_refused(client, proconnect):
    callback = _authorize(_start(client))
    other_client = client.__class__()
    response = _callback(other_client, callback)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "expiré" in _messages(response)[0]


def test_provider_down_gives_a_message_not_an_error(client, proconnect, settings):
    authorize_url = _start(client)
    callback = _authorize(authorize_url)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    response = _callback(client, callback)
    assert response.status_code == 302
    assert "ne répond pas" in _messages(response)[0]


def _end_session_url(response) -> str:
    """The page that leaves for ProConnect (a page, not a redirect: see settings' CSP)."""
    assert response.status_code == 200
    match = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.content.decode())
    assert match, response.content.decode()
    return html.unescape(match.group(1))


def test_logout_goes_through_proconnect_end_session(client, proconnect, settings):
    settings.SITE_URL = "http://testserver"
    _login(client)
    response = client.post(reverse("accounts:logout"))
    end_session = _end_session_url(response)
    assert "_auth_user_id" not in client.session
    target = urlsplit(end_session)
    assert f"{target.scheme}://{target.netloc}{target.path}" == proconnect.endpoints()["end_session"]
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver" + reverse("accounts:logged-out")]
    assert len(params["state"][0]) >= 32
    to_fi = requests.get(end_session, allow_redirects=False, timeout=5)
    assert to_fi.headers["Location"].startswith(f"{proconnect.fi_origin}/deconnexion/")
    from_fi = requests.get(to_fi.headers["Location"], allow_redirects=False, timeout=5)
    answer = requests.get(from_fi.headers["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = answer.headers["Location"]
    assert back.startswith("http://testserver" + reverse("accounts:logged-out"))
    assert proconnect.logouts
    response = client.get(back.removeprefix("http://testserver"))
    assert "déconnecté de Essaim et de ProConnect" in _messages(response)[0]


def test_a_forged_post_logout_state_claims_nothing_while_the_session_lives(client, proconnect):
    _login(client)
    response = client.get(reverse("accounts:logged-out") + "?state=" + "x" * 48)
    assert response.status_code == 302
    assert _messages(response) == []
    assert "_auth_user_id" in client.session
    # And after a real logout, a state that is not ours says nothing either.
    _end_session_url(client.post(reverse("accounts:logout")))
    response = client.get(reverse("accounts:logged-out") + "?state=" + "y" * 48)
    assert _messages(response) == []


def test_deactivated_account_cannot_sign_in(client, proconnect):
    UserFactory(email=CAMILLE, is_active=False)
    response = _login(client)
    assert response["Location"] == reverse("accounts:login")
    assert "désactivé" in _messages(response)[0]


def test_without_a_proconnect_domain_the_button_and_route_are_gone(client, settings):
    settings.PROCONNECT_ENABLED = False
    assert "ProConnect</span>" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:proconnect-login")).status_code == 404


def test_password_login_never_reaches_the_token_endpoint(client, proconnect, settings):
    """A sign-in form posted with ?code=&state= must not trigger an OIDC token exchange."""
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # a call would fail and leave a refusal
    UserFactory(email="demo@exemple.gouv.fr")
    response = client.post(
        reverse("accounts:login") + "?code=abc&state=def",
        {
            "method": "password",
            "password-email": "demo@exemple.gouv.fr",
            "password-password": "mot-de-passe-de-test-2026",
        },
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert REFUSAL_SESSION_KEY not in client.session


def test_an_absent_unit_keeps_the_post_and_records_no_change(client, proconnect):
    OrganisationFactory(name="Direction générale des Finances publiques", kind="directorate", siret="11000201100044")
    _login(client)
    user = User.objects.get(email=CAMILLE)
    assert user.unit == "Direction générale des Finances publiques"
    client.logout()
    del proconnect.identities[CAMILLE]["organizational_unit"]  # not granted, or not sent this time

    _login(client)

    user.refresh_from_db()
    assert user.unit == "Direction générale des Finances publiques"
    assert Affiliation.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="organisations.affiliation.change", target_id=str(user.pk)).count() == 1


def test_a_userinfo_for_another_person_gets_its_own_message(client, proconnect):
    proconnect.next_userinfo_override = lambda claims: {**claims, "sub": "quelqu-un-d-autre"}
    response = _login(client)
    assert response["Location"] == reverse("accounts:login")
    assert _messages(response) == ["Les informations d’identité ne correspondent pas au jeton reçu."]
    assert "_auth_user_id" not in client.session


def test_an_unsigned_id_token_is_refused_as_such(client, proconnect):
    authorize_url = _start(client)
    proconnect.next_id_token_override = lambda claims: jwt.encode(claims, key="", algorithm="none")
    response = _callback(client, _authorize(authorize_url))
    assert response["Location"] == reverse("accounts:login")
    assert "algorithme accepté (none)" in _messages(response)[0]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("auth.agentconnect.gouv.fr", "https://auth.agentconnect.gouv.fr/api/v2"),
        ("fca.integ01.dev-agentconnect.fr/", "https://fca.integ01.dev-agentconnect.fr/api/v2"),
        ("https://auth.agentconnect.gouv.fr/api/v2", "https://auth.agentconnect.gouv.fr/api/v2"),
        ("http://127.0.0.1:8010", "http://127.0.0.1:8010/api/v2"),
        ("", ""),
    ],
)
def test_proconnect_domain_as_a_bare_host_or_a_url(raw, expected):
    from essaim.settings import proconnect_base_url

    assert proconnect_base_url(raw) == expected


@pytest.mark.parametrize(
    "raw", ["ftp://auth.agentconnect.gouv.fr", "auth.agentconnect.gouv.fr/api/v1", "a b.fr", "https://x.fr/?q"]
)
def test_a_proconnect_domain_that_means_nothing_stops_start_up(raw):
    from django.core.exceptions import ImproperlyConfigured

    from essaim.settings import proconnect_base_url

    with pytest.raises(ImproperlyConfigured, match="PROCONNECT_DOMAIN"):
        proconnect_base_url(raw)


def test_the_acr_is_asked_as_eidas1_or_stronger_with_values(client, proconnect):
    claims = json.loads(parse_qs(urlsplit(_start(client)).query)["claims"][0])
    assert claims == {"id_token": {"acr": {"essential": True, "values": ["eidas1", "eidas2", "eidas3"]}}}


def test_an_id_token_without_acr_does_not_sign_in(client, proconnect):
    authorize_url = _start(client)
    proconnect.next_id_token_override = lambda claims: proconnect.sign({k: v for k, v in claims.items() if k != "acr"})
    response = _callback(client, _authorize(authorize_url))
    assert response["Location"] == reverse("accounts:login")
    assert "niveau reçu\u00a0: aucun" in _messages(response)[0]
    assert not User.objects.filter(email=CAMILLE).exists()
