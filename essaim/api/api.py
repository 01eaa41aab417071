"""The versioned REST API: /api/v1/, schema at /api/v1/openapi.json, docs at /api/v1/docs.

Endpoints parse input, ask the permission rules, call one selector or service.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from essaim.accounts.models import ApiToken
from essaim.accounts.services import api_token_revoke
from essaim.api.auth import auth_user, authenticated
from essaim.api.schemas import (
    ApiTokenOut,
    DepartementOut,
    ErrorOut,
    MeOut,
    OrganisationOut,
    RegionOut,
    RoleOut,
)
from essaim.credentials.api import router as credentials_router
from essaim.events.api import router as events_router
from essaim.framework.api import router as framework_router
from essaim.library.api import router as library_router
from essaim.network.api import router as network_router
from essaim.organisations.models import Departement, Organisation, Region
from essaim.organisations.selectors import organisation_list
from essaim.training.api import router as training_router

api = NinjaAPI(
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
)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": _("Authentification requise : jeton absent, invalide ou révoqué.")}, status=401
    )


reference = Router(tags=["Référentiels"])


@reference.get("/regions", response=list[RegionOut], summary="Régions (COG INSEE)")
def list_regions(request: HttpRequest):
    return list(Region.objects.order_by("code").values("code", "name"))


@reference.get("/departements", response=list[DepartementOut], summary="Départements (COG INSEE)")
def list_departements(request: HttpRequest, region: str | None = None):
    qs = Departement.objects.order_by("code")
    if region:
        qs = qs.filter(region_id=region)
    return [{"code": d["code"], "name": d["name"], "region_code": d["region_id"]} for d in qs.values()]


organisations = Router(tags=["Organisations"])


@organisations.get("", response=list[OrganisationOut], summary="Organisations")
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest, kind: str = "", region: str = "", q: str = Query("", max_length=100)):
    if kind and kind not in Organisation.Kind.values:
        raise HttpError(422, _("Type d’organisation inconnu : %(kind)s") % {"kind": kind})
    return organisation_list(kind=kind, region=region, query=q)


@organisations.get("/{slug}", response={200: OrganisationOut, 404: ErrorOut}, summary="Une organisation")
def get_organisation(request: HttpRequest, slug: str):
    return get_object_or_404(Organisation.objects.select_related("parent"), slug=slug, is_active=True)


me = Router(tags=["Mon compte"], auth=authenticated)


@me.get("/me", response=MeOut, summary="La personne authentifiée")
def get_me(request: HttpRequest):
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
    return list(ApiToken.objects.filter(user=auth_user(request)).order_by("-created_at"))


@me.delete(
    "/me/tokens/{token_id}",
    response={200: ApiTokenOut, 403: ErrorOut, 404: ErrorOut},
    summary="Révoquer un jeton",
)
def revoke_my_token(request: HttpRequest, token_id: int):
    user = auth_user(request)
    token = get_object_or_404(ApiToken, pk=token_id)
    if not user.has_perm("accounts.revoke_apitoken", token):
        # Do not reveal that another person's token exists.
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
