from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class RegionOut(Schema):
    code: str
    name: str


class DepartementOut(Schema):
    code: str
    name: str
    region_code: str


class OrganisationOut(Schema):
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
    role: str
    organisation_slug: str | None


class MeOut(Schema):
    email: str
    given_name: str
    usual_name: str
    preferred_language: str
    organisation: OrganisationOut | None
    unit: str
    region_code: str | None
    roles: list[RoleOut]


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ErrorOut(Schema):
    detail: str
