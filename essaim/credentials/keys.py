"""The issuer's signing keys.

The private key never enters the repository nor the database. It comes from
`CREDENTIALS_SIGNING_KEY` (a PEM, e.g. a mounted secret's content) or from a PEM file named
after its kid in `CREDENTIALS_KEY_DIR`; outside production a key is generated there on first
use. The database keeps only public keys (`SigningKey`): the JWKS lists those not retired,
so credentials signed before a rotation still verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from essaim.credentials.models import SigningKey

ALGORITHM = "ES256"  # ECDSA P-256 + SHA-256: RFC 9864 deprecates the "EdDSA" identifier
_loaded: dict[str, ec.EllipticCurvePrivateKey] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private_key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: the SHA-256 of the required members in lexicographic order."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _key_dir() -> Path:
    return Path(settings.CREDENTIALS_KEY_DIR)


def _load_pem(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("The credentials signing key must be a P-256 (ES256) private key, PEM.")
    return key


def generate_key_file() -> tuple[str, ec.EllipticCurvePrivateKey]:
    """A new P-256 key written (mode 0600) to CREDENTIALS_KEY_DIR/<kid>.pem."""
    key = ec.generate_private_key(ec.SECP256R1())
    kid = thumbprint(public_jwk(key))
    directory = _key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = directory / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    _loaded[kid] = key
    return kid, key


def _audit_new_key(row: SigningKey, source: str) -> None:
    from essaim.core.services import audit_log

    audit_log(
        actor=None,
        role="system",
        action="credentials.key.register",
        target=row,
        summary=f"Clé de signature des attestations enregistrée ({source})",
        changes={"kid": row.kid, "source": source},
    )


def register_current(kid: str, key: ec.EllipticCurvePrivateKey) -> SigningKey:
    """Publish `kid` and make it the one that signs (the previous one stays published)."""
    SigningKey.objects.filter(is_current=True).exclude(kid=kid).update(is_current=False)
    row, _created = SigningKey.objects.update_or_create(
        kid=kid, defaults={"public_jwk": {**public_jwk(key), "kid": kid, "alg": ALGORITHM, "use": "sig"}}
    )
    if not row.is_current or row.retired_at is not None:
        row.is_current = True
        row.retired_at = None
        row.save(update_fields=["is_current", "retired_at"])
    return row


def current_signing_key() -> tuple[str, ec.EllipticCurvePrivateKey]:
    """The key that signs now: from the variable, else the current key's file; generated on
    first use outside production. Registers its public half when it is new."""
    configured = settings.CREDENTIALS_SIGNING_KEY
    if configured:
        key = _load_pem(configured.encode())
        kid = thumbprint(public_jwk(key))
        if not SigningKey.objects.filter(kid=kid, is_current=True).exists():
            _audit_new_key(register_current(kid, key), "CREDENTIALS_SIGNING_KEY")
        return kid, key
    row = SigningKey.objects.filter(is_current=True).first()
    if row is None:
        if settings.ESSAIM_ENV == "production":
            raise ImproperlyConfigured(
                "No credentials signing key: set CREDENTIALS_SIGNING_KEY or run `manage.py rotate_signing_key`."
            )
        kid, key = generate_key_file()
        _audit_new_key(register_current(kid, key), "generated on first use")
        return kid, key
    return row.kid, private_key_for(row.kid)


def private_key_for(kid: str) -> ec.EllipticCurvePrivateKey:
    if kid not in _loaded:
        path = _key_dir() / f"{kid}.pem"
        if not path.exists():
            raise ImproperlyConfigured(f"The private key of the current signing key {kid} is missing: {path}")
        _loaded[kid] = _load_pem(path.read_bytes())
    return _loaded[kid]


def published_keys() -> dict[str, dict[str, Any]]:
    """{kid: public JWK} of every key not retired: what verification trusts."""
    return {row.kid: row.public_jwk for row in SigningKey.objects.filter(retired_at__isnull=True)}


def key_uri(kid: str) -> str:
    """The JOSE `kid` of a signature: a URL that dereferences to the public key itself
    (OB 3.0 §8.2), whose last segment is the RFC 7638 thumbprint."""
    from django.urls import reverse

    return settings.SITE_URL + reverse("credentials:key", args=[kid])


def kid_from_header(value: Any) -> str | None:
    """The thumbprint a JOSE header names: a key URI of ours, or (credentials signed before
    key URIs) the bare thumbprint."""
    if not isinstance(value, str):
        return None
    prefix = key_uri("KID").removesuffix("KID/")
    if value.startswith(prefix):
        value = value.removeprefix(prefix).removesuffix("/")
    return value if value and "/" not in value else None


def public_key_document(kid: str) -> dict[str, Any] | None:
    jwk = published_keys().get(kid)
    return None if jwk is None else {**jwk, "kid": key_uri(kid)}


def jwks() -> dict[str, Any]:
    """The published keys, each named by its key URI (what signature headers carry)."""
    return {"keys": [{**jwk, "kid": key_uri(kid)} for kid, jwk in published_keys().items()]}
