"""badge.json carries an embedded Data Integrity proof (eddsa-rdfc-2022): checked by the
Digital Credentials Consortium verifier (@digitalcredentials/verifier-core, what the Learner
Credential Wallet and VerifierPlus run) and by Digital Bazaar's @digitalbazaar/vc with its
eddsa-rdfc-2022 cryptosuite (js/badges), offline, from what Essaim publishes."""

from __future__ import annotations

import copy
import json
import subprocess  # nosec B404
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from essaim.credentials import integrity
from essaim.credentials.services import credential_revoke
from tests.nodetools import node_tool_dir

pytestmark = pytest.mark.django_db
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def _badge(client, agent, credential) -> dict:
    client.force_login(agent)
    response = client.get(f"/attestations/{credential.code}/badge.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _published_json(client, url: str) -> dict:
    """What a JSON-LD verifier's HTTP client gets at `url` (it asks for JSON)."""
    response = client.get(urlsplit(url).path, HTTP_ACCEPT="application/ld+json, application/json")
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/vc+ld+json")
    return response.json()


def _run(client, badge: dict, tmp_path: Path) -> dict:
    """Both verifiers get the badge, the vendored contexts and the status list the site
    serves at the badge's statusListCredential URL; nothing else (no network)."""
    folder = node_tool_dir("badges")
    documents = {url: integrity.document_loader(url)["document"] for url in integrity.CONTEXT_FILES}
    status_url = badge["credentialStatus"]["statusListCredential"]
    documents[status_url] = _published_json(client, status_url)
    # The key, then its controller (the issuer profile), as the site serves them.
    for url in (badge["proof"]["verificationMethod"], badge["issuer"]["id"]):
        response = client.get(urlsplit(url).path, HTTP_ACCEPT="application/ld+json, application/json")
        if response.status_code == 200:
            documents[url] = response.json()
    source = tmp_path / "input.json"
    source.write_text(json.dumps({"credential": badge, "documents": documents}), encoding="utf-8")
    result = subprocess.run(  # nosec B603 B607
        ["node", str(folder / "verify.mjs"), str(source)],
        capture_output=True,
        check=False,
        cwd=folder,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    output: dict = json.loads(result.stdout)
    # Nothing else was asked for, except the 1EdTech JSON Schema verifier-core reads for its
    # "additional information" (not vendored; the schema is checked elsewhere), refused here.
    assert set(output["requested"]) - set(documents) <= {OB_SCHEMA}, output["requested"]
    return output


def test_the_dcc_verifier_and_digitalbazaar_accept_badge_json_then_see_it_revoked(
    client, agent, credential, programme_admin, tmp_path
):
    badge = _badge(client, agent, credential)
    proof = badge["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith("https://essaim.test/attestations/emetteur/multikey/z6Mk")

    result = _run(client, badge, tmp_path)
    assert result["dcc"] == {
        "steps": {"valid_signature": True, "expiration": True, "revocation_status": True, "registered_issuer": False}
    }, result
    assert result["digitalbazaar"]["verified"] is True, result
    assert result["digitalbazaar"]["status"] == {"verified": True, "revoked": False, "error": None}

    credential_revoke(credential=credential, reason="erreur de saisie", acting_user=programme_admin)
    result = _run(client, _badge(client, agent, credential), tmp_path)
    assert result["dcc"]["steps"]["valid_signature"] is True
    assert result["dcc"]["steps"]["revocation_status"] is False, result
    assert result["digitalbazaar"]["signature"] is True
    assert result["digitalbazaar"]["status"] == {"verified": True, "revoked": True, "error": None}, result


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b["credentialSubject"]["identifier"][0].update(identityHash="Dominique Martin"),
        lambda b: b.update(validFrom="2020-01-01T00:00:00Z"),
        lambda b: b["credentialSubject"]["achievement"].update(name="Autre badge"),
        lambda b: b["proof"].update(created="2020-01-01T00:00:00Z"),
    ],
    ids=["holder", "date", "achievement", "proof-options"],
)
def test_a_tampered_badge_json_is_refused_by_both_verifiers_and_by_essaim(client, agent, credential, tmp_path, tamper):
    badge = _badge(client, agent, credential)
    assert integrity.verify_proof(badge) is True
    forged = copy.deepcopy(badge)
    tamper(forged)
    assert integrity.verify_proof(forged) is False
    result = _run(client, forged, tmp_path)
    assert "steps" not in result["dcc"] and "invalid_signature" in json.dumps(result["dcc"]).lower(), result
    assert result["digitalbazaar"]["verified"] is False and result["digitalbazaar"]["signature"] is False


def test_a_badge_signed_by_another_key_is_not_ours(client, agent, credential, settings, tmp_path):
    badge = _badge(client, agent, credential)
    ours = badge["proof"]["verificationMethod"]
    assert integrity.verify_proof(badge, trusted={ours}) is True
    settings.CREDENTIALS_KEY_DIR = tmp_path / "other-keys"  # the site's key changed: the old URL is no longer ours
    assert integrity.verify_proof(badge) is False
    other = integrity.add_proof({k: v for k, v in badge.items() if k != "proof"}, created=credential.issued_at)
    assert integrity.verify_proof(other) is True and integrity.verify_proof(other, trusted={ours}) is False


def test_contexts_are_never_downloaded(credential):
    from pyld import jsonld

    with pytest.raises(jsonld.JsonLdError):
        integrity.document_loader("https://example.org/context.jsonld")
    with pytest.raises(jsonld.JsonLdError):  # a document naming an unknown context cannot be signed
        integrity.add_proof(
            {"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/context.jsonld"], "name": "x"},
            created=credential.issued_at,
        )


