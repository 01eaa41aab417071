"""Writes shared by every domain. `audit_log` is called by every service that changes data."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from essaim.core.client_ip import current_client_ip
from essaim.core.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_log(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    role: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Record one write. `action` is a stable dotted verb, e.g. ``accounts.role.grant``.

    `actor` is None for the system (periodic jobs, migrations of data). `role` says in
    which capacity the actor acted (``programme_admin``, ``organiser``, ``self``…).
    """
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_person else None,
        actor_label=(str(actor) if is_person else "système")[:255],
        actor_role=role[:30],
        action=action[:80],
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        summary=str(summary)[:500],
        changes=_jsonable(changes or {}),
        ip_address=ip_address if ip_address is not None else current_client_ip(),
    )


def model_changes(instance: models.Model, *, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The fields whose value differs from `before`, as {field: [old, new]}."""
    diff: dict[str, Any] = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if _jsonable(old) != _jsonable(new):
            diff[name] = [_jsonable(old), _jsonable(new)]
    return diff


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}
