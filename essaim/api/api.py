"""The versioned REST API: /api/v1/, schema at /api/v1/openapi.json, docs at /api/v1/docs.

Endpoints parse input, ask the permission rules, call one selector or service.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import DataError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import paginate
from ninja.responses import Status

from essaim.accounts.models import ApiToken
from essaim.accounts.services import api_token_revoke
from essaim.api.auth import auth_user, authenticated
from essaim.api.pagination import PageNumberPagination
from essaim.api.schemas import (
    ApiTokenOut,
    DepartementOut,
    ErrorOut,
    MeOut,
    OrganisationOut,
    RegionOut,
    RoleOut,
)
from essaim.api.throttling import api_throttles
from essaim.credentials.api import router as credentials_router
from essaim.events.api import router as events_router
from essaim.framework.api import router as framework_router
from essaim.library.api import router as library_router
from essaim.network.api import router as network_router
from essaim.organisations.models import Departement, Organisation, Region
from essaim.organisations.selectors import organisation_list
from essaim.training.api import router as training_router

# Answers every operation may give besides its own: the schema says so, so that clients (and
# schemathesis, tests/security/test_api_schemathesis.py) can rely on it.
_ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_BODY}}}


_RATE_LIMITED = {
    **_error_response("Trop de requêtes : réessayez après le délai indiqué (API_ANON_RATE, API_AUTH_RATE)"),
    "headers": {
        "Retry-After": {
            "description": "Secondes à attendre avant la prochaine requête",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


class EssaimAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                if operation.get("requestBody"):
                    responses.setdefault(400, _error_response("Corps de requête illisible (JSON invalide)"))
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, _error_response("Paramètres ou corps de requête invalides"))
                responses.setdefault(429, _RATE_LIMITED)
                if operation.get("security"):
                    responses.setdefault(401, _error_response("Authentification requise"))
                    if method != "get":
                        responses.setdefault(403, _error_response("Session du navigateur sans jeton CSRF"))
        return schema


api = EssaimAPI(
    title="Essaim API",
    version="1.0.0",
    description=(
        "API d’Essaim, la plateforme de formation des agents publics à la facilitation et à la "
        "participation citoyenne (engagement OGP FR0111). Authentification : jeton personnel "
        "(`Authorization: Bearer essaim_…`) ou session du navigateur."
    ),
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    throttle=api_throttles(),
)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled):
    response = api.create_response(
        request, {"detail": _("Trop de requêtes : réessayez dans quelques instants.")}, status=429
    )
    response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return response


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": _("Authentification requise : jeton absent, invalide ou révoqué.")}, status=401
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    # Same shape as every other error (`detail` is a sentence), the details beside it.
    return api.create_response(
        request, {"detail": _("Requête invalide : voir « errors »."), "errors": exc.errors}, status=422
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request: HttpRequest, exc: Exception):
    # An identifier or a filter past the database's integers (SQLite raises OverflowError,
    # PostgreSQL "bigint out of range"): nothing can match it.
    return api.create_response(request, {"detail": _("Valeur hors des limites acceptées.")}, status=422)


reference = Router(tags=["Référentiels"])


@reference.get("/regions", response=list[RegionOut], summary="Régions (COG INSEE)")
def list_regions(request: HttpRequest):
    """Liste les régions du code officiel géographique (INSEE), triées par code.

    Public, sans authentification.
    """
    return list(Region.objects.order_by("code").values("code", "name"))


@reference.get("/departements", response=list[DepartementOut], summary="Départements (COG INSEE)")
def list_departements(request: HttpRequest, region: str | None = None):
    """Liste les départements, triés par code ; `region` (code INSEE) restreint à une région.

    Public, sans authentification. Un code de région inconnu donne une liste vide.
    """
    qs = Departement.objects.order_by("code")
    if region:
        qs = qs.filter(region_id=region)
    return [{"code": d["code"], "name": d["name"], "region_code": d["region_id"]} for d in qs.values()]


organisations = Router(tags=["Organisations"])


@organisations.get("", response=list[OrganisationOut], summary="Organisations")
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest, kind: str = "", region: str = "", q: str = Query("", max_length=100)):
    """Liste paginée (50 par page) des organisations actives : administrations, collectivités, opérateurs.

    Filtres : `kind` (type d’organisation), `region` (code INSEE), `q` (nom ou sigle).
    Public, sans authentification. Erreur 422 si `kind` est inconnu.
    """
    if kind and kind not in Organisation.Kind.values:
        raise HttpError(422, _("Type d’organisation inconnu : %(kind)s") % {"kind": kind})
    return organisation_list(kind=kind, region=region, query=q)


@organisations.get("/{slug}", response={200: OrganisationOut, 404: ErrorOut}, summary="Une organisation")
def get_organisation(request: HttpRequest, slug: str):
    """Détail d’une organisation active, désignée par son identifiant court (`slug`).

    Public, sans authentification. Erreur 404 si elle n’existe pas ou n’est plus active.
    """
    return get_object_or_404(Organisation.objects.select_related("parent"), slug=slug, is_active=True)


me = Router(tags=["Mon compte"], auth=authenticated)


@me.get("/me", response=MeOut, summary="La personne authentifiée")
def get_me(request: HttpRequest):
    """Le compte de la personne authentifiée : identité, organisation, unité, région et rôles en cours.

    Réservé aux personnes authentifiées (jeton personnel ou session) ; erreur 401 sinon.
    """
    user = auth_user(request)
    assignments = user.role_assignments.active().select_related("organisation")
    org = (
        Organisation.objects.select_related("parent").filter(pk=user.organisation_id).first()
        if user.organisation_id is not None
        else None
    )
    return {
        "email": user.email,
        "given_name": user.given_name,
        "usual_name": user.usual_name,
        "preferred_language": user.preferred_language,
        "organisation": org,
        "unit": user.unit,
        "region_code": user.region_id,
        "roles": [
            RoleOut(role=a.role, organisation_slug=a.organisation.slug if a.organisation else None) for a in assignments
        ],
    }


@me.get("/me/tokens", response=list[ApiTokenOut], summary="Mes jetons d’API")
def list_my_tokens(request: HttpRequest):
    """Les jetons d’API de la personne authentifiée, du plus récent au plus ancien, révoqués compris.
    Le secret n’est jamais renvoyé : seul son préfixe l’est.

    Réservé aux personnes authentifiées ; erreur 401 sinon.
    """
    return list(ApiToken.objects.filter(user=auth_user(request)).order_by("-created_at"))


@me.delete(
    "/me/tokens/{token_id}",
    response={200: ApiTokenOut, 403: ErrorOut, 404: ErrorOut},
    summary="Révoquer un jeton",
)
def revoke_my_token(request: HttpRequest, token_id: int):
    """Révoque l’un de ses jetons d’API ; il cesse aussitôt d’être accepté. Renvoie le jeton révoqué.

    Réservé aux personnes authentifiées. Erreur 404 si le jeton n’existe pas ou appartient à
    une autre personne (la même réponse dans les deux cas).
    """
    user = auth_user(request)
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or not user.has_perm("accounts.revoke_apitoken", token):
        # Absent and another person's: the same answer, word for word.
        return Status(404, {"detail": _("Jeton introuvable.")})
    return Status(200, api_token_revoke(token=token, acting_user=user))


api.add_router("/", reference)
api.add_router("/organisations", organisations)
api.add_router("/", me)
api.add_router("/", training_router)
api.add_router("/", framework_router)
api.add_router("/", credentials_router)
api.add_router("/", library_router)
api.add_router("/", network_router)
api.add_router("/", events_router)
