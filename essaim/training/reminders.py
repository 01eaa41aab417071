"""Reminders 7 days and 1 day before a session, sent once per session date."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from essaim.training.models import NotificationLog, Registration, Session

#: kind → how long before the start it goes out
REMINDERS = {"reminder_7_days": dt.timedelta(days=7), "reminder_1_day": dt.timedelta(days=1)}


def reminders_due(*, now: dt.datetime | None = None) -> list[tuple[int, str, str]]:
    """(registration id, kind, key) of every reminder due now and not yet sent."""
    now = now or timezone.now()
    due = []
    for kind, ahead in REMINDERS.items():
        registrations = Registration.objects.filter(
            status=Registration.Status.BOOKED,
            session__status=Session.Status.PUBLISHED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + ahead,
        ).values_list("pk", "session__starts_at")
        for registration_id, starts_at in registrations:
            if starts_at is None:  # excluded by the filter; keeps the type checker honest
                continue
            key = starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            due.append((registration_id, kind, key))
    if not due:
        return []
    sent = set(
        NotificationLog.objects.filter(registration_id__in={d[0] for d in due}, kind__in=REMINDERS).values_list(
            "registration_id", "kind", "key"
        )
    )
    due_set = set(due)
    # A 1-day reminder makes the 7-day one pointless when both are due at once.
    return [
        d
        for d in due
        if d not in sent and not (d[1] == "reminder_7_days" and (d[0], "reminder_1_day", d[2]) in due_set)
    ]


def reminder_claim(*, registration_id: int, kind: str, key: str) -> bool:
    """Record the reminder before sending: True for the one worker that may send it."""
    try:
        with transaction.atomic():
            NotificationLog.objects.create(registration_id=registration_id, kind=kind, key=key)
    except IntegrityError:
        return False
    return True
