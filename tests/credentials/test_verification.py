from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.utils import timezone

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.credentials import vc
from essaim.credentials.keys import ALGORITHM, jwks, key_uri
from essaim.credentials.models import SigningKey
from essaim.credentials.selectors import status_list_published, verify_code
from essaim.credentials.services import credential_issue, credential_revoke, signing_key_retire, signing_key_rotate
from tests.credentials.conftest import close_past_session

pytestmark = pytest.mark.django_db


def _tamper(token: str, change) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_genuine_credential_is_valid(credential):
    result = vc.verify_token(credential.jwt)
    assert result.status == "valid"
    assert result.subject_name == "Camille Durand"
    assert result.achievement["name"] == "Facilitation : les fondamentaux"
    assert result.issued_at is not None and result.issuer_name


def test_a_tampered_credential_is_refused(credential):
    def promote(claims):
        claims["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "animer:transmettre"

    assert vc.verify_token(_tamper(credential.jwt, promote)).status == "invalid"


def test_a_credential_signed_by_another_key_is_refused(credential):
    claims = jwt.decode(credential.jwt, options={"verify_signature": False})
    stranger = ec.generate_private_key(ec.SECP256R1())
    # Same kid as the genuine key: only the signature can tell.
    forged = jwt.encode(claims, stranger, algorithm=ALGORITHM, headers={"kid": credential.kid})
    assert vc.verify_token(forged).status == "invalid"
    forged_other_kid = jwt.encode(claims, stranger, algorithm=ALGORITHM, headers={"kid": "inconnue"})
    assert vc.verify_token(forged_other_kid).status == "invalid"


def test_unsigned_and_garbage_tokens_are_refused(credential):
    claims = jwt.decode(credential.jwt, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert vc.verify_token(unsigned).status == "invalid"
    for garbage in ["", "abc", "a.b.c", "😀." * 3, credential.jwt[:-10]]:
        assert vc.verify_token(garbage).status == "invalid"


def test_a_revoked_credential_is_refused_through_the_published_status_list(credential, programme_admin):
    before = status_list_published()
    credential_revoke(credential=credential, reason="Présence déclarée par erreur", acting_user=programme_admin)
    assert vc.verify_token(credential.jwt).status == "revoked"
    # The verdict comes from the list: the list published before revocation still says valid.
    assert vc.verify_token(credential.jwt, status_list=before).status == "valid"
    entry = AuditEntry.objects.get(action="credentials.credential.revoke")
    assert entry.changes["reason"] == "Présence déclarée par erreur" and entry.actor == programme_admin
    with pytest.raises(ServiceError):
        credential_revoke(credential=credential, reason="encore", acting_user=programme_admin)


def test_revocation_needs_a_reason(credential, programme_admin):
    with pytest.raises(ServiceError):
        credential_revoke(credential=credential, reason="   ", acting_user=programme_admin)
    assert vc.verify_token(credential.jwt).status == "valid"


def test_the_status_list_is_a_signed_bitstring_status_list_credential(credential, other_credential, programme_admin):
    credential_revoke(credential=credential, reason="erreur", acting_user=programme_admin)
    token = status_list_published()
    claims = jwt.decode(token, options={"verify_signature": False})
    subject = claims["credentialSubject"]
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert subject["statusPurpose"] == "revocation"
    assert vc.status_bit(subject["encodedList"], credential.status_index) is True
    assert vc.status_bit(subject["encodedList"], other_credential.status_index) is False
    forged_list = _tamper(token, lambda c: c["credentialSubject"].update(encodedList=vc.encode_status_list([])))
    assert vc.verify_token(credential.jwt, status_list=forged_list).status == "invalid"


def test_an_expired_credential_is_refused(settings, completion):
    settings.CREDENTIALS_VALIDITY_DAYS = 30
    issued = credential_issue(completion=completion)
    assert issued.expires_at is not None
    assert vc.verify_token(issued.jwt).status == "valid"
    later = timezone.now() + dt.timedelta(days=31)
    result = vc.verify_token(issued.jwt, at=later)
    assert result.status == "expired" and result.expires_at is not None


def test_an_unknown_code_is_unknown(credential):
    assert verify_code("ESS-ZZZZ-ZZZZ-ZZZZ")[0].status == "unknown"
    assert verify_code("n'importe quoi")[0].status == "unknown"
    # Codes typed back from paper: case, spaces and dashes do not matter.
    assert verify_code(credential.code.lower().replace("-", " "))[0].status == "valid"


def test_key_rotation_new_key_signs_new_credentials_old_ones_still_verify(credential, other_agent, aligned_course):
    old_kid = credential.kid
    call_command("rotate_signing_key")
    current = SigningKey.objects.get(is_current=True)
    assert current.kid != old_kid
    assert {k["kid"] for k in jwks()["keys"]} == {key_uri(old_kid), key_uri(current.kid)}
    done = close_past_session(aligned_course, credential.completion.session.organiser, [other_agent], None)
    fresh = credential_issue(completion=done[0])
    assert jwt.get_unverified_header(fresh.jwt)["kid"] == key_uri(current.kid)
    assert vc.verify_token(fresh.jwt).status == "valid"
    assert vc.verify_token(credential.jwt).status == "valid"
    assert AuditEntry.objects.filter(action="credentials.key.rotate").exists()
    # Retiring a key withdraws it: what it signed no longer verifies.
    with pytest.raises(ServiceError):
        signing_key_retire(kid=current.kid)
    signing_key_retire(kid=old_kid)
    assert key_uri(old_kid) not in {k["kid"] for k in jwks()["keys"]}
    assert vc.verify_token(credential.jwt).status == "invalid"
    assert vc.verify_token(fresh.jwt).status == "valid"


def test_rotation_is_refused_when_the_key_comes_from_the_variable(settings, credential):
    settings.CREDENTIALS_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----"
    with pytest.raises(ServiceError):
        signing_key_rotate()


def test_the_sweep_issues_what_the_task_missed(completion):
    from essaim.credentials.services import credentials_issue_missing

    assert credentials_issue_missing() == 1
    assert credentials_issue_missing() == 0
    assert completion.credential.code.startswith("ESS-")
