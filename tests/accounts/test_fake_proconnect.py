"""The fake ProConnect issuer behaves like the real one where relying parties get hurt.

Why: Django's login tests trust this issuer, so it must itself be checked against
ProConnect's rules (long state/nonce, unknown parameters refused, single-use codes,
signed userinfo) and produce tokens that a standard JOSE client verifies.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from essaim.accounts.fake_proconnect import FakeProConnect

CAMILLE = "camille.durand@finances.gouv.fr"
DOMINIQUE = "dominique.martin@interieur.gouv.fr"
CLIENT_ID = "essaim-local"
CLIENT_SECRET = "essaim-local-secret"
REDIRECT_URI = "http://testserver/comptes/proconnect/retour/"
ACR_CLAIMS = json.dumps({"id_token": {"acr": {"essential": True, "value": "eidas1"}}})
TIMEOUT = 5


@pytest.fixture(scope="module")
def server() -> Iterator[FakeProConnect]:
    with FakeProConnect() as provider:
        yield provider


@pytest.fixture
def provider(server: FakeProConnect) -> FakeProConnect:
    server.reset()
    return server


def random_value() -> str:
    return secrets.token_urlsafe(36)  # 48 characters, like Essaim's OIDC_STATE_SIZE


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid given_name usual_name email uid siret idp_id organizational_unit",
        "state": random_value(),
        "nonce": random_value(),
        "claims": ACR_CLAIMS,
        "login_hint": CAMILLE,
    }
    params.update(overrides)
    return params


def authorize(provider: FakeProConnect, params: dict[str, str]) -> str:
    """Run /authorize with a known login_hint and return the code from the redirect."""
    response = requests.get(
        provider.endpoints()["authorization"], params=params, allow_redirects=False, timeout=TIMEOUT
    )
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == [params["state"]]
    return query["code"][0]


def exchange(provider: FakeProConnect, code: str, **overrides: str) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    data.update(overrides)
    return requests.post(provider.endpoints()["token"], data=data, timeout=TIMEOUT)


def decode(provider: FakeProConnect, token: str, **kwargs: Any) -> dict[str, Any]:
    """Verify like a relying party: key from the published JWKS, RS256, our audience and issuer."""
    signing_key = jwt.PyJWKClient(provider.endpoints()["jwks"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience=kwargs.pop("audience", CLIENT_ID),
        issuer=provider.issuer,
        **kwargs,
    )


def test_discovery_document_has_proconnect_shape(provider: FakeProConnect) -> None:
    response = requests.get(f"{provider.base_url}/api/v2/.well-known/openid-configuration", timeout=TIMEOUT)
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == provider.issuer
    assert provider.issuer.endswith("/api/v2")
    assert document["authorization_endpoint"] == f"{provider.issuer}/authorize"
    assert document["token_endpoint"] == f"{provider.issuer}/token"
    assert document["userinfo_endpoint"] == f"{provider.issuer}/userinfo"
    assert document["jwks_uri"] == f"{provider.issuer}/jwks"
    assert document["end_session_endpoint"] == f"{provider.issuer}/session/end"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["userinfo_signing_alg_values_supported"] == ["RS256"]
    assert document["response_types_supported"] == ["code"]
    assert "openid" in document["scopes_supported"]
    assert "siret" in document["claims_supported"]
    assert set(provider.endpoints()) == {
        "authorization",
        "token",
        "userinfo",
        "jwks",
        "end_session",
        "discovery",
    }


def test_jwks_publishes_only_the_public_key(provider: FakeProConnect) -> None:
    keys = requests.get(provider.endpoints()["jwks"], timeout=TIMEOUT).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kid"] == provider.kid
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]


def test_full_flow_login_token_userinfo_logout(provider: FakeProConnect) -> None:
    params = authorize_params()
    code = authorize(provider, params)

    response = exchange(provider, code)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 60

    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == provider.kid
    id_claims = decode(provider, tokens["id_token"])
    assert id_claims["sub"] == "pc-sub-camille"
    assert id_claims["nonce"] == params["nonce"]
    assert id_claims["acr"] == "eidas1"
    assert id_claims["amr"] == ["pwd"]
    assert id_claims["idp_id"] == "fia1v2"
    assert id_claims["exp"] - id_claims["iat"] == 60
    assert id_claims["auth_time"] <= id_claims["iat"]

    userinfo = requests.get(
        provider.endpoints()["userinfo"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert userinfo.status_code == 200
    assert userinfo.headers["Content-Type"] == "application/jwt"
    user_claims = decode(provider, userinfo.text)
    assert user_claims["sub"] == "pc-sub-camille"
    assert user_claims["email"] == CAMILLE
    assert user_claims["given_name"] == "Camille"
    assert user_claims["usual_name"] == "Durand"
    assert user_claims["uid"] == "camille.durand"
    assert user_claims["siret"] == "11000201100044"
    assert user_claims["idp_id"] == "fia1v2"
    assert user_claims["organizational_unit"] == "Direction générale des Finances publiques"
    assert "nonce" not in user_claims  # mozilla-django-oidc compares it to None for userinfo

    logout_state = random_value()
    logout = requests.get(
        provider.endpoints()["end_session"],
        params={
            "id_token_hint": tokens["id_token"],
            "state": logout_state,
            "post_logout_redirect_uri": "http://testserver/?deconnecte=1",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    # ProConnect hops through the FI, on another origin, before answering the RP.
    assert logout.status_code == 302, logout.text
    assert logout.headers["Location"].startswith(f"{provider.fi_origin}/deconnexion/")
    assert provider.logouts == []
    back = requests.get(logout.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    logout = requests.get(back.headers["Location"], allow_redirects=False, timeout=TIMEOUT)
    assert logout.status_code == 302, logout.text
    assert provider.fi_logouts == 1
    location = urlsplit(logout.headers["Location"])
    assert location.netloc == "testserver"
    assert parse_qs(location.query) == {"deconnecte": ["1"], "state": [logout_state]}
    assert len(provider.logouts) == 1
    assert provider.logouts[0]["sub"] == "pc-sub-camille"
    assert provider.logouts[0]["state"] == logout_state


def test_client_secret_basic_is_accepted(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params())
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = requests.post(
        provider.endpoints()["token"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        headers={"Authorization": f"Basic {basic}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text


def test_identity_without_organizational_unit(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params(login_hint=DOMINIQUE))
    access_token = exchange(provider, code).json()["access_token"]
    userinfo = requests.get(
        provider.endpoints()["userinfo"],
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=TIMEOUT,
    )
    claims = decode(provider, userinfo.text)
    assert claims["email"] == DOMINIQUE
    assert "organizational_unit" not in claims


def test_the_fi_level_is_returned_when_it_satisfies_the_request(provider: FakeProConnect, monkeypatch) -> None:
    monkeypatch.setitem(provider.identities[CAMILLE], "acr", "eidas2")
    claims = json.dumps({"id_token": {"acr": {"essential": True, "values": ["eidas1", "eidas2"]}}})
    code = authorize(provider, authorize_params(claims=claims))
    id_token = exchange(provider, code).json()["id_token"]
    assert decode(provider, id_token)["acr"] == "eidas2"


def test_exactly_eidas1_refuses_an_fi_answering_eidas2(provider: FakeProConnect, monkeypatch) -> None:
    monkeypatch.setitem(provider.identities[CAMILLE], "acr", "eidas2")
    claims = json.dumps({"id_token": {"acr": {"essential": True, "value": "eidas1"}}})
    answer = requests.get(
        provider.endpoints()["authorization"],
        params=authorize_params(claims=claims),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["access_denied"]


def test_a_scope_the_client_was_not_granted_is_invalid_scope(provider: FakeProConnect, monkeypatch) -> None:
    monkeypatch.setattr(provider, "allowed_scopes", ["openid", "email"])
    answer = requests.get(
        provider.endpoints()["authorization"], params=authorize_params(), allow_redirects=False, timeout=TIMEOUT
    )
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_login_page_then_post_issues_a_code(provider: FakeProConnect) -> None:
    params = authorize_params()
    del params["login_hint"]
    page = requests.get(provider.endpoints()["authorization"], params=params, timeout=TIMEOUT)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    body = page.text
    assert '<html lang="fr">' in body
    assert "<main>" in body
    assert "<h1>" in body
    assert 'type="radio"' in body
    assert "Camille Durand" in body
    assert DOMINIQUE in body
    assert "Se connecter" in body

    response = requests.post(
        provider.endpoints()["authorization"],
        data={**params, "identity": DOMINIQUE},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == [params["state"]]
    id_token = exchange(provider, query["code"][0]).json()["id_token"]
    assert decode(provider, id_token)["sub"] == "pc-sub-dominique"


def test_login_page_refuses_unknown_identity(provider: FakeProConnect) -> None:
    params = authorize_params()
    del params["login_hint"]
    response = requests.post(
        provider.endpoints()["authorization"],
        data={**params, "identity": "intrus@example.com"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"state": "x" * 31}, "state"),
        ({"nonce": "x" * 31}, "nonce"),
        ({"state": ""}, "state"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"redirect_uri": ""}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": "email"}, "openid"),
        ({"claims": "{not json"}, "claims"),
        ({"code_challenge": "abc"}, "unknown parameter"),
        ({"utm_source": "newsletter"}, "unknown parameter"),
    ],
)
def test_authorize_refuses_bad_requests(provider: FakeProConnect, overrides: dict[str, str], message: str) -> None:
    response = requests.get(
        provider.endpoints()["authorization"],
        params=authorize_params(**overrides),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert message in response.text


def test_authorize_refuses_missing_nonce(provider: FakeProConnect) -> None:
    params = authorize_params()
    del params["nonce"]
    response = requests.get(
        provider.endpoints()["authorization"], params=params, allow_redirects=False, timeout=TIMEOUT
    )
    assert response.status_code == 400


def test_code_is_single_use(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params())
    assert exchange(provider, code).status_code == 200
    replay = exchange(provider, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_code_is_burnt_by_a_wrong_redirect_uri(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params())
    wrong = exchange(provider, code, redirect_uri="http://evil.example/callback")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert exchange(provider, code).status_code == 400


def test_expired_code_is_refused(provider: FakeProConnect, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider, "code_lifetime_seconds", 0)
    code = authorize(provider, authorize_params())
    response = exchange(provider, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_refused_without_burning_the_code(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params())
    response = exchange(provider, code, client_secret="guess")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert exchange(provider, code).status_code == 200


def test_unsupported_grant_type(provider: FakeProConnect) -> None:
    code = authorize(provider, authorize_params())
    response = exchange(provider, code, grant_type="client_credentials")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_userinfo_refuses_unknown_token(provider: FakeProConnect) -> None:
    response = requests.get(
        provider.endpoints()["userinfo"],
        headers={"Authorization": "Bearer not-a-token"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert requests.get(provider.endpoints()["userinfo"], timeout=TIMEOUT).status_code == 401


def test_end_session_refuses_a_forged_hint(provider: FakeProConnect) -> None:
    forged = provider.make_id_token(identity_email=CAMILLE, nonce=random_value(), sign_with_other_key=True)
    response = requests.get(
        provider.endpoints()["end_session"],
        params={
            "id_token_hint": forged,
            "state": random_value(),
            "post_logout_redirect_uri": "http://testserver/",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert provider.logouts == []


def test_make_id_token_forgeries(provider: FakeProConnect) -> None:
    nonce = random_value()
    good = provider.make_id_token(identity_email=CAMILLE, nonce=nonce)
    assert decode(provider, good)["nonce"] == nonce

    bad_signature = provider.make_id_token(identity_email=CAMILLE, nonce=nonce, sign_with_other_key=True)
    assert jwt.get_unverified_header(bad_signature)["kid"] == provider.kid
    with pytest.raises(jwt.InvalidSignatureError):
        decode(provider, bad_signature)

    with pytest.raises(jwt.InvalidAudienceError):
        decode(provider, provider.make_id_token(identity_email=CAMILLE, nonce=nonce, aud="other"))

    with pytest.raises(jwt.ExpiredSignatureError):
        decode(provider, provider.make_id_token(identity_email=CAMILLE, nonce=nonce, exp_delta=-60))

    with pytest.raises(jwt.InvalidIssuerError):
        decode(provider, provider.make_id_token(identity_email=CAMILLE, nonce=nonce, iss="http://evil"))


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("bad_signature", jwt.InvalidSignatureError),
        ("wrong_audience", jwt.InvalidAudienceError),
        ("expired", jwt.ExpiredSignatureError),
    ],
)
def test_forge_hands_out_one_forged_token_through_the_flow(
    provider: FakeProConnect, kind: Any, error: type[Exception]
) -> None:
    provider.forge(kind)
    forged = exchange(provider, authorize(provider, authorize_params())).json()["id_token"]
    with pytest.raises(error):
        decode(provider, forged)

    # Only the next token is forged.
    params = authorize_params()
    genuine = exchange(provider, authorize(provider, params)).json()["id_token"]
    assert decode(provider, genuine)["nonce"] == params["nonce"]


def test_forge_wrong_nonce(provider: FakeProConnect) -> None:
    provider.forge("wrong_nonce")
    params = authorize_params()
    forged = exchange(provider, authorize(provider, params)).json()["id_token"]
    assert decode(provider, forged)["nonce"] != params["nonce"]


def test_custom_override_receives_the_normal_claims(provider: FakeProConnect) -> None:
    seen: list[dict[str, Any]] = []

    def override(claims: dict[str, Any]) -> str:
        seen.append(claims)
        return provider.sign({**claims, "acr": "eidas3"})

    provider.next_id_token_override = override
    params = authorize_params()
    id_token = exchange(provider, authorize(provider, params)).json()["id_token"]
    assert seen[0]["nonce"] == params["nonce"]
    assert seen[0]["aud"] == CLIENT_ID
    assert decode(provider, id_token)["acr"] == "eidas3"
    assert provider.next_id_token_override is None


def test_custom_identities_and_credentials() -> None:
    identities = {
        "Alex.Petit@culture.gouv.fr": {
            "sub": "pc-sub-alex",
            "given_name": "Alex",
            "usual_name": "Petit",
            "uid": "alex.petit",
            "siret": "11004601800013",
            "idp_id": "culture",
        }
    }
    with FakeProConnect(client_id="other-rp", client_secret="s3cret", identities=identities) as provider:
        params = authorize_params(client_id="other-rp", login_hint="alex.petit@culture.gouv.fr")
        code = authorize(provider, params)
        response = exchange(provider, code, client_id="other-rp", client_secret="s3cret")
        assert response.status_code == 200, response.text
        claims = decode(provider, response.json()["id_token"], audience="other-rp")
        assert claims["sub"] == "pc-sub-alex"


def test_identities_are_validated() -> None:
    with pytest.raises(ValueError, match="siret"):
        FakeProConnect(identities={"a@b.fr": {"sub": "x", "given_name": "A", "usual_name": "B", "uid": "a"}})
