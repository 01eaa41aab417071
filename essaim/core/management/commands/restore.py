"""`python manage.py restore PATH --yes`: put a backup back and check every table's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from essaim.core.backup import database_restore
from essaim.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Restaure une sauvegarde faite par `backup` et compare le nombre de lignes de chaque table."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Confirmer : le contenu actuel est remplacé.")

    def handle(self, *args: Any, path: Path, yes: bool = False, **options: Any) -> None:
        if not yes:
            raise CommandError("La restauration remplace tout le contenu de la base : relancez avec --yes.")
        try:
            report = database_restore(source=path)
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restore: {report.path} in {report.seconds:.2f} s; {len(report.counts)} tables, {report.rows} rows"
        )
        if report.mismatches:
            for table, (expected, found) in sorted(report.mismatches.items()):
                self.stderr.write(f"  {table}: {found} rows, backup had {expected}")
            raise CommandError(f"{len(report.mismatches)} tables differ from the backup.")
        self.stdout.write("row counts identical to the backup in every table")
