"""Writes about sessions themselves: scheduling, capacity, rescheduling, cancellation.

Registrations live in services.py; these functions share its session lock and seat census.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.training.models import Registration, Session, SessionSlot
from essaim.training.services import Status, _census, _lock_session, _notify_on_commit, _offer_on_commit, _set_status

SESSION_FIELDS = {
    "min_seats",
    "signup_opens_at",
    "signup_closes_at",
    "approval_mode",
    "cancellation_cutoff_hours",
    "audience",
    "audience_organisation",
    "audience_region",
    "format",
    "venue",
    "address",
    "lab",
    "remote_url",
    "region",
    "departement",
    "description",
}


@transaction.atomic(durable=True)
def session_create(
    *,
    course: Any,
    organiser: Any,
    slots: list[tuple[dt.datetime, dt.datetime]],
    capacity: int,
    acting_user: Any,
    trainers: list[Any] | None = None,
    publish: bool = False,
    **fields: Any,
) -> Session:
    """Schedule a session of a catalogue course. Slots are half-days (start, end)."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"Unknown session fields: {sorted(unknown)}")
    if not slots:
        raise ServiceError(_("Une session comporte au moins une demi-journée."))
    ordered = sorted(slots)
    for start, end in ordered:
        if end <= start:
            raise ServiceError(_("Chaque demi-journée doit finir après avoir commencé."))
    for (_s1, end1), (start2, _e2) in itertools.pairwise(ordered):
        if start2 < end1:
            raise ServiceError(_("Deux demi-journées se chevauchent."))
    if publish and ordered[0][0] <= timezone.now():
        raise ServiceError(_("On ne publie pas une session dont les dates sont passées."))
    if capacity < 1:
        raise ServiceError(_("Une session a au moins une place."))
    if fields.get("min_seats", 0) > capacity:
        raise ServiceError(_("Le minimum de participants dépasse le nombre de places."))
    fields.setdefault("format", course.format)
    session = Session.objects.create(
        course=course,
        organiser=organiser,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        capacity=capacity,
        status=Session.Status.PUBLISHED if publish else Session.Status.DRAFT,
        starts_at=ordered[0][0],
        ends_at=ordered[-1][1],
        **fields,
    )
    SessionSlot.objects.bulk_create([SessionSlot(session=session, starts_at=s, ends_at=e) for s, e in ordered])
    if trainers:
        session.trainers.set(trainers)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, organiser),
        action="training.session.create",
        target=session,
        summary=_("Session programmée"),
        changes={"capacity": capacity, "slots": len(ordered), "published": publish},
    )
    return session


@transaction.atomic(durable=True)
def session_set_capacity(*, session: Session, capacity: int, acting_user: Any) -> Session:
    session = _lock_session(session.pk)
    held = _census(session).held
    if capacity < held:
        raise ServiceError(
            _("Impossible de descendre à %(capacity)d places : %(held)d personnes ont déjà une place.")
            % {"capacity": capacity, "held": held},
            code="below_booked",
        )
    if capacity < session.min_seats:
        raise ServiceError(_("Le nombre de places ne peut pas être inférieur au minimum de participants."))
    previous = session.capacity
    session.capacity = capacity
    session.save(update_fields=["capacity", "updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session.organiser),
        action="training.session.capacity",
        target=session,
        changes={"capacity": [previous, capacity]},
    )
    if capacity > previous:
        _offer_on_commit(session.pk)
    return session


@transaction.atomic(durable=True)
def session_cancel(*, session: Session, acting_user: Any, reason: str) -> Session:
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Indiquez la raison de l’annulation : elle est envoyée aux inscrits."))
    session = _lock_session(session.pk)
    if session.status == Session.Status.CANCELLED:
        raise ServiceError(_("Cette session est déjà annulée."))
    session.status = Session.Status.CANCELLED
    session.cancellation_reason = reason
    session.ical_sequence += 1
    session.save(update_fields=["status", "cancellation_reason", "ical_sequence", "updated_at"])
    for registration in Registration.objects.filter(session=session, status__in=Registration.ACTIVE):
        registration.offered_until = None
        _set_status(registration, Status.SESSION_CANCELLED, actor=acting_user, note=reason, fields=("offered_until",))
        _notify_on_commit(registration, "session_cancelled")
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session.organiser),
        action="training.session.cancel",
        target=session,
        summary=reason,
    )
    return session


@transaction.atomic(durable=True)
def session_reschedule(*, session: Session, slots: list[tuple[dt.datetime, dt.datetime]], acting_user: Any) -> Session:
    """New dates: the invitations are updated (same UIDs, SEQUENCE + 1) and reminders will
    follow the new date."""
    ordered = sorted(slots)
    if not ordered or any(end <= start for start, end in ordered):
        raise ServiceError(_("Chaque demi-journée doit finir après avoir commencé."))
    if any(start2 < end1 for (_s1, end1), (start2, _e2) in itertools.pairwise(ordered)):
        raise ServiceError(_("Deux demi-journées se chevauchent."))
    if ordered[0][0] <= timezone.now():
        raise ServiceError(_("Les nouvelles dates doivent être dans le futur."))
    session = _lock_session(session.pk)
    if session.status != Session.Status.PUBLISHED and session.status != Session.Status.DRAFT:
        raise ServiceError(_("Cette session ne peut plus être modifiée."))
    existing = list(session.slots.order_by("starts_at"))
    if len(existing) != len(ordered):
        raise ServiceError(_("Gardez le même nombre de demi-journées (la présence est relevée par demi-journée)."))
    for slot, (start, end) in zip(existing, ordered, strict=True):
        slot.starts_at, slot.ends_at = start, end
    # Two passes avoid a transient clash on the (session, starts_at) unique constraint.
    far = dt.timedelta(days=36500)
    for slot in existing:
        SessionSlot.objects.filter(pk=slot.pk).update(starts_at=slot.starts_at + far, ends_at=slot.ends_at + far)
    for slot in existing:
        SessionSlot.objects.filter(pk=slot.pk).update(starts_at=slot.starts_at, ends_at=slot.ends_at)
    before = (session.starts_at, session.ends_at)
    session.starts_at, session.ends_at = ordered[0][0], ordered[-1][1]
    session.ical_sequence += 1
    session.save(update_fields=["starts_at", "ends_at", "ical_sequence", "updated_at"])
    for registration in Registration.objects.filter(session=session, status__in=Registration.HOLDING):
        _notify_on_commit(registration, "session_changed")
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.reschedule",
        target=session,
        changes={"starts_at": [before[0], session.starts_at], "ends_at": [before[1], session.ends_at]},
    )
    return session
