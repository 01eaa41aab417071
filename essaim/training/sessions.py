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
from essaim.catalogue.models import Course
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue, outbox_enqueue_many
from essaim.core.services import audit_log
from essaim.core.validators import check_single_line
from essaim.organisations.models import Organisation
from essaim.training.models import Attendance, Registration, Session, SessionMessage, SessionSlot
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


def format_for_venue(venue: str, course_format: str) -> str:
    """What a session's page says about its format: it follows where the session meets
    (a session at an address is never « à distance »); a hybrid course stays hybrid."""
    if venue == Session.Venue.REMOTE:
        return Course.Format.REMOTE
    if course_format == Course.Format.HYBRID:
        return Course.Format.HYBRID
    return Course.Format.IN_PERSON


def signup_window_errors(
    *, opens_at: dt.datetime | None, closes_at: dt.datetime | None, first_start: dt.datetime | None
) -> dict[str, str]:
    """What is wrong with a sign-up window, by field. Forms and services share it."""
    errors: dict[str, str] = {}
    if opens_at and closes_at and opens_at >= closes_at:
        errors["signup_opens_at"] = _("Les inscriptions doivent ouvrir avant leur clôture.")
    if first_start and closes_at and closes_at > first_start:
        errors["signup_closes_at"] = _(
            "Les inscriptions doivent être closes avant le début de la session (%(start)s)."
        ) % {"start": timezone.localtime(first_start).strftime("%d/%m/%Y %H:%M")}
    if first_start and opens_at and opens_at >= first_start and "signup_opens_at" not in errors:
        errors["signup_opens_at"] = _("Les inscriptions doivent ouvrir avant le début de la session.")
    return errors


@transaction.atomic(durable=True)
def session_create(
    *,
    course: Any,
    organiser: Any,
    slots: list[tuple[dt.datetime, dt.datetime]],
    capacity: int,
    acting_user: Any,
    trainers: list[Any] | None = None,
    partners: list[Any] | None = None,
    publish: bool = False,
    **fields: Any,
) -> Session:
    """Schedule a session of a catalogue course. Slots are half-days (start, end), to come."""
    if slots and min(start for start, _end in slots) <= timezone.now():
        raise ServiceError(_("Le premier jour est déjà passé : choisissez une date à venir."), code="past")
    return session_build(
        course=course,
        organiser=organiser,
        slots=slots,
        capacity=capacity,
        acting_user=acting_user,
        trainers=trainers,
        partners=partners,
        publish=publish,
        **fields,
    )


