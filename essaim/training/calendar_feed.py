"""A person's own sessions as a calendar: the .ics download and the secret feed (ADR 0055).

The feed is read by calendar apps without a login, so its address is the credential: a
random token, stored only as a SHA-256 hash, shown once, revocable. It lists the sessions
the person holds a seat in (or attended), and cancelled sessions as cancelled, so a
subscribed calendar follows every change on its next refresh."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet

from essaim.core.services import audit_log
from essaim.training.models import CalendarFeed, Registration, SessionSlot

Status = Registration.Status

#: What puts a session in someone's calendar: a seat, a session held, a session cancelled
#: (kept, marked cancelled, so the calendar drops it rather than keeping a stale copy).
IN_CALENDAR = frozenset({Status.BOOKED, Status.SESSION_CANCELLED} | set(Registration.ATTENDANCE_STATUSES))
FEED_LIMIT = 500


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic(durable=True)
def calendar_feed_rotate(*, user: Any, acting_user: Any) -> str:
    """A new secret address for `user`; the previous one stops working. Returns the token."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    audit_log(actor=acting_user, action="training.calendar_feed.rotate", target=user)
    return token


@transaction.atomic(durable=True)
def calendar_feed_revoke(*, user: Any, acting_user: Any) -> bool:
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit_log(actor=acting_user, action="training.calendar_feed.revoke", target=user)
    return bool(deleted)


def calendar_feed_owner(*, token: str) -> Any | None:
    """The active person whose feed this token opens, or None (unknown, revoked, inactive)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def calendar_feed_exists(*, user: Any) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def calendar_registrations(*, user: Any, session_id: int | None = None) -> QuerySet[Registration]:
    """The person's registrations that belong in their calendar, with what the writer reads
    (session, course, lab, slots, the count of status changes for SEQUENCE) in 3 queries."""
    registrations = (
        Registration.objects.filter(user=user, status__in=IN_CALENDAR, session__starts_at__isnull=False)
        .select_related("session__course", "session__lab", "session__event")
        .prefetch_related(Prefetch("session__slots", queryset=SessionSlot.objects.order_by("starts_at")))
        .annotate(status_changes=Count("events"))
        .order_by("session__starts_at", "pk")
    )
    if session_id is not None:
        registrations = registrations.filter(session_id=session_id)
    return registrations[:FEED_LIMIT]
