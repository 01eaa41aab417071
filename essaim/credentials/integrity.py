"""W3C Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (Ed25519 over RDF
Dataset Canonicalization), embedded in `badge.json` and in the JSON-LD status list: the
format the Digital Credentials Consortium verifier and Learner Credential Wallet check.

The signing key is an Ed25519 key beside the ES256 one (keys.py signs the VC-JWT). Its
public half is a Multikey published under the issuer's URL, and the issuer profile lists it
in `assertionMethod` (so the profile is the key's controller document).
JSON-LD contexts are vendored in `contexts/` and loaded by `document_loader`: canonicalizing
never downloads anything.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyld import jsonld

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
KEY_FILE = "ed25519.pem"
_MULTICODEC_ED25519_PUB = b"\xed\x01"
_CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
#: Every context a credential of ours names, and the file that holds its vendored copy.
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
_loaded: dict[str, Ed25519PrivateKey] = {}

# --- base58btc multibase (the alphabet of Bitcoin, as Multibase's "z" prefix) ------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = _B58[rest] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        position = _B58.find(char)
        if position < 0:
            raise ValueError("not base58btc")
        number = number * 58 + position
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


# --- the key ---------------------------------------------------------------------------------


def _load(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("CREDENTIALS_EDDSA_SIGNING_KEY must be an Ed25519 private key, PEM.")
    return key


def signing_key() -> Ed25519PrivateKey:
    """From `CREDENTIALS_EDDSA_SIGNING_KEY` (a PEM), else CREDENTIALS_KEY_DIR/ed25519.pem,
    generated there (mode 0600) on first use outside production."""
    configured = settings.CREDENTIALS_EDDSA_SIGNING_KEY
    if configured:
        return _load(configured.encode())
    path = Path(settings.CREDENTIALS_KEY_DIR) / KEY_FILE
    if str(path) in _loaded:
        return _loaded[str(path)]
    if not path.exists():
        if settings.ESSAIM_ENV == "production":
            raise ImproperlyConfigured(
                f"No Ed25519 signing key for badge.json: set CREDENTIALS_EDDSA_SIGNING_KEY or place a PEM at {path}."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process generated it first: use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    _loaded[str(path)] = _load(path.read_bytes())
    return _loaded[str(path)]


def public_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey `publicKeyMultibase`: "z" + base58btc(0xed01 ‖ the 32-byte key)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(_MULTICODEC_ED25519_PUB + raw)


def _multibase() -> str:
    return public_multibase(signing_key().public_key())


def verification_method() -> str:
    """The URL of the signing key's Multikey, under the issuer: its `controller` is the
    issuer, whose profile lists it in `assertionMethod` (VC 2.0 verifiers require that the
    issuer controls the key)."""
    from django.urls import reverse

    return settings.SITE_URL + reverse("credentials:multikey", args=[_multibase()])


def multikey_document(multibase: str) -> dict[str, Any] | None:
    """What the verification method URL serves: the public key as a Multikey, or None for a
    key that is not the issuer's."""
    from essaim.credentials.vc import issuer_id

    if multibase != _multibase():
        return None
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": verification_method(),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": multibase,
    }


def controller_members() -> dict[str, Any]:
    """What the issuer profile adds to be the controller document of the key."""
    return {"assertionMethod": [verification_method()]}


def public_key_of(method: str) -> Ed25519PublicKey | None:
    """The Ed25519 key a verification method names, or None: the issuer's Multikey URL, or
    a did:key (the key is in the identifier)."""
    if method.startswith("did:key:z"):
        multibase = method.removeprefix("did:key:").split("#", 1)[0]
        if "#" in method and method.split("#", 1)[1] != multibase:
            return None
    elif method == verification_method():
        multibase = _multibase()
    else:
        return None
    try:
        raw = base58btc_decode(multibase[1:])
    except ValueError:
        return None
    if len(raw) != 34 or not raw.startswith(_MULTICODEC_ED25519_PUB):
        return None
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- canonicalization ------------------------------------------------------------------------


@cache
def _context(url: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))
    return data


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the vendored contexts, nothing from the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Context not vendored (nothing is downloaded): {url}",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context(url))}


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the former URDNA2015) as N-Quads. `safe`
    refuses a term no context defines, rather than dropping it unsigned."""
    result: str = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
            "safe": True,
        },
    )
    return result


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """eddsa-rdfc-2022 §3.2.3–3.2.5: SHA-256 of the canonical proof options (with the
    document's @context), then SHA-256 of the canonical document, concatenated."""
    options = {"@context": document["@context"], **{k: v for k, v in proof_options.items() if k != "proofValue"}}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonical_nquads(options).encode()).digest()
        + hashlib.sha256(canonical_nquads(unsecured).encode()).digest()
    )


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_proof(document: dict[str, Any], *, created: dt.datetime) -> dict[str, Any]:
    """`document` with an embedded DataIntegrityProof (eddsa-rdfc-2022, assertionMethod).
    Ed25519 is deterministic: the same document and date give the same proof."""
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso(created),
        "verificationMethod": verification_method(),
        "proofPurpose": "assertionMethod",
    }
    signature = signing_key().sign(_hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


def verify_proof(document: dict[str, Any], *, trusted: set[str] | None = None) -> bool:
    """True when `document` carries an eddsa-rdfc-2022 assertion proof whose signature
    holds for the key its did:key names (and that key is in `trusted`, when given)."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return False
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != "assertionMethod"
        or not isinstance(method, str)
        or not isinstance(value, str)
        or not value.startswith("z")
        or (trusted is not None and method not in trusted)
    ):
        return False
    key = public_key_of(method)
    if key is None:
        return False
    try:
        key.verify(base58btc_decode(value[1:]), _hash_data(document, proof))
    except (InvalidSignature, ValueError, jsonld.JsonLdError):
        return False
    return True
