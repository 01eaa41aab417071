"""Open Badges 3.0 credentials as W3C Verifiable Credentials in VC-JWT, the W3C Bitstring
Status List that publishes revocations, and the verification of both."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from essaim.credentials.keys import ALGORITHM, current_signing_key, key_uri, kid_from_header, published_keys

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_LIST_BITS = 131_072  # 16 KB: the minimum size the W3C recommends (herd privacy)
STATUS_LIST_NUMBER = 1
STATUS_LIST_CACHE_KEY = "credentials:status-list:1"  # dropped by revocation and key changes
STATUS_LIST_CACHE_SECONDS = 300


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def issuer_id() -> str:
    return absolute(reverse("credentials:issuer"))


def issuer_profile() -> dict[str, Any]:
    """The issuer's Profile, which is also the controller document of the key that signs
    badge.json: DID v1's context first (it defines `assertionMethod`; verifiers read such a
    document as it is, without framing it)."""
    from essaim.credentials.integrity import controller_members

    return {
        "@context": ["https://www.w3.org/ns/did/v1", *CONTEXTS],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.CREDENTIALS_ISSUER_NAME,
        "url": settings.SITE_URL + "/",
        "description": "Essaim — formation des agents publics à la facilitation et à la participation citoyenne.",
        **controller_members(),
    }


def status_list_url() -> str:
    return absolute(reverse("credentials:status-list", args=[STATUS_LIST_NUMBER]))


def iso_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_iso = iso_datetime


def subject_identifier(user_pk: int) -> str:
    """`credentialSubject.id` (and the JWT `sub`): the same for all of a person's badges, so a
    wallet can group them, and derived with a keyed hash from nothing public, so it reveals
    neither the e-mail nor the account."""
    digest = salted_hmac("essaim.credentials.subject", str(user_pk), algorithm="sha256").digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def achievement(
    *,
    code: str,
    title: str,
    summary: str,
    threshold: int,
    trainer: bool,
    framework: str,
    outcomes: list[dict[str, Any]],
) -> dict[str, Any]:
    """The Achievement: one text for everyone who earns it, published at its own URL and
    embedded, identical, in each credential (the view and the issuer both call this)."""
    return {
        "id": absolute(reverse("credentials:achievement", args=[code])),
        "type": ["Achievement"],
        "achievementType": "Certification" if trainer else "Course",
        "name": title,
        "description": summary,
        "criteria": {"narrative": f"Avoir suivi la formation « {title} » avec une présence d’au moins {threshold} %."},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": f"{o['competency_name']} — {o['level_name']}",
                "targetCode": f"{o['competency']}:{o['level']}",
                "targetFramework": framework,
                "targetType": "CFItem",
                "targetUrl": absolute(reverse("framework:current")),
            }
            for o in outcomes
        ],
        "creator": {"id": issuer_id(), "type": ["Profile"], "name": settings.CREDENTIALS_ISSUER_NAME},
    }


def build_credential(
    *,
    credential_id: str,
    code: str,
    status_index: int,
    snapshot: dict[str, Any],
    email: str,
    subject_id: str,
    issued_at: dt.datetime,
    expires_at: dt.datetime | None,
) -> dict[str, Any]:
    """The OpenBadgeCredential: the achievement is the course, aligned to the framework's
    competencies at the level the course reaches. The subject is identified by name and a
    salted hash of the e-mail — never the e-mail itself."""
    salt = code.replace("-", "")
    identity_hash = "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    credential: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": snapshot["course_title"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": settings.CREDENTIALS_ISSUER_NAME},
        "validFrom": _iso(issued_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": snapshot["name"],
                },
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash,
                    "salt": salt,
                },
            ],
            "achievement": achievement(
                code=snapshot["course_code"],
                title=snapshot["course_title"],
                summary=snapshot.get("course_summary", ""),
                threshold=snapshot["threshold"],
                trainer=snapshot["kind"] == "trainer",
                framework=snapshot["framework"],
                outcomes=snapshot["outcomes"],
            ),
            # What happened in this session belongs to this person, not to the achievement
            # every holder shares (OB 3.0 AchievementSubject).
            "activityStartDate": snapshot.get("start_at") or f"{snapshot['start_date']}T00:00:00Z",
            "activityEndDate": snapshot.get("end_at") or f"{snapshot['end_date']}T00:00:00Z",
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(),
        },
        "evidence": [{"type": ["Evidence"], "name": "Code de vérification", "description": code}],
    }
    if expires_at is not None:
        credential["validUntil"] = _iso(expires_at)
    return credential


#: JOSE `typ` of a VC 2.0 credential secured with VC-JOSE-COSE (media type application/vc+jwt).
JOSE_TYPE = "vc+jwt"


def _secure(credential: dict[str, Any], claims: dict[str, Any]) -> tuple[str, str]:
    """VC-JOSE-COSE (W3C, VC 2.0): the JWT payload *is* the credential — `@context` at the
    top, no VC 1.1 `vc` wrapper — with the JWT claims OB 3.0 §8.2 asks for beside it. The
    header's `kid` is a URL that dereferences to the public key."""
    kid, key = current_signing_key()
    payload = {**credential, **claims}
    token = jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": key_uri(kid), "typ": JOSE_TYPE})
    return kid, token


