"""`manage.py library_reindex`: rebuild the library search index (ADR 0020).

Needed after migrating to a new index layout or changing the text processing (stemming,
stop words, weights). Synonyms (`library/data/synonyms.txt`) need no reindex. The rebuild is
one transaction: searches keep reading the old index until it commits.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from essaim.library.services import library_reindex


class Command(BaseCommand):
    help = "Reconstruit l’index de recherche de la bibliothèque."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="ressources lues à la fois (500)")
        parser.add_argument(
            "--no-related", action="store_true", help="ne pas recalculer les ressources liées (plus rapide)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = library_reindex(batch_size=max(int(options["batch_size"]), 1), related=not options["no_related"])
        seconds = f"{time.perf_counter() - started:.1f}"
        self.stdout.write(_("%(count)s ressources indexées en %(seconds)s s.") % {"count": count, "seconds": seconds})
