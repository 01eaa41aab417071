"""The resource library in the REST API (/api/v1/resources): search, detail, contributions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from essaim.api.auth import auth_user, authenticated, optional_user
from essaim.api.schemas import SingleLine
from essaim.core.exceptions import ServiceError
from essaim.library.models import Resource
from essaim.library.selectors import FACETS, clean_filters, contributions_of, resource_for_viewer, resource_search
from essaim.library.services import ResourceData, resource_create

router = Router(tags=["Bibliothèque de ressources"])


class ErrorOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "Filtre inconnu : type=podcast.", "code": "filter"}]}
    )

    detail: str
    code: str = ""


class ResourceHitOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 58,
                    "title": "Animer un world café",
                    "summary": "Fiche méthode pas à pas.",
                    "url": "https://essaim.beta.gouv.fr/bibliotheque/58-animer-un-world-cafe/",
                    "score": 0.82,
                    "type": "method",
                    "licence": "etalab-2.0",
                    "language": "fr",
                    "published_at": "2026-05-12T10:00:00Z",
                }
            ]
        }
    )

    id: int
    title: str
    summary: str
    url: str
    score: float | None
    type: str
    licence: str
    language: str
    published_at: dt.datetime | None


class FacetValueOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"value": "method", "label": "Fiche méthode", "count": 12}]}
    )

    value: str
    label: str
    count: int


class ResourceSearchOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count": 1,
                    "capped": False,
                    "page": 1,
                    "pages": 1,
                    "results": [
                        {
                            "id": 58,
                            "title": "Animer un world café",
                            "summary": "Fiche méthode pas à pas.",
                            "url": "https://essaim.beta.gouv.fr/bibliotheque/58-animer-un-world-cafe/",
                            "score": 0.82,
                            "type": "method",
                            "licence": "etalab-2.0",
                            "language": "fr",
                            "published_at": "2026-05-12T10:00:00Z",
                        }
                    ],
                    "facets": {"type": [{"value": "method", "label": "Fiche méthode", "count": 1}]},
                }
            ]
        }
    )

    count: int
    capped: bool = Field(
        ..., description="Requête très répandue : seuls les candidats les plus pertinents sont classés"
    )
    page: int
    pages: int
    results: list[ResourceHitOut]
    facets: dict[str, list[FacetValueOut]]


class FileOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "world-cafe.pdf",
                    "kind": "pdf",
                    "size": 245760,
                    "url": "https://essaim.beta.gouv.fr/bibliotheque/58/fichiers/3/",
                }
            ]
        }
    )

    name: str
    kind: str
    size: int
    url: str


class LinkOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://www.participation-citoyenne.gouv.fr/",
                    "label": "Centre interministériel de la participation citoyenne",
                }
            ]
        }
    )

    url: str
    label: str


class ResourceOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 58,
                    "slug": "animer-un-world-cafe",
                    "title": "Animer un world café",
                    "summary": "Fiche méthode pas à pas.",
                    "body": "## Préparer\n…",
                    "type": "method",
                    "themes": ["animation"],
                    "audience": "all",
                    "language": "fr",
                    "licence": "etalab-2.0",
                    "licence_reason": "",
                    "authors": "Camille Martin",
                    "organisation": "Direction interministérielle de la transformation publique",
                    "visibility": "public",
                    "status": "published",
                    "published_at": "2026-05-12T10:00:00Z",
                    "url": "https://essaim.beta.gouv.fr/bibliotheque/58-animer-un-world-cafe/",
                    "competencies": ["C1.2"],
                    "files": [
                        {
                            "name": "world-cafe.pdf",
                            "kind": "pdf",
                            "size": 245760,
                            "url": "https://essaim.beta.gouv.fr/bibliotheque/58/fichiers/3/",
                        }
                    ],
                    "links": [],
                }
            ]
        }
    )

    id: int
    slug: str
    title: str
    summary: str
    body: str
    type: str
    themes: list[str]
    audience: str
    language: str
    licence: str
    licence_reason: str
    authors: str
    organisation: str | None
    visibility: str
    status: str
    published_at: dt.datetime | None
    url: str
    competencies: list[str]
    files: list[FileOut]
    links: list[LinkOut]


class ContributionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Animer un world café",
                    "summary": "Fiche méthode pas à pas.",
                    "body": "## Préparer\n…",
                    "type": "method",
                    "themes": [],
                    "audience": "all",
                    "language": "fr",
                    "licence": "etalab-2.0",
                    "licence_reason": "",
                    "authors": "Camille Martin",
                    "visibility": "public",
                    "links": ["https://www.participation-citoyenne.gouv.fr/"],
                }
            ]
        }
    )

    title: SingleLine = Field(..., max_length=200)
    summary: str = Field(..., max_length=1000)
    body: str = Field("", max_length=100_000)
    type: SingleLine = Resource.Type.METHOD
    themes: list[SingleLine] = []
    audience: SingleLine = Resource.Audience.ALL
    language: SingleLine = Resource.Language.FR
    licence: SingleLine = Resource.Licence.ETALAB
    licence_reason: SingleLine = ""
    authors: SingleLine = ""
    visibility: SingleLine = Resource.Visibility.PUBLIC
    links: list[SingleLine] = []


class ContributionOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 59,
                    "title": "Animer un world café",
                    "status": "submitted",
                    "moderation_reason": "",
                    "url": "https://essaim.beta.gouv.fr/bibliotheque/59-animer-un-world-cafe/",
                }
            ]
        }
    )

    id: int
    title: str
    status: str
    moderation_reason: str
    url: str


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _resource_out(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    from django.urls import reverse

    return {
        **{
            name: getattr(resource, name)
            for name in (
                "id",
                "slug",
                "title",
                "summary",
                "body",
                "type",
                "themes",
                "audience",
                "language",
                "licence",
                "licence_reason",
                "authors",
                "visibility",
                "status",
                "published_at",
            )
        },
        "organisation": resource.organisation.name if resource.organisation else None,
        "url": _absolute(request, resource.get_absolute_url()),
        "competencies": [c.code for c in resource.competencies.all()],
        "files": [
            {
                "name": f.name,
                "kind": f.kind,
                "size": f.size,
                "url": _absolute(request, reverse("library:file", args=[resource.pk, f.pk])),
            }
            for f in resource.files.all()
        ],
        "links": [{"url": link.url, "label": link.label} for link in resource.links.all()],
    }


class SearchFilters(Schema):
    # Searched text, never stored nor mailed: split into words like the page's query
    # (a pasted tab or line break separates words), so not `SingleLine`.
    q: str = Field("", description="Recherche en français (accents, pluriels et formes des mots indifférents)")
    sort: SingleLine = Field("relevance", description="relevance ou date")
    page: int = Field(1, ge=1, le=500)
    type: list[SingleLine] = []
    competency: list[SingleLine] = []
    licence: list[SingleLine] = []
    organisation: list[SingleLine] = []
    audience: list[SingleLine] = []
    language: list[SingleLine] = []


@router.get(
    "/resources",
    response={200: ResourceSearchOut, 422: ErrorOut},
    summary="Rechercher des ressources",
)
def search_resources(request: HttpRequest, filters: Query[SearchFilters]):
    """Recherche plein texte (en français) dans la bibliothèque de ressources, avec facettes
    (type, compétence, licence, organisation, public, langue), tri par pertinence ou par date
    et pagination (`page`, jusqu’à 500).

    Public ; une personne authentifiée voit aussi les ressources réservées aux agents.
    Erreur 422 si un filtre a une valeur inconnue.
    """
    try:
        clean = clean_filters({name: getattr(filters, name) for name in FACETS})
        result = resource_search(
            user=optional_user(request),
            query=filters.q,
            filters=clean,
            sort=filters.sort,
            page=filters.page,
            with_snippets=False,
        )
    except ServiceError as exc:
        return Status(422, {"detail": exc.message, "code": exc.code})
    return {
        "count": result.total,
        "capped": result.capped,
        "page": result.page,
        "pages": result.num_pages,
        "results": [
            {
                "id": hit.resource.pk,
                "title": hit.resource.title,
                "summary": hit.resource.summary,
                "url": _absolute(request, hit.resource.get_absolute_url()),
                "score": hit.score,
                "type": hit.resource.type,
                "licence": hit.resource.licence,
                "language": hit.resource.language,
                "published_at": hit.resource.published_at,
            }
            for hit in result.hits
        ],
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in result.facets.items()
        },
    }


@router.get(
    "/resources/contributions",
    response=list[ContributionOut],
    auth=authenticated,
    summary="Mes contributions",
)
def list_my_contributions(request: HttpRequest):
    """Les ressources proposées par la personne authentifiée (jusqu’à 500), avec leur état de
    modération et, le cas échéant, le motif de refus.

    Réservé aux personnes authentifiées ; erreur 401 sinon.
    """
    return [
        {
            "id": r.pk,
            "title": r.title,
            "status": r.status,
            "moderation_reason": r.moderation_reason,
            "url": _absolute(request, r.get_absolute_url()),
        }
        for r in contributions_of(auth_user(request))[:500]
    ]


@router.post(
    "/resources/contributions",
    response={201: ContributionOut, 422: ErrorOut},
    auth=authenticated,
    summary="Proposer une ressource (soumise à modération)",
)
def create_contribution(request: HttpRequest, payload: ContributionIn):
    """Propose une ressource à la bibliothèque au nom de la personne authentifiée et de son
    organisation ; elle est publiée après modération.

    Réservé aux personnes authentifiées. Erreur 422 si le contenu est refusé (valeur inconnue,
    licence non ouverte sans justification, lien invalide…).
    """
    user = auth_user(request)
    data = ResourceData(
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        type=payload.type,
        themes=payload.themes,
        audience=payload.audience,
        language=payload.language,
        licence=payload.licence,
        licence_reason=payload.licence_reason,
        authors=payload.authors,
        organisation=user.organisation,
        visibility=payload.visibility,
        links=[(url, "") for url in payload.links],
    )
    try:
        resource = resource_create(data=data, acting_user=user)
    except ServiceError as exc:
        return Status(422, {"detail": exc.message, "code": exc.code})
    return Status(
        201,
        {
            "id": resource.pk,
            "title": resource.title,
            "status": resource.status,
            "moderation_reason": "",
            "url": _absolute(request, resource.get_absolute_url()),
        },
    )


@router.get("/resources/{resource_id}", response={200: ResourceOut, 404: ErrorOut}, summary="Une ressource")
def get_resource(request: HttpRequest, resource_id: int):
    """Détail d’une ressource : contenu, licence, compétences, fichiers et liens.

    Public pour les ressources publiées et publiques ; les autres selon les droits de la personne
    authentifiée. Erreur 404 si elle n’existe pas ou n’est pas visible.
    """
    resource = resource_for_viewer(user=optional_user(request), pk=resource_id)
    if resource is None:
        return Status(404, {"detail": _("Ressource introuvable.")})
    return _resource_out(request, resource)
