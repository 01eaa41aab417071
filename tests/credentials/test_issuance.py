from __future__ import annotations

import io
import json

import jwt
import pytest
from django.db import IntegrityError, transaction
from joserfc import jws
from joserfc.jwk import KeySet
from pypdf import PdfReader

from essaim.core.models import AuditEntry
from essaim.credentials import keys, vc
from essaim.credentials.models import Credential, SigningKey
from essaim.credentials.selectors import credential_attestation_pdf
from essaim.credentials.services import credential_issue
from essaim.training.models import Completion
from tests.credentials.conftest import close_past_session

pytestmark = pytest.mark.django_db


def test_closing_a_session_issues_the_credentials_without_anyone_clicking(
    aligned_course, ministry, agent, other_agent, programme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        completions = close_past_session(aligned_course, ministry, [agent, other_agent], programme_admin)
    issued = Credential.objects.order_by("user__email")
    assert [c.completion_id for c in issued] == sorted(
        (c.pk for c in completions), key=lambda pk: Completion.objects.get(pk=pk).user.email
    )
    assert {c.user for c in issued} == {agent, other_agent}
    assert AuditEntry.objects.filter(action="credentials.credential.issue").count() == 2


def test_issuance_is_idempotent_and_the_database_holds_one_per_completion(credential, completion):
    assert credential_issue(completion=completion) == credential
    assert Credential.objects.count() == 1
    duplicate = Credential(
        completion=completion, user=completion.user, code="ESS-2222-2222-2222", status_index=1, kid="k", jwt="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_badge_is_an_open_badge_aligned_to_the_competency_and_level(credential, agent):
    claims = jwt.decode(credential.jwt, options={"verify_signature": False})
    badge = claims  # VC 2.0 + VC-JOSE-COSE: the payload is the credential, no `vc` wrapper
    assert "vc" not in claims
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["iss"] == badge["issuer"]["id"] == "https://essaim.test/attestations/emetteur/"
    # OB 3.0 §8.2: sub is credentialSubject.id, jti the credential id, nbf the issue date.
    assert claims["sub"] == badge["credentialSubject"]["id"] and claims["sub"].startswith("urn:uuid:")
    assert claims["jti"] == badge["id"] and claims["nbf"] == claims["iat"]
    # Per-session facts are the subject's; the achievement is the one published at its URL.
    assert badge["credentialSubject"]["activityStartDate"].endswith("Z")
    assert badge["credentialSubject"]["activityEndDate"] >= badge["credentialSubject"]["activityStartDate"]
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["name"] == "Facilitation : les fondamentaux"
    assert achievement["alignment"][0]["targetCode"] == "animer:decouvrir"
    assert achievement["alignment"][0]["targetName"] == "Animer un atelier — Découvrir"
    assert badge["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert badge["credentialStatus"]["statusListIndex"] == str(credential.status_index)
    # Minimal personal data: the name, and the e-mail only as a salted hash.
    assert agent.email not in credential.jwt and agent.email not in json.dumps(claims)
    header = jwt.get_unverified_header(credential.jwt)
    assert header["alg"] == "ES256" and header["typ"] == "vc+jwt"
    assert header["kid"] == f"https://essaim.test/attestations/emetteur/cles/{credential.kid}/"


def test_a_credential_verifies_with_an_independent_jose_library(credential, client):
    """joserfc, not PyJWT: the published JWKS alone is enough to check the signature."""
    published = client.get("/attestations/emetteur/jwks.json").json()
    assert all("d" not in key for key in published["keys"])  # public halves only
    key_set = KeySet.import_key_set(published)
    header = jwt.get_unverified_header(credential.jwt)
    obj = jws.deserialize_compact(credential.jwt, key_set.get_by_kid(header["kid"]), algorithms=["ES256"])
    payload = json.loads(obj.payload)
    assert payload["credentialSubject"]["achievement"]["name"] == "Facilitation : les fondamentaux"
    # The published status list verifies independently too, and holds the credential's bit.
    status_list = client.get("/attestations/statut/1/").content.decode()
    listed = json.loads(jws.deserialize_compact(status_list, key_set.get_by_kid(header["kid"])).payload)
    assert listed["type"][1] == "BitstringStatusListCredential"
    assert vc.status_bit(listed["credentialSubject"]["encodedList"], credential.status_index) is False
    tampered = credential.jwt.rsplit(".", 1)[0] + "." + "A" * 86
    with pytest.raises(Exception, match="signature"):
        jws.deserialize_compact(tampered, key_set.get_by_kid(header["kid"]), algorithms=["ES256"])


def test_the_attestation_pdf_states_name_course_date_and_code(credential):
    reader = PdfReader(io.BytesIO(credential_attestation_pdf(credential)))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert "Camille Durand" in text
    assert "Facilitation : les fondamentaux" in text
    assert credential.snapshot["start_label"] in text
    assert credential.code in text
    assert "Animer un atelier : Découvrir" in text
    assert "6 heures" in text
    assert "https://essaim.test/attestations/verifier/" + credential.code in text


def test_the_private_key_lives_in_the_key_directory_not_in_the_database(credential, settings):
    row = SigningKey.objects.get(kid=credential.kid)
    assert set(row.public_jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    key_file = settings.CREDENTIALS_KEY_DIR / f"{credential.kid}.pem"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert AuditEntry.objects.get(action="credentials.key.register").changes["kid"] == credential.kid


def test_a_key_given_by_the_variable_signs_and_is_published(settings, completion):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    settings.CREDENTIALS_SIGNING_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    issued = credential_issue(completion=completion)
    assert issued.kid == keys.thumbprint(keys.public_jwk(key))
    assert not list(settings.CREDENTIALS_KEY_DIR.glob("*.pem")) if settings.CREDENTIALS_KEY_DIR.exists() else True
    assert vc.verify_token(issued.jwt).status == "valid"


def test_trainer_track_completion_is_a_certification(aligned_course, ministry, agent, programme_admin):
    aligned_course.is_trainer_track = True
    aligned_course.save()
    done = close_past_session(aligned_course, ministry, [agent], programme_admin)
    issued = credential_issue(completion=done[0])
    assert issued.kind == Credential.Kind.TRAINER
    claims = jwt.decode(issued.jwt, options={"verify_signature": False})
    assert claims["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    reader = PdfReader(io.BytesIO(credential_attestation_pdf(issued)))
    assert "Certification de formateur" in reader.pages[0].extract_text()


def test_demo_credentials_are_issued_once(completion):
    from essaim.credentials.demo import demo_credentials_load

    assert demo_credentials_load() == {"issued": 1}
    assert demo_credentials_load() == {"issued": 0}
    assert Credential.objects.get().completion == completion


def test_deleting_a_person_deletes_their_credentials(credential, agent):
    agent.delete()
    assert not Credential.objects.exists()