def sign(credential: dict[str, Any], *, issued_at: dt.datetime, expires_at: dt.datetime | None) -> tuple[str, str]:
    """Sign an OpenBadgeCredential: `iss`, `jti`, `sub` (= credentialSubject.id), `nbf`,
    `iat` and, when it expires, `exp`, mirror the credential's own members."""
    claims: dict[str, Any] = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
    }
    if expires_at is not None:
        claims["exp"] = int(expires_at.timestamp())
    return _secure(credential, claims)


def credential_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The credential a verified payload carries: the payload itself (VC 2.0), or the `vc`
    claim of credentials signed before (VC 1.1 encoding), which still verify."""
    if isinstance(claims.get("vc"), dict):
        return dict(claims["vc"])
    return {k: v for k, v in claims.items() if k not in JWT_CLAIMS}


JWT_CLAIMS = frozenset({"iss", "jti", "sub", "iat", "nbf", "exp", "aud"})


# --- Status list ---------------------------------------------------------------------------


def encode_status_list(revoked_indexes: list[int]) -> str:
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def status_bit(encoded_list: str, index: int) -> bool:
    if not encoded_list.startswith("u"):
        raise ValueError("not a base64url multibase string")
    payload = encoded_list[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(revoked_indexes: list[int], *, now: dt.datetime) -> dict[str, Any]:
    """The BitstringStatusListCredential, unsecured: the JWT and the JSON-LD list both carry it."""
    url = status_list_url()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indexes),
        },
    }


def status_list_token(revoked_indexes: list[int], *, now: dt.datetime | None = None) -> str:
    """The BitstringStatusListCredential, signed as VC-JWT."""
    now = now or timezone.now()
    credential = status_list_credential(revoked_indexes, now=now)
    url = credential["id"]
    return _secure(
        credential, {"iss": issuer_id(), "jti": url, "iat": int(now.timestamp()), "nbf": int(now.timestamp())}
    )[1]


def status_list_document(revoked_indexes: list[int], *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The same list as JSON-LD with an embedded eddsa-rdfc-2022 proof: what a Data Integrity
    verifier (the DCC's, a wallet) fetches for a badge.json's credentialStatus."""
    from essaim.credentials.integrity import add_proof

    now = now or timezone.now()
    return add_proof(status_list_credential(revoked_indexes, now=now), created=now)


# --- Verification --------------------------------------------------------------------------


@dataclass
class Verification:
    """The outcome a verifier shows: `status` is valid, revoked, expired, invalid or unknown."""

    status: str
    credential: dict[str, Any] = field(default_factory=dict)
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    kid: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    @property
    def achievement(self) -> dict[str, Any]:
        return self.credential.get("credentialSubject", {}).get("achievement", {})

    @property
    def subject_name(self) -> str:
        for identity in self.credential.get("credentialSubject", {}).get("identifier", []):
            if identity.get("identityType") == "name" and not identity.get("hashed"):
                return str(identity.get("identityHash", ""))
        return ""

    @property
    def issuer_name(self) -> str:
        issuer = self.credential.get("issuer", {})
        return str(issuer.get("name", "")) if isinstance(issuer, dict) else str(issuer)


