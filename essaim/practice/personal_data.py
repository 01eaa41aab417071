"""The practice log: the workshops a person facilitated."""

from __future__ import annotations

from typing import Any

from essaim.practice.models import PracticeEntry


def export(user: Any) -> dict[str, Any]:
    return {
        "entries": [
            {
                "date": e.date.isoformat(),
                "title": e.title,
                "method": e.method,
                "audience": e.audience,
                "participants": e.participants,
                "outcome": e.outcome,
                "confirmed": e.confirmed_at is not None,
            }
            for e in PracticeEntry.objects.filter(user=user).order_by("date")
        ]
    }


def anonymise(user: Any) -> dict[str, int]:
    """Dates, methods and numbers stay (they count as practice); the person's own words go."""
    return {"entries_cleared": PracticeEntry.objects.filter(user=user).update(title="", audience="", outcome="")}
