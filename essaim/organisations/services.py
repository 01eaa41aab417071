"""Writes about organisations and the reference data they hang on."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log, model_changes, snapshot
from essaim.core.validators import check_name
from essaim.organisations.models import Departement, Organisation, Region, validate_siret

if TYPE_CHECKING:
    from essaim.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
EDITABLE_FIELDS = ["name", "short_name", "siret", "region", "departement", "website", "description"]


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _set_path(organisation: Organisation) -> None:
    parent_path = organisation.parent.path if organisation.parent_id and organisation.parent else "/"
    organisation.path = f"{parent_path}{organisation.pk}/"


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Load or refresh regions, départements and ministries from the CSV files shipped
    in `organisations/data` (sources in SOURCES.md). Idempotent."""
    regions = _read_csv("regions.csv")
    for row in regions:
        Region.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    departements = _read_csv("departements.csv")
    for row in departements:
        Departement.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "region_id": row["region_code"]}
        )
    ministries = _read_csv("ministries.csv")
    for row in ministries:
        org, _created = Organisation.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": Organisation.Kind.MINISTRY,
                "siret": row.get("siret", "") or "",
            },
        )
        if not org.path:
            _set_path(org)
            org.save(update_fields=["path"])
    return {"regions": len(regions), "departements": len(departements), "ministries": len(ministries)}


def _check_siret_setter(acting_user: User | None) -> None:
    """The SIRET decides who ProConnect affiliates here: only the programme's admins (or the
    system: imports, demo data) may set or change it."""
    from essaim.accounts.roles import is_programme_admin

    if acting_user is not None and not is_programme_admin(acting_user):
        raise ServiceError(
            _(
                "Seule l’équipe du programme peut renseigner ou modifier le SIRET d’une organisation : "
                "c’est lui qui rattache les agents qui se connectent avec ProConnect."
            ),
            code="siret_forbidden",
        )


def _audit_siret_change(*, organisation: Organisation, acting_user: User | None, before: str) -> None:
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="organisations.organisation.siret_change",
        target=organisation,
        summary=_("SIRET de l’organisation modifié"),
        changes={"siret": [before or None, organisation.siret or None]},
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90] or "organisation"
    slug, index = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{index}"
        index += 1
    return slug


@transaction.atomic(durable=True)
def organisation_create(
    *,
    name: str,
    kind: str,
    acting_user: User | None,
    parent: Organisation | None = None,
    short_name: str = "",
    siret: str = "",
    region: Region | None = None,
    departement: Departement | None = None,
    website: str = "",
    description: str = "",
    slug: str = "",
) -> Organisation:
    name = check_name(name.strip())
    check_name(short_name.strip())
    if not name:
        raise ServiceError(_("Le nom de l’organisation est obligatoire."))
    if kind not in Organisation.Kind.values:
        raise ServiceError(_("Type d’organisation inconnu."))
    if siret:
        _check_siret_setter(acting_user)
        validate_siret(siret)
        if Organisation.objects.filter(siret=siret).exists():
            raise ServiceError(_("Une organisation porte déjà ce SIRET."))
    if parent is not None and Organisation.objects.filter(parent=parent, name__iexact=name).exists():
        raise ServiceError(_("Cette organisation existe déjà sous le même parent."))
    organisation = Organisation.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        short_name=short_name.strip(),
        siret=siret,
        region=region or (parent.region if parent else None),
        departement=departement,
        website=website,
        description=description,
        slug=slug or _unique_slug(short_name or name),
    )
    _set_path(organisation)
    organisation.save(update_fields=["path"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, parent) if parent else acting_role(acting_user),
        action="organisations.organisation.create",
        target=organisation,
        summary=_("Organisation créée"),
        changes={"kind": kind, "parent": parent.pk if parent else None},
    )
    if siret:
        _audit_siret_change(organisation=organisation, acting_user=acting_user, before="")
    return organisation


@transaction.atomic(durable=True)
def organisation_update(*, organisation: Organisation, acting_user: User, **fields: Any) -> Organisation:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for field in ("name", "short_name"):
        if field in fields:
            check_name(str(fields[field]))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    siret_before = organisation.siret
    if "siret" in fields and (fields["siret"] or "") != siret_before:
        _check_siret_setter(acting_user)
    if fields.get("siret"):
        validate_siret(fields["siret"])
        if Organisation.objects.filter(siret=fields["siret"]).exclude(pk=organisation.pk).exists():
            raise ServiceError(_("Une organisation porte déjà ce SIRET."))
    before = snapshot(organisation, list(fields))
    for name, value in fields.items():
        setattr(organisation, name, value)
    changes = model_changes(organisation, before=before, fields=list(fields))
    if changes:
        organisation.save(update_fields=[*changes.keys(), "updated_at"])
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user, organisation),
            action="organisations.organisation.update",
            target=organisation,
            summary=_("Fiche de l’organisation modifiée"),
            changes=changes,
        )
        if "siret" in changes:
            _audit_siret_change(organisation=organisation, acting_user=acting_user, before=siret_before)
    return organisation
