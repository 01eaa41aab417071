"""The VC-JWT read by jwcrypto (an independent JOSE implementation) from what Essaim
publishes, and nothing else: the key its `kid` URL dereferences to, the published status
list. VC 2.0 + VC-JOSE-COSE: the payload is the credential, `@context` first."""

from __future__ import annotations

import base64
import gzip
import json
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from jwcrypto import jwk, jws
from jwcrypto import jwt as jcjwt

from essaim.credentials import vc
from essaim.credentials.services import credential_revoke

pytestmark = pytest.mark.django_db


def _get(client, url: str):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response


def _verify(client, token: str) -> dict:
    """What a third-party verifier does: dereference the header's kid, check the signature."""
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["typ"] == "vc+jwt" and header["alg"] == "ES256"
    key = jwk.JWK(**_get(client, header["kid"]).json())
    published = jwk.JWKSet.from_json(_get(client, "/attestations/emetteur/jwks.json").content)
    assert published.get_key(header["kid"]).thumbprint() == key.thumbprint()
    verified = jcjwt.JWT(jwt=token, key=key, algs=["ES256"], check_claims={"iss": None, "nbf": None})
    return json.loads(verified.claims)


def _bit(encoded: str, index: int) -> bool:
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def test_jwcrypto_verifies_badge_and_revocation_from_published_documents_only(client, credential, programme_admin):
    claims = _verify(client, credential.jwt)
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "vc" not in claims
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["jti"] == claims["id"] and claims["iss"] == claims["issuer"]["id"]
    status = claims["credentialStatus"]
    listed = _verify(client, _get(client, status["statusListCredential"]).content.decode())
    assert listed["id"] == status["statusListCredential"]
    assert listed["credentialSubject"]["statusPurpose"] == status["statusPurpose"] == "revocation"
    assert _bit(listed["credentialSubject"]["encodedList"], int(status["statusListIndex"])) is False

    credential_revoke(credential=credential, reason="erreur de saisie", acting_user=programme_admin)
    listed = _verify(client, _get(client, status["statusListCredential"]).content.decode())
    assert _bit(listed["credentialSubject"]["encodedList"], int(status["statusListIndex"])) is True

    tampered = credential.jwt.rsplit(".", 1)[0] + "." + "A" * 86
    with pytest.raises(jws.InvalidJWSSignature):
        _verify(client, tampered)


def test_a_sub_that_names_another_holder_is_refused(credential):
    """Signed by our own key, but the JWT's sub and the credential's subject disagree."""
    from essaim.credentials.keys import current_signing_key, key_uri

    kid, key = current_signing_key()
    claims = pyjwt.decode(credential.jwt, options={"verify_signature": False})
    claims["sub"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    forged = pyjwt.encode(claims, key, algorithm="ES256", headers={"kid": key_uri(kid), "typ": "vc+jwt"})
    assert vc.verify_token(forged).status == "invalid"


def test_credentials_signed_in_the_former_vc_claim_encoding_still_verify(credential):
    from essaim.credentials.keys import current_signing_key

    kid, key = current_signing_key()
    claims = pyjwt.decode(credential.jwt, options={"verify_signature": False})
    credential_body = vc.credential_of(claims)
    legacy = pyjwt.encode(
        {"vc": credential_body, "iss": claims["iss"], "jti": claims["jti"], "iat": claims["iat"], "nbf": claims["nbf"]},
        key,
        algorithm="ES256",
        headers={"kid": kid, "typ": "JWT"},  # a bare thumbprint, as before key URLs
    )
    result = vc.verify_token(legacy)
    assert (
        result.status == "valid"
        and result.achievement["name"] == credential_body["credentialSubject"]["achievement"]["name"]
    )


def _transmute(client, token: str) -> dict:
    """@transmute/verifiable-credentials and @digitalbazaar/vc-bitstring-status-list
    (js/vc-jose), offline: they get only what Essaim publishes — the key each `kid` URL
    serves and the status list — read here through the site's own URLs."""
    import subprocess  # nosec B404

    from tests.nodetools import node_tool_dir

    folder = node_tool_dir("vc-jose")
    resources = {}
    pending = [token]
    while pending:
        current = pending.pop()
        header = json.loads(base64.urlsafe_b64decode(current.split(".")[0] + "=="))
        resources[header["kid"]] = _get(client, header["kid"]).content.decode()
        payload = json.loads(base64.urlsafe_b64decode(current.split(".")[1] + "=="))
        status = payload.get("credentialStatus")
        if status and status["statusListCredential"] not in resources:
            listed = _get(client, status["statusListCredential"]).content.decode()
            resources[status["statusListCredential"]] = listed
            pending.append(listed)
    result = subprocess.run(  # nosec B603 B607
        ["node", str(folder / "validate.mjs")],
        input=json.dumps({"credential": token, "resources": resources}).encode(),
        capture_output=True,
        check=True,
        cwd=folder,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_a_vc_2_0_jose_verifier_reads_context_and_status(client, credential, programme_admin):
    result = _transmute(client, credential.jwt)
    assert result["verified"] is True, result
    assert result["context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in result["type"] and result["subject"].startswith("urn:uuid:")
    assert result["status"] == {"purpose": "revocation", "revocation": False}

    credential_revoke(credential=credential, reason="erreur de saisie", acting_user=programme_admin)
    assert _transmute(client, credential.jwt)["status"] == {"purpose": "revocation", "revocation": True}

    tampered = credential.jwt.rsplit(".", 1)[0] + "." + "A" * 86
    assert _transmute(client, tampered)["verified"] is False