def _verified_claims(token: str) -> tuple[str, dict[str, Any]] | None:
    """The claims if `token` is signed by one of the issuer's published keys, else None."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    kid = kid_from_header(header.get("kid"))
    if header.get("alg") != ALGORITHM or kid is None:
        return None
    jwk = published_keys().get(kid)
    if jwk is None:
        return None
    try:
        claims = jwt.decode(
            token,
            jwt.PyJWK(jwk, algorithm=ALGORITHM).key,
            algorithms=[ALGORITHM],
            issuer=issuer_id(),
            options={"verify_exp": False, "require": ["iss", "iat"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    credential = credential_of(claims)
    if CONTEXTS[0] not in (credential.get("@context") or [])[:1]:
        return None
    subject = credential.get("credentialSubject")
    if "sub" in claims and (not isinstance(subject, dict) or subject.get("id") != claims["sub"]):
        return None  # the JWT says one holder, the credential another
    return kid, {**claims, "vc": credential}


def verify_token(token: str, *, status_list: str | None = None, at: dt.datetime | None = None) -> Verification:
    """Signature (a published key), issuer, expiry (now, or at the date `at`), then the
    revocation bit read from the published status list credential (verified like any
    credential)."""
    if token.lstrip().startswith("{"):
        return verify_document(token, at=at)
    token = "".join(token.split())
    checked = _verified_claims(token)
    if checked is None:
        return Verification(status="invalid")
    kid, claims = checked
    credential = claims["vc"]
    issued = dt.datetime.fromtimestamp(claims["iat"], tz=dt.UTC)
    expires = dt.datetime.fromtimestamp(claims["exp"], tz=dt.UTC) if "exp" in claims else None
    result = Verification(status="valid", credential=credential, issued_at=issued, expires_at=expires, kid=kid)
    entry = credential.get("credentialStatus")
    if isinstance(entry, dict):
        if status_list is None:
            from essaim.credentials.selectors import status_list_published

            status_list = status_list_published()
        listed = _verified_claims(status_list)
        if listed is None or entry.get("statusListCredential") != listed[1]["vc"].get("id"):
            return Verification(status="invalid")
        try:
            revoked = status_bit(listed[1]["vc"]["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))
        except (KeyError, ValueError, IndexError, OSError):
            return Verification(status="invalid")
        if revoked:
            result.status = "revoked"
            return result
    if expires is not None and expires <= (at or timezone.now()):
        result.status = "expired"
    return result


def _parse_date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def verify_document(text: str, *, at: dt.datetime | None = None) -> Verification:
    """A pasted badge.json: its Data Integrity proof by the issuer's current Ed25519 key,
    the issuer, then the revocation bit of the JSON-LD status list (its proof checked too),
    then expiry. Anything else — not JSON, no proof, another key — is invalid."""
    import json

    from essaim.credentials import integrity
    from essaim.credentials.selectors import status_list_document_published

    try:
        credential = json.loads(text)
    except ValueError:
        return Verification(status="invalid")
    trusted = {integrity.verification_method()}
    if not isinstance(credential, dict) or not integrity.verify_proof(credential, trusted=trusted):
        return Verification(status="invalid")
    issuer = credential.get("issuer")
    if (issuer.get("id") if isinstance(issuer, dict) else issuer) != issuer_id():
        return Verification(status="invalid")
    body = {k: v for k, v in credential.items() if k != "proof"}
    issued, expires = _parse_date(body.get("validFrom")), _parse_date(body.get("validUntil"))
    result = Verification(status="valid", credential=body, issued_at=issued, expires_at=expires)
    entry = body.get("credentialStatus")
    if isinstance(entry, dict):
        listed = status_list_document_published()
        if not integrity.verify_proof(listed, trusted=trusted) or entry.get("statusListCredential") != listed["id"]:
            return Verification(status="invalid")
        try:
            revoked = status_bit(listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))
        except (KeyError, ValueError, IndexError, OSError, TypeError):
            return Verification(status="invalid")
        if revoked:
            result.status = "revoked"
            return result
    if expires is not None and expires <= (at or timezone.now()):
        result.status = "expired"
    return result
