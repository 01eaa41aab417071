"""Demo content of the library (used by `seed_demo`): resources on real participation
methods, written for the demo under Licence Ouverte 2.0 (data/demo_resources.jsonl)."""

from __future__ import annotations

from pathlib import Path

from essaim.library.management.commands.import_resources import import_lines
from essaim.library.models import Resource

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_resources.jsonl"


def demo_library_load() -> int:
    """Idempotent: lines whose slug already exists are skipped. Returns how many were added."""
    existing = set(Resource.objects.values_list("slug", flat=True))
    import json

    lines = [
        line
        for line in DEMO_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line).get("slug") not in existing
    ]
    imported, rejected = import_lines(lines)
    if rejected:
        raise ValueError(f"demo library lines refused: {rejected}")
    return imported
