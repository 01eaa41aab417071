"""Reads that tolerate lag may go to a PostgreSQL replica (`DATABASE_REPLICA_URL`).

Only the apps of `DATABASE_REPLICA_APPS` (dashboards and open data by default) are read
from the replica, and only outside a transaction: a service that reads what it is about to
write always reads the primary. Seat availability, registrations and accounts are never
read from a replica, whatever the setting says (settings refuse such a list).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# Apps whose reads decide a write or show a person their own state: always the primary.
NEVER_ON_REPLICA = frozenset({"training", "accounts", "auth", "sessions", "contenttypes", "core"})


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not settings.DATABASE_REPLICA_URL:  # settings then define DATABASES["replica"]
            return None
        app_label = model._meta.app_label  # type: ignore[attr-defined]
        if app_label in NEVER_ON_REPLICA or app_label not in settings.DATABASE_REPLICA_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