def test_the_status_list_speaks_jwt_by_default_and_json_ld_to_who_asks(client, credential):
    default = client.get("/attestations/statut/1/")
    assert default["Content-Type"] == "application/vc+jwt" and "Accept" in default["Vary"].split(", ")
    assert client.get("/attestations/statut/1/", HTTP_ACCEPT="application/vc+jwt")["Content-Type"] == (
        "application/vc+jwt"
    )
    listed = _published_json(client, "/attestations/statut/1/")
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert integrity.verify_proof(listed) is True


def test_the_key_and_its_controller_are_published(client, credential):
    method = integrity.verification_method()
    key = client.get(urlsplit(method).path).json()
    assert key["type"] == "Multikey" and key["id"] == method and key["publicKeyMultibase"].startswith("z6Mk")
    assert "secretKeyMultibase" not in key
    profile = client.get("/attestations/emetteur/").json()
    assert key["controller"] == profile["id"] and profile["assertionMethod"] == [method]
    integrity.canonical_nquads(profile)  # the profile's contexts agree (no protected-term clash)
    assert client.get("/attestations/emetteur/multikey/z6MkAutreCle/").status_code == 404


def test_a_visitor_pastes_badge_json_and_sees_valid_then_revoked(client, agent, credential, programme_admin):
    badge = json.dumps(_badge(client, agent, credential), ensure_ascii=False, indent=2)
    client.logout()
    page = client.post("/attestations/verifier/", {"token": badge}).content.decode()
    assert "Attestation valide" in page and "Camille Durand" in page
    forged = badge.replace("Camille Durand", "Dominique Martin")
    for text in (forged, "{pas du json", "[]", json.dumps({"proof": {}}), json.dumps({"proof": "x"})):
        response = client.post("/attestations/verifier/", {"token": text})
        assert response.status_code == 200 and "Badge non authentique" in response.content.decode(), text
    credential_revoke(credential=credential, reason="erreur", acting_user=programme_admin)
    assert "Attestation révoquée" in client.post("/attestations/verifier/", {"token": badge}).content.decode()
