"""The framework in the REST API: the published versions as open data (no authentication).

Mounted by `essaim/api/api.py` with ``api.add_router("/", router)``: /api/v1/framework and
/api/v1/framework/{version}. Drafts are never served here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from essaim.api.schemas import ErrorOut
from essaim.framework.selectors import framework_current, framework_published
from essaim.framework.services import framework_export

router = Router(tags=["Référentiel"])


class LevelOut(Schema):
    rank: int
    code: str
    name: str
    description: str


class CompetencyOut(Schema):
    code: str
    name: str
    description: str
    parent: str | None
    descriptors: dict[str, str]


class FrameworkOut(Schema):
    version: str
    title: str
    description: str
    status: str
    published_at: str | None
    based_on: str | None
    licence: str
    levels: list[LevelOut]
    competencies: list[CompetencyOut]


@router.get(
    "/framework",
    response={200: FrameworkOut, 404: ErrorOut},
    summary="Le référentiel de compétences en vigueur",
)
def get_current_framework(request: HttpRequest):
    framework = framework_current()
    if framework is None:
        return Status(404, {"detail": _("Aucune version du référentiel n’est publiée.")})
    return Status(200, framework_export(framework=framework))


@router.get(
    "/framework/{version}",
    response={200: FrameworkOut, 404: ErrorOut},
    summary="Une version publiée du référentiel de compétences",
)
def get_framework(request: HttpRequest, version: str):
    framework = framework_published(version=version)
    if framework is None:
        return Status(404, {"detail": _("Version du référentiel introuvable.")})
    return Status(200, framework_export(framework=framework))
