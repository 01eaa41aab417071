"""Credentials in the REST API (/api/v1/): my credentials, verification."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from essaim.api.auth import auth_user, authenticated
from essaim.credentials import vc
from essaim.credentials.selectors import credential_list_for_user, credential_status, verify_code, verify_url

router = Router(tags=["Attestations et badges"])


class CredentialOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "ESS-7K2Q-9WXD",
                    "course": "Découvrir la facilitation",
                    "kind": "completion",
                    "issued_at": "2026-10-03T16:00:00Z",
                    "expires_at": None,
                    "status": "valid",
                    "verify_url": "https://essaim.beta.gouv.fr/verifier/ESS-7K2Q-9WXD",
                    "jwt": "eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.eyJ…",
                }
            ]
        }
    )

    code: str
    course: str
    kind: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    status: str
    verify_url: str
    jwt: str


class VerifyIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "ESS-7K2Q-9WXD", "jwt": ""}]})

    # Read, never stored nor mailed: whitespace is dropped from a pasted JWT, and `jwt` also
    # takes a pasted badge.json (several lines), so neither is `SingleLine`.
    code: str = ""
    jwt: str = ""


class VerificationOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "valid",
                    "issued_at": "2026-10-03T16:00:00Z",
                    "expires_at": None,
                    "issuer": "Essaim — DINUM",
                    "achievement": "Découvrir la facilitation",
                    "alignments": ["Préparer un atelier participatif"],
                    "subject_name": "Camille Martin",
                }
            ]
        }
    )

    status: str
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    issuer: str = ""
    achievement: str = ""
    alignments: list[str] = []
    subject_name: str = ""


@router.get("/me/credentials", response=list[CredentialOut], auth=authenticated, summary="Mes attestations et badges")
def list_my_credentials(request: HttpRequest):
    """Les attestations et badges (Open Badges 3.0, VC-JWT) de la personne authentifiée, avec leur
    état (valide, expiré, révoqué), leur adresse de vérification publique et le badge signé.

    Réservé aux personnes authentifiées ; erreur 401 sinon.
    """
    return [
        {
            "code": c.code,
            "course": c.snapshot.get("course_title", ""),
            "kind": c.kind,
            "issued_at": c.issued_at,
            "expires_at": c.expires_at,
            "status": credential_status(c),
            "verify_url": verify_url(c.code),
            "jwt": c.jwt,
        }
        for c in credential_list_for_user(user=auth_user(request))
    ]


@router.post("/credentials/verify", response=VerificationOut, summary="Vérifier une attestation (code ou VC-JWT)")
def verify_credential(request: HttpRequest, payload: VerifyIn):
    """Vérifie une attestation à partir de son code de vérification ou de son badge signé (`jwt`),
    et en renvoie l’état, l’émetteur, la formation et la personne titulaire.

    Public, sans authentification. Erreur 422 si ni `code` ni `jwt` n’est fourni ; un code inconnu
    ou une signature invalide donnent une réponse 200 avec l’état correspondant.
    """
    if payload.jwt:
        result = vc.verify_token(payload.jwt[:20000])
    elif payload.code:
        result, _credential = verify_code(payload.code[:40])
    else:
        raise HttpError(422, _("Indiquez un code de vérification ou un badge (jwt)."))
    return {
        "status": result.status,
        "issued_at": result.issued_at,
        "expires_at": result.expires_at,
        "issuer": result.issuer_name,
        "achievement": result.achievement.get("name", ""),
        "alignments": [a.get("targetName", "") for a in result.achievement.get("alignment", [])],
        "subject_name": result.subject_name,
    }
