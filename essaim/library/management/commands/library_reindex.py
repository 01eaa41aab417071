"""`manage.py library_reindex`: rebuild the library search index (ADR 0020).

Needed after migrating to a new index layout or changing the text processing (stemming,
stop words, weights). Synonyms (`library/data/synonyms.txt`) need no reindex. The rebuild is
one transaction: searches keep reading the old index until it commits. Documents whose text
is still waiting for its extraction task are read first; `--retry-failed-text` reads again
those whose extraction failed (after an upgrade of pypdf, say).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essaim.library.services import library_files_text_extract, library_reindex


class Command(BaseCommand):
    help = "Reconstruit l’index de recherche de la bibliothèque."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="ressources lues à la fois (500)")
        parser.add_argument(
            "--no-related", action="store_true", help="ne pas recalculer les ressources liées (plus rapide)"
        )
        parser.add_argument(
            "--retry-failed-text",
            action="store_true",
            help="relire aussi le texte des documents dont l’extraction a échoué",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        read = library_files_text_extract(retry_failed=options["retry_failed_text"])
        if read:
            message = ngettext(
                "Texte extrait de %(count)s document en attente.",
                "Texte extrait de %(count)s documents en attente.",
                read,
            )
            self.stdout.write(message % {"count": read})
        count = library_reindex(batch_size=max(int(options["batch_size"]), 1), related=not options["no_related"])
        seconds = f"{time.perf_counter() - started:.1f}"
        self.stdout.write(_("%(count)s ressources indexées en %(seconds)s s.") % {"count": count, "seconds": seconds})
