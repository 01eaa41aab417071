"""Backups of the database and their restoration, on both databases.

SQLite: the online backup API copies a consistent image while the site keeps running.
PostgreSQL: pg_dump (custom format) inside an exported snapshot, so that the row counts
written beside the dump describe exactly what it holds; pg_restore in one transaction.
Each backup has a manifest (`<file>.json`): database kind, time, migrations, and the row
count of every table, which `restore` compares with the restored database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from essaim.core.exceptions import ServiceError


@dataclass
class BackupReport:
    path: Path
    vendor: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _tables() -> list[str]:
    """Every table of the project's models (and Django's), in a stable order."""
    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    names.add(MigrationRecorder.Migration._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _count(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 — introspected # nosec B608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or "")}
    env["PGUSER"] = str(db.get("USER") or "")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {key: value for key, value in env.items() if value}


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServiceError(f"{name} est introuvable : installez le client PostgreSQL (paquet postgresql-client).")
    return path


def _write_manifest(report: BackupReport) -> None:
    migrations = list(MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name"))
    manifest = {
        "vendor": report.vendor,
        "created_at": timezone.now().isoformat(),
        "migrations": len(migrations),
        "counts": report.counts,
    }
    Path(f"{report.path}.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def database_backup(*, destination: Path) -> BackupReport:
    """Write a consistent copy of the database to `destination` (and its manifest)."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    started = time.perf_counter()
    tables = _tables()
    if connection.vendor == "sqlite":
        connection.close()
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
        target = sqlite3.connect(str(partial))
        try:
            # One step: in WAL mode this read never blocks the writers, whereas a backup in
            # steps starts over whenever another connection writes between two steps, and
            # never finishes on a database larger than a step that is written to steadily.
            source.backup(target)
            counts = _count(target.cursor(), tables)
        finally:
            target.close()
            source.close()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, tables)
            subprocess.run(  # noqa: S603 — a fixed program, arguments from settings
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    str(settings.DATABASES["default"]["NAME"]),
                ],
                env=_pg_env(),
                check=True,
                capture_output=True,
            )
    os.replace(partial, destination)
    report = BackupReport(
        path=destination, vendor=connection.vendor, seconds=time.perf_counter() - started, counts=counts
    )
    _write_manifest(report)
    return report


def database_restore(*, source: Path) -> BackupReport:
    """Replace the database's content with the backup's, then compare every table's rows
    with the manifest (`mismatches` is empty when all agree)."""
    source = source.resolve()
    manifest_path = Path(f"{source}.json")
    if not source.exists() or not manifest_path.exists():
        raise ServiceError(f"Sauvegarde introuvable (ou sans son manifeste .json) : {source}")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("vendor") != connection.vendor:
        raise ServiceError(
            f"Cette sauvegarde vient de {manifest.get('vendor')} ; la base configurée est {connection.vendor}."
        )
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        for conn in connections.all():
            conn.close()
        backup = sqlite3.connect(str(source))
        live = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=60)
        try:
            backup.backup(live)
        finally:
            live.close()
            backup.close()
    else:
        connection.close()
        subprocess.run(  # noqa: S603 — a fixed program, arguments from settings
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(source),
            ],
            env=_pg_env(),
            check=True,
            capture_output=True,
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        counts = _count(cursor, [t for t in manifest["counts"] if t in set(connection.introspection.table_names())])
    expected: dict[str, int] = manifest["counts"]
    mismatches = {
        table: (expected[table], counts.get(table, -1))
        for table in expected
        if counts.get(table, -1) != expected[table]
    }
    return BackupReport(path=source, vendor=connection.vendor, seconds=seconds, counts=counts, mismatches=mismatches)
