"""The framework in the REST API: the published versions as open data (no authentication).

Mounted by `essaim/api/api.py` with ``api.add_router("/", router)``: /api/v1/framework and
/api/v1/framework/{version}. Drafts are never served here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from essaim.api.schemas import ErrorOut
from essaim.framework.selectors import framework_current, framework_published
from essaim.framework.services import framework_export

router = Router(tags=["Référentiel"])


class LevelOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rank": 1,
                    "code": "N1",
                    "name": "Découverte",
                    "description": "Connaît les notions et les repère en situation.",
                }
            ]
        }
    )

    rank: int
    code: str
    name: str
    description: str


class CompetencyOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "C1.2",
                    "name": "Préparer un atelier participatif",
                    "description": "Définir les objectifs, le public et le déroulé.",
                    "parent": "C1",
                    "descriptors": {"N1": "Identifie les étapes d’un atelier.", "N2": "Prépare un atelier avec appui."},
                }
            ]
        }
    )

    code: str
    name: str
    description: str
    parent: str | None
    descriptors: dict[str, str]


class FrameworkOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "1.0",
                    "title": "Référentiel de compétences de la facilitation",
                    "description": "Compétences attendues des agents qui animent la participation citoyenne.",
                    "status": "published",
                    "published_at": "2026-06-01",
                    "based_on": None,
                    "licence": "Licence Ouverte 2.0 (Etalab)",
                    "levels": [{"rank": 1, "code": "N1", "name": "Découverte", "description": "Connaît les notions."}],
                    "competencies": [
                        {
                            "code": "C1",
                            "name": "Concevoir une démarche participative",
                            "description": "",
                            "parent": None,
                            "descriptors": {"N1": "Connaît les démarches possibles."},
                        }
                    ],
                }
            ]
        }
    )

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
    """La version en vigueur (la dernière publiée) du référentiel de compétences : niveaux,
    compétences et descripteurs, en données ouvertes. Les brouillons ne sont jamais servis.

    Public, sans authentification. Erreur 404 si aucune version n’est publiée.
    """
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
    """Une version publiée du référentiel de compétences, désignée par son numéro (`1.0`…).

    Public, sans authentification. Erreur 404 si la version n’existe pas ou n’est pas publiée.
    """
    framework = framework_published(version=version)
    if framework is None:
        return Status(404, {"detail": _("Version du référentiel introuvable.")})
    return Status(200, framework_export(framework=framework))
