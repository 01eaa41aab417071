"""The network in the REST API (/api/v1/network/…): directory, my entry, requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from essaim.api.auth import auth_user, authenticated
from essaim.api.pagination import PageNumberPagination
from essaim.api.schemas import SingleLine
from essaim.core.exceptions import ServiceError
from essaim.network import matching, selectors, services
from essaim.network.models import Availability, DirectoryProfile, FacilitationRequest, Invitation
from essaim.organisations.models import Departement

router = Router(tags=["Réseau"], auth=authenticated)


class SkillOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"competency": "C1.2", "name": "Préparer un atelier participatif", "level_rank": 3}]
        }
    )

    competency: str = Field(..., alias="competency_code")
    name: str = Field(..., alias="competency_name")
    level_rank: int


class DirectoryEntryOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 21,
                    "name": "Camille M.",
                    "region_code": "84",
                    "ministry": "Ministère de l’Intérieur",
                    "availability": "available",
                    "languages": "français, anglais",
                    "practice_count": 6,
                    "skills": [{"competency": "C1.2", "name": "Préparer un atelier participatif", "level_rank": 3}],
                }
            ]
        }
    )

    id: int
    name: str = Field(..., alias="display_name")
    region_code: str | None = Field(None, alias="region_id")
    ministry: str | None
    availability: str
    languages: str
    practice_count: int
    skills: list[SkillOut]

    @staticmethod
    def resolve_ministry(obj: DirectoryProfile) -> str | None:
        return str(obj.ministry) if obj.ministry_id else None

    @staticmethod
    def resolve_skills(obj: DirectoryProfile) -> list[Any]:
        return list(obj.skills.all())


class MyProfileIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "consent": True,
                    "availability": "available",
                    "languages": "français, anglais",
                    "bio": "J’anime des ateliers de co-conception depuis 2022.",
                }
            ]
        }
    )

    consent: bool
    availability: SingleLine = Availability.AVAILABLE
    languages: SingleLine = Field("", max_length=100)
    bio: str = Field("", max_length=600)


class MyProfileOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "consent": True,
                    "consented_at": "2026-09-15T09:12:00Z",
                    "availability": "available",
                    "languages": "français, anglais",
                    "bio": "J’anime des ateliers de co-conception depuis 2022.",
                }
            ]
        }
    )

    consent: bool
    consented_at: dt.datetime | None
    availability: str
    languages: str
    bio: str


class RequestIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "topic": "Atelier de concertation sur un projet de voirie",
                    "date": "2027-03-18",
                    "competency": "C1.2",
                    "audience_size": 25,
                    "is_remote": False,
                    "departement": "69",
                    "place": "Mairie de Villeurbanne",
                }
            ]
        }
    )

    topic: SingleLine = Field(..., max_length=200)
    date: dt.date
    competency: SingleLine = Field(..., max_length=60)
    audience_size: int
    is_remote: bool = False
    departement: SingleLine | None = Field(None, max_length=3)
    place: SingleLine = Field("", max_length=200)


class RequestOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 9,
                    "topic": "Atelier de concertation sur un projet de voirie",
                    "date": "2027-03-18",
                    "competency": "C1.2",
                    "is_remote": False,
                    "departement": "69",
                    "region": "84",
                    "audience_size": 25,
                    "status": "open",
                }
            ]
        }
    )

    id: int
    topic: str
    date: dt.date
    competency: str = Field(..., alias="competency_code")
    is_remote: bool
    departement: str | None = Field(None, alias="departement_id")
    region: str | None = Field(None, alias="region_id")
    audience_size: int
    status: str


class CandidateOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 133,
                    "name": "Camille M.",
                    "level_rank": 3,
                    "score": 87,
                    "recent_invitations": 1,
                    "reasons": ["Niveau 3 sur la compétence demandée", "Même région"],
                }
            ]
        }
    )

    user_id: int
    name: str
    level_rank: int
    score: int
    recent_invitations: int
    reasons: list[str]


class InviteIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"facilitators": [133, 154]}]})

    facilitators: list[int]


class InvitationOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 27, "request_id": 9, "status": "pending"}]})

    id: int
    request_id: int
    status: str


class ErrorOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "Demande introuvable.", "code": ""}]})

    detail: str
    code: str = ""


@router.get("/network/directory", response=list[DirectoryEntryOut], summary="Annuaire (personnes consentantes)")
@paginate(PageNumberPagination, page_size=20)
def directory(
    request: HttpRequest,
    competency: str = "",
    min_level: int = 0,
    region: str = "",
    ministry: int | None = None,
    availability: str = "",
):
    """Liste paginée (20 par page) de l’annuaire des facilitatrices et facilitateurs : seules y figurent
    les personnes qui y ont consenti.

    Filtres : `competency` (code), `min_level` (rang), `region` (code INSEE), `ministry` (identifiant),
    `availability`. Réservé aux personnes authentifiées ; erreur 401 sinon.
    """
    return selectors.directory_search(
        competency=competency, min_level=min_level, region=region, ministry=ministry, availability=availability
    )


@router.get("/network/me/profile", response={200: MyProfileOut, 404: ErrorOut}, summary="Ma fiche")
def my_profile(request: HttpRequest):
    """La fiche d’annuaire de la personne authentifiée (consentement, disponibilité, langues, présentation).

    Réservé aux personnes authentifiées. Erreur 404 si elle n’a pas encore de fiche.
    """
    profile = DirectoryProfile.objects.filter(user=auth_user(request)).first()
    if profile is None:
        return Status(404, {"detail": _("Vous n’avez pas encore de fiche.")})
    return profile


@router.put(
    "/network/me/profile", response={200: MyProfileOut, 422: ErrorOut}, summary="Donner ou retirer mon consentement"
)
def update_my_profile(request: HttpRequest, payload: MyProfileIn):
    """Crée ou met à jour la fiche d’annuaire de la personne authentifiée ; `consent=false` retire
    le consentement et la fiche de l’annuaire.

    Réservé aux personnes authentifiées. Erreur 422 si une valeur est refusée (disponibilité inconnue…).
    """
    user = auth_user(request)
    try:
        return services.directory_profile_update(user=user, acting_user=user, **payload.dict())
    except ServiceError as exc:
        return Status(422, {"detail": exc.message, "code": exc.code})


@router.post("/network/requests", response={201: RequestOut, 422: ErrorOut}, summary="Poster une demande d’animation")
def create_request(request: HttpRequest, payload: RequestIn):
    """Poste une demande d’animation (sujet, date, compétence, public, lieu) ; des personnes de
    l’annuaire sont ensuite proposées (voir `candidates`).

    Réservé aux personnes authentifiées. Erreur 422 si le département ou la compétence est inconnu,
    ou la date passée.
    """
    departement = None
    if payload.departement:
        departement = Departement.objects.filter(code=payload.departement).first()
        if departement is None:
            return Status(422, {"detail": _("Département inconnu."), "code": "departement"})
    try:
        created = matching.facilitation_request_create(
            requester=auth_user(request),
            topic=payload.topic,
            date=payload.date,
            competency_code=payload.competency,
            audience_size=payload.audience_size,
            is_remote=payload.is_remote,
            departement=departement,
            place=payload.place,
        )
    except ServiceError as exc:
        return Status(422, {"detail": exc.message, "code": exc.code})
    return Status(201, created)


def _own_request(request: HttpRequest, pk: int) -> FacilitationRequest | None:
    need = FacilitationRequest.objects.filter(pk=pk).first()
    if need is None or not auth_user(request).has_perm("network.view_request", need):
        return None
    return need


@router.get(
    "/network/requests/{request_id}/candidates",
    response={200: list[CandidateOut], 404: ErrorOut},
    summary="Personnes proposées, classées et expliquées",
)
def candidates(request: HttpRequest, request_id: int):
    """Les personnes de l’annuaire proposées pour une demande d’animation, classées par score, avec
    les raisons du classement.

    Réservé à qui peut voir la demande (son auteur, notamment). Erreur 404 si la demande n’existe
    pas ou n’est pas visible.
    """
    need = _own_request(request, request_id)
    if need is None:
        return Status(404, {"detail": _("Demande introuvable.")})
    return [
        {
            "user_id": c.profile.user_id,
            "name": c.profile.display_name,
            "level_rank": c.level_rank,
            "score": c.score,
            "recent_invitations": c.recent_invitations,
            "reasons": [str(r) for r in c.reasons],
        }
        for c in selectors.request_candidates(request=need)
    ]


@router.post(
    "/network/requests/{request_id}/invitations",
    response={201: list[InvitationOut], 404: ErrorOut, 409: ErrorOut},
    summary="Inviter des personnes proposées",
)
def invite(request: HttpRequest, request_id: int, payload: InviteIn):
    """Invite des personnes proposées à animer la demande ; chacune reçoit une invitation à accepter
    ou décliner.

    Réservé à l’auteur de la demande. Erreurs : 404 demande introuvable, 409 invitation impossible
    (personne non proposée, déjà invitée, demande close…).
    """
    need = _own_request(request, request_id)
    if need is None or need.requester_id != auth_user(request).pk:
        return Status(404, {"detail": _("Demande introuvable.")})
    try:
        created = matching.invitation_send(
            request=need, facilitator_ids=payload.facilitators, acting_user=auth_user(request)
        )
    except ServiceError as exc:
        return Status(409, {"detail": exc.message, "code": exc.code})
    return Status(201, created)


@router.post(
    "/network/invitations/{invitation_id}/{answer}",
    response={200: InvitationOut, 404: ErrorOut, 409: ErrorOut},
    summary="Accepter (accept) ou décliner (decline) une invitation",
)
def answer(request: HttpRequest, invitation_id: int, answer: str):
    """Accepte (`accept`) ou décline (`decline`) une invitation reçue pour animer une demande.

    Réservé à la personne invitée. Erreurs : 404 invitation introuvable ou réponse inconnue,
    409 si l’invitation n’attend plus de réponse.
    """
    user = auth_user(request)
    invitation = Invitation.objects.filter(pk=invitation_id, facilitator=user).first()
    if invitation is None or answer not in ("accept", "decline"):
        return Status(404, {"detail": _("Invitation introuvable.")})
    try:
        return matching.invitation_respond(invitation=invitation, acting_user=user, accept=answer == "accept")
    except ServiceError as exc:
        return Status(409, {"detail": exc.message, "code": exc.code})
