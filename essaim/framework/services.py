"""Writes about the competency framework: import, export, publish, new drafts, edits.

A published version is frozen: every write to a version takes its row lock and checks
its status first, so that courses and completions recorded against a published version
never change meaning. To change the framework, copy it into a new draft.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log, model_changes, snapshot
from essaim.core.spreadsheets import neutralised_row
from essaim.framework.documents import (
    CSV_COLUMNS,
    LICENCE,
    FrameworkDocument,
    document_from_csv,
    validate_document,
    validate_version,
)
from essaim.framework.models import Competency, FrameworkVersion, Level, LevelDescriptor
from essaim.framework.selectors import framework_tree

if TYPE_CHECKING:
    from essaim.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_PATH = DATA_DIR / "framework-2026.1.json"
COMPETENCY_EDITABLE_FIELDS = ["name", "description", "position", "parent"]


# Import ------------------------------------------------------------------------------


def _create_version(*, document: FrameworkDocument, based_on: FrameworkVersion | None = None) -> FrameworkVersion:
    """Rows for a validated document: a handful of queries, one batch per tree depth."""
    if FrameworkVersion.objects.filter(version=document.version).exists():
        raise ServiceError(
            _("La version « %(version)s » du référentiel existe déjà.") % {"version": document.version},
            code="version_exists",
        )
    framework = FrameworkVersion.objects.create(
        version=document.version, title=document.title, description=document.description, based_on=based_on
    )
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35, both supported.
    levels = Level.objects.bulk_create(
        Level(framework=framework, rank=level.rank, code=level.code, name=level.name, description=level.description)
        for level in document.levels
    )
    level_by_code = {level.code: level for level in levels}
    created: dict[str, Competency] = {}
    for depth in sorted({item.depth for item in document.competencies}):
        batch = [
            Competency(
                framework=framework,
                parent=created[item.parent] if item.parent else None,
                code=item.code,
                name=item.name,
                description=item.description,
                position=item.position,
            )
            for item in document.competencies
            if item.depth == depth
        ]
        created.update((competency.code, competency) for competency in Competency.objects.bulk_create(batch))
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(competency=created[item.code], level=level_by_code[level_code], text=text)
        for item in document.competencies
        for level_code, text in item.descriptors.items()
    )
    return framework


def _import(*, data: dict[str, Any], acting_user: User | None, source: str, publish: bool) -> FrameworkVersion:
    document = validate_document(data)
    framework = _create_version(document=document)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="framework.version.import",
        target=framework,
        summary=_("Version du référentiel importée en brouillon"),
        changes={
            "source": source,
            "levels": len(document.levels),
            "competencies": len(document.competencies),
            "descriptors": document.descriptor_count,
        },
    )
    if publish:
        framework = _publish(framework=framework, acting_user=acting_user)
    return framework


@transaction.atomic(durable=True)
def framework_import(*, data: dict[str, Any], acting_user: User | None, publish: bool = False) -> FrameworkVersion:
    """Create a draft version from a JSON document (the shape `framework_export` returns).

    With `publish`, the version is published in the same transaction: all or nothing.
    """
    return _import(data=data, acting_user=acting_user, source="json", publish=publish)


@transaction.atomic(durable=True)
def framework_import_csv(
    *,
    text: str,
    version: str,
    title: str,
    acting_user: User | None,
    description: str = "",
    publish: bool = False,
) -> FrameworkVersion:
    """Create a draft version from the CSV export (one row per competency × level)."""
    data = document_from_csv(text=text, version=version, title=title, description=description)
    return _import(data=data, acting_user=acting_user, source="csv", publish=publish)


# Export ------------------------------------------------------------------------------


def framework_export(*, framework: FrameworkVersion) -> dict[str, Any]:
    """The version as an open-data document; `framework_import` reads it back unchanged."""
    tree = framework_tree(framework=framework)
    return {
        "version": framework.version,
        "title": framework.title,
        "description": framework.description,
        "status": framework.status,
        "published_at": framework.published_at.isoformat() if framework.published_at else None,
        "based_on": framework.based_on.version if framework.based_on_id and framework.based_on else None,
        "licence": LICENCE,
        "levels": [
            {"rank": level.rank, "code": level.code, "name": level.name, "description": level.description}
            for level in tree.levels
        ],
        "competencies": [
            {
                "code": node.competency.code,
                "name": node.competency.name,
                "description": node.competency.description,
                "parent": node.parent_code,
                "descriptors": {cell.level.code: cell.text for cell in node.descriptors if cell.text},
            }
            for node in tree.nodes
        ],
    }


def framework_export_csv(*, framework: FrameworkVersion) -> str:
    """One row per competency × level; `framework_import_csv` reads it back."""
    tree = framework_tree(framework=framework)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for node in tree.nodes:
        for cell in node.descriptors:
            writer.writerow(
                neutralised_row(
                    [
                        node.competency.code,
                        node.competency.name,
                        node.parent_code or "",
                        cell.level.rank,
                        cell.level.code,
                        cell.level.name,
                        cell.text,
                    ]
                )
            )
    return buffer.getvalue()


# Life cycle --------------------------------------------------------------------------


def _lock_draft(framework_id: int) -> FrameworkVersion:
    framework = FrameworkVersion.objects.select_for_update().get(pk=framework_id)
    if framework.is_frozen:
        raise ServiceError(
            _(
                "La version « %(version)s » est publiée : elle est figée et ne peut plus être modifiée. "
                "Créez un nouveau brouillon à partir de cette version."
            )
            % {"version": framework.version},
            code="frozen",
        )
    return framework


def _publish(*, framework: FrameworkVersion, acting_user: User | None) -> FrameworkVersion:
    framework = FrameworkVersion.objects.select_for_update().get(pk=framework.pk)
    if framework.is_frozen:
        raise ServiceError(
            _("La version « %(version)s » est déjà publiée.") % {"version": framework.version},
            code="already_published",
        )
    if not framework.levels.exists():
        raise ServiceError(
            _("La version « %(version)s » n’a aucun niveau : elle ne peut pas être publiée.")
            % {"version": framework.version},
            code="empty",
        )
    if not framework.competencies.exists():
        raise ServiceError(
            _("La version « %(version)s » n’a aucune compétence : elle ne peut pas être publiée.")
            % {"version": framework.version},
            code="empty",
        )
    framework.status = FrameworkVersion.Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="framework.version.publish",
        target=framework,
        summary=_("Version du référentiel publiée"),
    )
    return framework


@transaction.atomic(durable=True)
def framework_publish(*, framework: FrameworkVersion, acting_user: User | None) -> FrameworkVersion:
    """Draft → published. From then on the version is frozen."""
    return _publish(framework=framework, acting_user=acting_user)


@transaction.atomic(durable=True)
def framework_new_draft(
    *, source: FrameworkVersion, version: str, acting_user: User | None, title: str = ""
) -> FrameworkVersion:
    """Copy a published version (levels, competencies, descriptors) into a new draft to edit."""
    source = FrameworkVersion.objects.select_related("based_on").get(pk=source.pk)
    if not source.is_frozen:
        raise ServiceError(
            _(
                "Seule une version publiée peut servir de base à un nouveau brouillon ; "
                "« %(version)s » est un brouillon."
            )
            % {"version": source.version},
            code="not_published",
        )
    data = framework_export(framework=source)
    data["version"] = validate_version(version)
    if title.strip():
        data["title"] = title.strip()
    framework = _create_version(document=validate_document(data), based_on=source)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="framework.version.new_draft",
        target=framework,
        summary=_("Nouveau brouillon du référentiel créé à partir de la version %(version)s")
        % {"version": source.version},
        changes={"based_on": source.version},
    )
    return framework


# Editing drafts ----------------------------------------------------------------------


def _clean_competency_fields(competency: Competency, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "name" in cleaned:
        name = (cleaned["name"] or "").strip()
        if not name:
            raise ServiceError(_("Le nom de la compétence est obligatoire."), code="missing_field")
        if len(name) > 200:
            raise ServiceError(_("Le nom de la compétence dépasse 200 caractères."), code="invalid_field")
        cleaned["name"] = name
    if "description" in cleaned:
        cleaned["description"] = (cleaned["description"] or "").strip()
    if "position" in cleaned:
        position = cleaned["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 32767:
            raise ServiceError(_("L’ordre doit être un nombre entier positif."), code="invalid_field")
    if cleaned.get("parent") is not None:
        parent = cleaned["parent"]
        if parent.framework_id != competency.framework_id:
            raise ServiceError(
                _("La compétence parente doit appartenir à la même version du référentiel."), code="unknown_parent"
            )
        parent_of = dict(Competency.objects.filter(framework_id=competency.framework_id).values_list("id", "parent_id"))
        node: int | None = parent.pk
        while node is not None:
            if node == competency.pk:
                raise ServiceError(
                    _("« %(parent)s » ne peut pas devenir parente de « %(name)s » : ce serait un cycle.")
                    % {"parent": parent.name, "name": competency.name},
                    code="cycle",
                )
            node = parent_of.get(node)
    return cleaned


@transaction.atomic(durable=True)
def competency_update(*, competency: Competency, acting_user: User | None, **fields: Any) -> Competency:
    """Change a competency of a draft: name, description, position or parent (code stays stable)."""
    unknown = set(fields) - set(COMPETENCY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _lock_draft(competency.framework_id)
    competency = Competency.objects.select_related("parent").get(pk=competency.pk)
    fields = _clean_competency_fields(competency, fields)
    before = snapshot(competency, list(fields))
    for name, value in fields.items():
        setattr(competency, name, value)
    changes = model_changes(competency, before=before, fields=list(fields))
    if changes:
        competency.save(update_fields=list(changes))
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user),
            action="framework.competency.update",
            target=competency,
            summary=_("Compétence du référentiel modifiée"),
            changes=changes,
        )
    return competency


@transaction.atomic(durable=True)
def descriptor_set(
    *, competency: Competency, level: Level, text: str, acting_user: User | None
) -> LevelDescriptor | None:
    """Write what a competency expects at a level of a draft; an empty text removes it."""
    _lock_draft(competency.framework_id)
    if level.framework_id != competency.framework_id:
        raise ServiceError(
            _("Le niveau « %(level)s » n’appartient pas à la même version que la compétence.") % {"level": level.name},
            code="unknown_level",
        )
    text = (text or "").strip()
    current = LevelDescriptor.objects.filter(competency=competency, level=level).first()
    old_text = current.text if current else ""
    if old_text == text:
        return current
    descriptor: LevelDescriptor | None
    if not text:
        assert current is not None
        current.delete()
        descriptor = None
    elif current is None:
        descriptor = LevelDescriptor.objects.create(competency=competency, level=level, text=text)
    else:
        current.text = text
        current.save(update_fields=["text"])
        descriptor = current
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user),
        action="framework.descriptor.set",
        target=competency,
        summary=_("Descripteur du niveau « %(level)s » modifié") % {"level": level.name},
        changes={"level": level.code, "text": [old_text, text]},
    )
    return descriptor


# Seed --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def framework_load_seed() -> FrameworkVersion:
    """Load and publish the shipped framework (`data/framework-2026.1.json`) unless its
    version already exists. Idempotent; acts as the system."""
    data = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    existing = FrameworkVersion.objects.filter(version=data["version"]).first()
    if existing is not None:
        return existing
    return _import(data=data, acting_user=None, source="seed", publish=True)
