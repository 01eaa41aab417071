"""The delegation's part of a person's data (export, erasure, retention).

Discovered by `core.personal_data` (module name convention).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from essaim.delegation.models import Application, Call


def export(user: Any) -> dict[str, Any]:
    return {
        "applications": [
            {
                "call": a.call.year,
                "applied_at": a.created_at.isoformat(),
                "motivation": a.motivation,
                "availability_note": a.availability_note,
                "ministry": str(a.ministry) if a.ministry else None,
                "region": a.region_id,
                "status": a.status,
                "reserve_rank": a.reserve_rank,
                "withdrawn_at": a.withdrawn_at.isoformat() if a.withdrawn_at else None,
            }
            for a in Application.objects.filter(user=user).select_related("call", "ministry").order_by("created_at")
        ]
    }


def anonymise(user: Any) -> dict[str, int]:
    """The words go; the application stays counted (the delegation's balance stays true)."""
    cleared = Application.objects.filter(user=user).update(motivation="", availability_note="")
    return {"applications_cleared": cleared}


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def retention(now: dt.datetime) -> dict[str, int]:
    """Motivations are needed for the selection only: erased N months after the event."""
    cutoff = _months_before(now.date(), settings.DELEGATION_MOTIVATION_RETENTION_MONTHS)
    calls = Call.objects.filter(event_ends_on__lt=cutoff, motivations_purged_at__isnull=True)
    ids = list(calls.values_list("pk", flat=True))
    cleared = Application.objects.filter(call_id__in=ids).update(motivation="", availability_note="")
    Call.objects.filter(pk__in=ids).update(motivations_purged_at=now)
    return {"calls_purged": len(ids), "motivations_erased": cleared}
