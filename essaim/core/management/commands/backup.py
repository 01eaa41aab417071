"""`python manage.py backup [--output PATH]`: a consistent copy of the database, online."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from essaim.core.backup import database_backup
from essaim.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Sauvegarde la base (SQLite : API de sauvegarde en ligne ; PostgreSQL : pg_dump) avec son manifeste."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", type=Path, help="Fichier de sortie (par défaut var/backups/…)")

    def handle(self, *args: Any, output: Path | None = None, **options: Any) -> None:
        if output is None:
            suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = Path(settings.VAR_DIR) / "backups" / f"essaim-{stamp}.{suffix}"
        try:
            report = database_backup(destination=output)
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        size = report.path.stat().st_size
        self.stdout.write(
            f"backup: {report.path} ({size / 1_000_000:.1f} MB, {report.vendor}) in {report.seconds:.2f} s; "
            f"{len(report.counts)} tables, {report.rows} rows"
        )
