"""`manage.py import_resources PATH`: bulk import of resources from JSON Lines.

One resource a line: title, summary, body, type, licence, language, organisation (slug or
name), themes (list), published (true/false); optional slug, audience, authors,
licence_reason, visibility. Lines that cannot be imported are reported with their reason;
the others are imported and indexed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from essaim.core.exceptions import ServiceError
from essaim.library.services import resource_import


def import_lines(lines: Any, *, acting_user: Any = None) -> tuple[int, list[tuple[int, str]]]:
    """Import every valid line; returns (imported count, [(line number, reason)])."""
    imported, rejected = 0, []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rejected.append((number, f"JSON invalide ({exc.msg}, colonne {exc.colno})"))
            continue
        if not isinstance(record, dict):
            rejected.append((number, "une ligne doit être un objet JSON"))
            continue
        try:
            resource_import(record=record, acting_user=acting_user)
        except ServiceError as exc:
            rejected.append((number, exc.message))
        else:
            imported += 1
    return imported, rejected


class Command(BaseCommand):
    help = "Import resources from a JSON Lines file; rejected lines are reported with their reason."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, **options):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with path.open(encoding="utf-8") as handle:
            imported, rejected = import_lines(handle)
        for number, reason in rejected:
            self.stderr.write(f"ligne {number} refusée : {reason}")
        self.stdout.write(
            self.style.SUCCESS(f"{imported} ressource(s) importée(s), {len(rejected)} ligne(s) refusée(s).")
        )
