from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict
from pydantic_core import PydanticCustomError

from essaim.core.validators import CONTROL_CHARACTERS, CONTROL_MESSAGE


def _one_line(value: str) -> str:
    # The forms' rule (core/validators.py), for what arrives through the API: a title, a
    # topic or a name sent with a CR/LF would split a mail header later, and the message
    # carrying it would be lost.
    if CONTROL_CHARACTERS.search(value):
        raise PydanticCustomError("control_characters", str(CONTROL_MESSAGE))
    return value


# Every single-line text of an input schema: no control character (422, translated).
SingleLine = Annotated[str, AfterValidator(_one_line)]


class RegionOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "84", "name": "Auvergne-Rhône-Alpes"}]})

    code: str
    name: str


class DepartementOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "69", "name": "Rhône", "region_code": "84"}]})

    code: str
    name: str
    region_code: str


class OrganisationOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "dinum",
                    "name": "Direction interministérielle du numérique",
                    "short_name": "DINUM",
                    "kind": "directorate",
                    "kind_label": "Direction",
                    "parent_slug": "premier-ministre",
                    "region_code": "11",
                    "siret": "13002526500013",
                    "website": "https://www.numerique.gouv.fr",
                }
            ]
        }
    )

    slug: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_slug: str | None
    region_code: str | None = Field(None, alias="region_id")
    siret: str
    website: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent_slug(obj: Any) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class RoleOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "organiser", "organisation_slug": "dinum"}]})

    role: str
    organisation_slug: str | None


class MeOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "camille.martin@numerique.gouv.fr",
                    "given_name": "Camille",
                    "usual_name": "Martin",
                    "preferred_language": "fr",
                    "organisation": {
                        "slug": "dinum",
                        "name": "Direction interministérielle du numérique",
                        "short_name": "DINUM",
                        "kind": "directorate",
                        "kind_label": "Direction",
                        "parent_slug": "premier-ministre",
                        "region_code": "11",
                        "siret": "13002526500013",
                        "website": "https://www.numerique.gouv.fr",
                    },
                    "unit": "Incubateur",
                    "region_code": "11",
                    "roles": [{"role": "organiser", "organisation_slug": "dinum"}],
                }
            ]
        }
    )

    email: str
    given_name: str
    usual_name: str
    preferred_language: str
    organisation: OrganisationOut | None
    unit: str
    region_code: str | None
    roles: list[RoleOut]


class ApiTokenOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "name": "Script de suivi",
                    "prefix": "essaim_a1b2",
                    "created_at": "2026-09-01T08:30:00Z",
                    "expires_at": "2027-09-01T08:30:00Z",
                    "last_used_at": "2026-11-30T17:02:11Z",
                    "revoked_at": None,
                }
            ]
        }
    )

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ErrorOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "Jeton introuvable."}]})

    detail: str