def session_build(
    *,
    course: Any,
    organiser: Any,
    slots: list[tuple[dt.datetime, dt.datetime]],
    capacity: int,
    acting_user: Any,
    trainers: list[Any] | None = None,
    partners: list[Any] | None = None,
    publish: bool = False,
    kind: str = Session.Kind.TRAINING,
    **fields: Any,
) -> Session:
    """`session_create` inside a caller's transaction: events.services builds the seats of
    an event with it (kind=event), so both go through the same checks."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"Unknown session fields: {sorted(unknown)}")
    ordered = _checked_timetable(slots)
    if publish and ordered[0][0] <= timezone.now():
        raise ServiceError(_("On ne publie pas une session dont les dates sont passées."))
    for field, message in signup_window_errors(
        opens_at=fields.get("signup_opens_at"), closes_at=fields.get("signup_closes_at"), first_start=ordered[0][0]
    ).items():
        raise ServiceError(message, code=field)
    if capacity < 1:
        raise ServiceError(_("Une session a au moins une place."))
    if fields.get("min_seats", 0) > capacity:
        raise ServiceError(_("Le minimum de participants dépasse le nombre de places."))
    fields["format"] = format_for_venue(fields.get("venue", Session.Venue.PLACE), fields.get("format") or course.format)
    session = Session.objects.create(
        course=course,
        organiser=organiser,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        capacity=capacity,
        status=Session.Status.PUBLISHED if publish else Session.Status.DRAFT,
        kind=kind,
        starts_at=ordered[0][0],
        ends_at=ordered[-1][1],
        **fields,
    )
    SessionSlot.objects.bulk_create([SessionSlot(session=session, starts_at=s, ends_at=e) for s, e in ordered])
    if trainers:
        session.trainers.set(trainers)
    if partners:
        _check_partners(partners)
        session.partners.set(partners)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, organiser),
        action="training.session.create",
        target=session,
        summary=_("Session programmée"),
        changes={"capacity": capacity, "slots": len(ordered), "published": publish},
    )
    return session


def _check_partners(partners: list[Any]) -> None:
    if any(partner.kind != Organisation.Kind.PARTNER for partner in partners):
        raise ServiceError(_("Seuls des partenaires de la société civile co-animent une session."), code="not_partner")


def session_partners_replace(*, session: Session, partners: list[Any], acting_user: Any) -> Session:
    """Set who co-runs a session, inside the caller's transaction. Touches `updated_at`, so
    the incremental rollup refresh sees a session that gained a partner after it was held."""
    _check_partners(partners)
    before = sorted(session.partners.values_list("pk", flat=True))
    after = sorted(partner.pk for partner in partners)
    if before == after:
        return session
    session.partners.set(partners)
    session.save(update_fields=["updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.partners",
        target=session,
        changes={"partners": [before, after]},
    )
    return session


@transaction.atomic(durable=True)
def session_set_partners(*, session: Session, partners: list[Any], acting_user: Any) -> Session:
    """The organiser names the civil-society partners co-running the session."""
    return session_partners_replace(session=_lock_session(session.pk), partners=partners, acting_user=acting_user)


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


Slot = tuple[dt.datetime, dt.datetime]
#: A session meets at most this many half-days (a long co-development cycle).
MAX_HALF_DAYS = 40


def _checked_timetable(slots: list[Slot]) -> list[Slot]:
    ordered = sorted(slots)
    if not ordered:
        raise ServiceError(_("Une session comporte au moins une demi-journée."))
    if len(ordered) > MAX_HALF_DAYS:
        raise ServiceError(
            _("Une session compte au plus %(count)d demi-journées.") % {"count": MAX_HALF_DAYS}, code="too_many"
        )
    if any(end <= start for start, end in ordered):
        raise ServiceError(_("Chaque demi-journée doit finir après avoir commencé."))
    if any(start2 < end1 for (_s1, end1), (start2, _e2) in itertools.pairwise(ordered)):
        raise ServiceError(_("Deux demi-journées se chevauchent."))
    return ordered


@transaction.atomic(durable=True)
def session_reschedule(*, session: Session, slots: list[Slot], acting_user: Any) -> Session:
    """A new timetable: half-days moved, added or removed, on any days and hours.

    A moved half-day keeps its calendar UID (the agent's calendar moves the event,
    SEQUENCE + 1); an added one gets a new UID in the same invitation; a removed one is
    cancelled in the agents' calendars. Half-days already begun, or whose attendance was
    taken, stay as they are. Reminders follow the new first date.
    """
    ordered = _checked_timetable(slots)
    session = _lock_session(session.pk)
    if session.status not in (Session.Status.PUBLISHED, Session.Status.DRAFT):
        raise ServiceError(_("Cette session ne peut plus être modifiée."))
    now = timezone.now()
    existing = list(session.slots.order_by("starts_at"))
    with_attendance = set(Attendance.objects.filter(slot__session=session).values_list("slot_id", flat=True).distinct())
    wanted = list(ordered)
    kept: list[SessionSlot] = []
    free: list[SessionSlot] = []
    for slot in existing:
        pair = (slot.starts_at, slot.ends_at)
        if pair in wanted:
            wanted.remove(pair)
            kept.append(slot)
        elif slot.starts_at <= now or slot.pk in with_attendance:
            raise ServiceError(
                _("La demi-journée du %(slot)s a commencé ou sa présence est relevée : elle ne peut plus changer.")
                % {"slot": _slot_label(slot)},
                code="started",
            )
        else:
            free.append(slot)
    if any(start <= now for start, _end in wanted):
        raise ServiceError(_("Les nouvelles dates doivent être dans le futur."), code="past")
    if not wanted and not free:
        raise ServiceError(_("Les dates sont inchangées : aucun message n’est envoyé."), code="unchanged")
    moved, removed = free[: len(wanted)], free[len(wanted) :]
    added = wanted[len(moved) :]
    removed_slots = [
        {"pk": slot.pk, "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}
        for slot in removed
    ]
    SessionSlot.objects.filter(pk__in=[slot.pk for slot in removed]).delete()
    # Two passes avoid a transient clash on the (session, starts_at) unique constraint.
    far = dt.timedelta(days=36500)
    for slot, (start, end) in zip(moved, wanted, strict=False):
        SessionSlot.objects.filter(pk=slot.pk).update(starts_at=start + far, ends_at=end + far)
    for slot, (start, end) in zip(moved, wanted, strict=False):
        SessionSlot.objects.filter(pk=slot.pk).update(starts_at=start, ends_at=end)
    SessionSlot.objects.bulk_create([SessionSlot(session=session, starts_at=s, ends_at=e) for s, e in added])
    before = {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "slots": [_slot_label(slot) for slot in existing],
    }
    session.starts_at, session.ends_at = ordered[0][0], ordered[-1][1]
    session.ical_sequence += 1
    session.save(update_fields=["starts_at", "ends_at", "ical_sequence", "updated_at"])
    for registration in Registration.objects.filter(session=session, status__in=Registration.ACTIVE):
        _notify_on_commit(registration, "session_changed")
        if removed_slots and registration.status in Registration.HOLDING:
            _cancel_slots_on_commit(registration, removed_slots)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.reschedule",
        target=session,
        changes={
            "starts_at": [before["starts_at"], session.starts_at],
            "ends_at": [before["ends_at"], session.ends_at],
            "slots": [before["slots"], [_slot_label(start, end) for start, end in ordered]],
        },
    )
    return session


def _slot_label(slot: SessionSlot | dt.datetime, end: dt.datetime | None = None) -> str:
    """« 03/12/2026 09:00–12:30 » in local time, for messages and the audit log."""
    if isinstance(slot, SessionSlot):
        start, end = slot.starts_at, slot.ends_at
    else:
        start = slot
    assert end is not None
    return f"{timezone.localtime(start):%d/%m/%Y %H:%M}–{timezone.localtime(end):%H:%M}"


def _cancel_slots_on_commit(registration: Registration, removed: list[dict[str, Any]]) -> None:
    from essaim.training.tasks import notify_slots_removed

    outbox_enqueue(
        task=notify_slots_removed,
        kwargs={"registration_id": registration.pk, "removed": removed},
        ref=f"training.registration:{registration.pk}",
        topic="slots_removed",
    )


#: Where a session takes place: what a change of venue may touch.
VENUE_FIELDS = ("venue", "address", "lab", "remote_url", "region", "departement")


def venue_errors(data: dict[str, Any]) -> dict[str, str]:
    """What a place needs, by field: an address, a lab, or a link. Forms and services share it."""
    venue = data.get("venue")
    if venue == Session.Venue.PLACE and not (data.get("address") or "").strip():
        return {"address": _("Indiquez l’adresse.")}
    if venue == Session.Venue.LAB and not data.get("lab"):
        return {"lab": _("Choisissez le laboratoire.")}
    if venue == Session.Venue.REMOTE and not data.get("remote_url"):
        return {"remote_url": _("Indiquez le lien de connexion.")}
    return {}


@transaction.atomic(durable=True)
def session_change_venue(*, session: Session, acting_user: Any, **fields: Any) -> Session:
    """Move a session to another place (or online). People holding a seat get the updated
    invitation (same UIDs, SEQUENCE + 1); people waiting are told too."""
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown venue fields: {sorted(unknown)}")
    session = _lock_session(session.pk)
    if session.status not in (Session.Status.DRAFT, Session.Status.PUBLISHED):
        raise ServiceError(_("Cette session ne peut plus être modifiée."))
    before = {name: getattr(session, name) for name in VENUE_FIELDS}
    errors = venue_errors(before | fields)
    if errors:
        raise ServiceError(next(iter(errors.values())), code="venue")
    for name, value in fields.items():
        setattr(session, name, value)
    changed = [name for name in VENUE_FIELDS if getattr(session, name) != before[name]]
    if not changed:
        raise ServiceError(_("Le lieu est inchangé : aucun message n’est envoyé."), code="unchanged")
    session.format = format_for_venue(session.venue, session.course.format)
    session.ical_sequence += 1
    session.save(update_fields=[*changed, "format", "ical_sequence", "updated_at"])
    for registration in Registration.objects.filter(session=session, status__in=Registration.ACTIVE):
        _notify_on_commit(registration, "session_changed")
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.venue",
        target=session,
        changes={name: [before[name], getattr(session, name)] for name in changed},
    )
    return session


MESSAGE_STATUSES: dict[str, frozenset[str]] = {
    SessionMessage.Audience.ACTIVE.value: frozenset(Registration.ACTIVE),
    SessionMessage.Audience.BOOKED.value: frozenset(Registration.HOLDING),
    SessionMessage.Audience.WAITLISTED.value: frozenset({Status.WAITLISTED.value}),
}


@transaction.atomic(durable=True)
def session_message_send(
    *, session: Session, audience: str, subject: str, body: str, acting_user: Any
) -> SessionMessage:
    """Write to a session's registrants: one e-mail each (nobody sees the others' address),
    in their language around the organiser's own words, with a reply to the organiser."""
    subject, body = check_single_line(subject.strip()), body.strip()
    if audience not in MESSAGE_STATUSES:
        raise ServiceError(_("Choisissez les destinataires."))
    if not subject or not body:
        raise ServiceError(_("Un message a un objet et un texte."))
    if len(subject) > 150 or len(body) > 5000:
        raise ServiceError(_("Le message est trop long (objet : 150 caractères, texte : 5 000)."))
    session = _lock_session(session.pk)
    if session.status == Session.Status.DRAFT:
        raise ServiceError(_("Publiez la session avant d’écrire aux inscrits."))
    recent = timezone.now() - dt.timedelta(minutes=10)
    if SessionMessage.objects.filter(session=session, subject=subject, body=body, created_at__gte=recent).exists():
        raise ServiceError(_("Ce message vient déjà d’être envoyé."), code="duplicate")
    recipient_ids = list(
        Registration.objects.filter(session=session, status__in=MESSAGE_STATUSES[audience], user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not recipient_ids:
        raise ServiceError(_("Personne ne correspond à ces destinataires pour l’instant."), code="no_recipient")
    message = SessionMessage.objects.create(
        session=session,
        author=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        audience=audience,
        subject=subject,
        body=body,
        recipients=len(recipient_ids),
    )
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.message",
        target=session,
        summary=_("Message aux inscrits"),  # its words stay in SessionMessage, under its retention
        changes={"audience": audience, "recipients": len(recipient_ids)},
    )

    from essaim.training.tasks import send_session_message

    outbox_enqueue_many(
        task=send_session_message,
        items=(
            ({"message_id": message.pk, "registration_ids": [pk]}, f"training.registration:{pk}")
            for pk in recipient_ids
        ),
        topic=f"training.sessionmessage:{message.pk}",
    )
    return message
