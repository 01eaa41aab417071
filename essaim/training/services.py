"""Writes about sessions and registrations.

Concurrency: every change to who holds a seat of a session takes the session's lock
once, as late as possible, and then counts seats from the registrations — there is no
stored counter to drift. On PostgreSQL the lock is the session row (SELECT … FOR UPDATE,
bounded by lock_timeout); on SQLite, IMMEDIATE transactions already serialise writers.
The unique constraint (session, user) is the backstop against a double submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.catalogue.selectors import course_eligibility
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log
from essaim.training.models import Registration, RegistrationEvent, Session
from essaim.training.selectors import registration_count

Status = Registration.Status

#: How long a freed seat is held for the next person on the waiting list.
OFFER_HOURS = settings.WAITLIST_OFFER_HOURS


def _lock_session(session_id: int) -> Session:
    """The one lock of a registration transaction, taken just before counting seats."""
    return Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)


#: What may change on a session between the unlocked checks and the lock.
_LOCK_REFRESHED = ("status", "capacity", "approval_mode", "starts_at")


def _relock(session: Session) -> Session:
    """Lock a session already read for the unlocked checks, refreshing only what can have
    changed meanwhile: one short query instead of reading the session and its course again."""
    values = Session.objects.select_for_update().filter(pk=session.pk).values_list(*_LOCK_REFRESHED).get()
    for name, value in zip(_LOCK_REFRESHED, values, strict=True):
        setattr(session, name, value)
    return session


@dataclass(frozen=True)
class _Census:
    held: int  # booked or offered
    waiting: int  # waitlisted
    queue_ahead: bool  # someone waitlisted or offered
    top_queue_number: int
    existing_id: int | None = None  # the registration of the person asked about, if any


def _census(session: Session, *, user: Any = None) -> _Census:
    """Everything the seat decision needs, in one query, under the session lock — including,
    when `user` is given, whether that person already has a registration here.

    Written in SQL that both databases run: every sign-up takes this path inside the lock,
    and compiling the equivalent ORM aggregate cost more than running it."""
    table = Registration._meta.db_table
    holding = sorted(Registration.HOLDING)
    ahead = [Status.WAITLISTED.value, Status.OFFERED.value]
    # The table name comes from the model; every value is bound.
    sql = (
        "SELECT "  # noqa: S608 # nosec B608
        f"COALESCE(SUM(CASE WHEN status IN ({', '.join(['%s'] * len(holding))}) THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN status = %s THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN status IN ({', '.join(['%s'] * len(ahead))}) THEN 1 ELSE 0 END), 0), "
        "COALESCE(MAX(queue_number), 0), "
        "MAX(CASE WHEN user_id = %s THEN id END) "
        f"FROM {table} WHERE session_id = %s"
    )
    params = [*holding, Status.WAITLISTED.value, *ahead, getattr(user, "pk", None), session.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        held, waiting, queued, top, mine = cursor.fetchone()
    return _Census(
        held=int(held), waiting=int(waiting), queue_ahead=bool(queued), top_queue_number=int(top), existing_id=mine
    )


def _set_status(
    registration: Registration, status: str, *, actor: Any, note: str = "", fields: tuple[str, ...] = ()
) -> None:
    previous = registration.status if registration.pk else ""
    registration.status = status
    if registration.pk:
        registration.save(update_fields=["status", "updated_at", *fields])
    else:
        registration.save()
    RegistrationEvent.objects.create(
        registration=registration,
        from_status=previous,
        to_status=status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None when not waiting."""
    if registration.status != Status.WAITLISTED or registration.queue_number is None:
        return None
    ahead = Registration.objects.filter(
        session_id=registration.session_id, status=Status.WAITLISTED, queue_number__lt=registration.queue_number
    ).count()
    return ahead + 1


def _check_can_register(*, session: Session, agent: Any, now: dt.datetime, leaving: int | None = None) -> None:
    """Checks that need no lock. Raised errors change nothing."""
    if session.status == Session.Status.CANCELLED:
        raise ServiceError(_("Cette session a été annulée."), code="session_cancelled")
    if session.status != Session.Status.PUBLISHED:
        raise ServiceError(_("Cette session n’est pas ouverte aux inscriptions."), code="not_published")
    if session.starts_at and session.starts_at <= now:
        raise ServiceError(_("Cette session a déjà commencé."), code="started")
    if session.signup_opens_at and now < session.signup_opens_at:
        raise ServiceError(
            _("Les inscriptions ouvrent le %(date)s.")
            % {"date": timezone.localtime(session.signup_opens_at).strftime("%d/%m/%Y %H:%M")},
            code="window_not_open",
        )
    if session.signup_closes_at and now >= session.signup_closes_at:
        raise ServiceError(_("Les inscriptions à cette session sont closes."), code="window_closed")
    if session.audience == Session.Audience.ORGANISATION and session.audience_organisation_id:
        org = getattr(agent, "organisation", None)
        if org is None or not org.is_within(session.audience_organisation):
            raise ServiceError(
                _("Cette session est réservée aux agents de %(org)s.") % {"org": session.audience_organisation},
                code="audience",
            )
    if (
        session.audience == Session.Audience.REGION
        and session.audience_region_id
        and agent.region_id != session.audience_region_id
    ):
        raise ServiceError(
            _("Cette session est réservée aux agents de la région %(region)s.") % {"region": session.audience_region},
            code="audience",
        )
    eligibility = course_eligibility(user=agent, course=session.course)
    if not eligibility.eligible:
        raise ServiceError(" ".join(eligibility.reasons), code="prerequisites")
    if session.starts_at and session.ends_at:
        others = Registration.objects.filter(
            user=agent,
            status__in=Registration.ACTIVE,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        ).exclude(session_id__in=[session.pk, leaving] if leaving else [session.pk])
        # Ids only on this path taken by every sign-up; the clashing session is read on refusal.
        clash = list(others.values_list("session_id", flat=True)[:1])
        if clash:
            other = Session.objects.select_related("course").get(pk=clash[0])
            raise ServiceError(
                _("Vous êtes déjà inscrit à « %(other)s » aux mêmes dates.") % {"other": other},
                code="overlap",
            )


@transaction.atomic(durable=True)
def registration_create(*, session: Session, agent: Any, acting_user: Any) -> Registration:
    """Sign `agent` up: booked if a seat is free and nobody waits, else waitlisted; a
    request when the organiser approves registrations."""
    _check_can_register(session=session, agent=agent, now=timezone.now())
    return _register_locked(session=_relock(session), agent=agent, acting_user=acting_user)


def _register_locked(*, session: Session, agent: Any, acting_user: Any) -> Registration:
    """The seat decision, inside a transaction that holds `session`'s lock."""
    if session.status != Session.Status.PUBLISHED:  # cancelled while we were checking
        raise ServiceError(_("Cette session a été annulée."), code="session_cancelled")
    census = _census(session, user=agent)
    if census.existing_id is None:
        registration = Registration(session=session, user=agent)
    else:  # signing up again after a cancellation reuses the row (one per person and session)
        registration = Registration.objects.get(pk=census.existing_id)
        if registration.status in Registration.ACTIVE:
            raise ServiceError(_("Vous êtes déjà inscrit à cette session."), code="duplicate")
        registration.session = session
    if session.approval_mode == Session.ApprovalMode.ORGANISER:
        status = Status.REQUESTED
        registration.queue_number = None
    elif census.held < session.capacity and not census.queue_ahead:
        status = Status.BOOKED
        registration.queue_number = None
    else:
        status = Status.WAITLISTED
        registration.queue_number = census.top_queue_number + 1
        # Last in line: everyone waitlisted now is ahead. Valid only for the answer to this
        # request (`position_at_creation`), never read back later.
        registration.position_at_creation = census.waiting + 1  # type: ignore[attr-defined]
    registration.offered_until = None
    try:  # no savepoint: on a conflict the whole transaction is abandoned anyway
        _set_status(registration, status, actor=acting_user, fields=("queue_number", "offered_until"))
    except IntegrityError as exc:  # the same person's other request won the race
        raise ServiceError(_("Vous êtes déjà inscrit à cette session."), code="duplicate") from exc
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, registration),
        action="training.registration.create",
        target=registration,
        summary=registration.get_status_display(),
    )
    _notify_on_commit(registration, "registration_" + status)
    return registration


def _cancellation_allowed(registration: Registration, *, now: dt.datetime) -> None:
    session = registration.session
    if registration.status not in Registration.ACTIVE:
        raise ServiceError(_("Cette inscription n’est plus active."), code="inactive")
    if (
        registration.status == Status.BOOKED
        and session.starts_at
        and now > session.starts_at - dt.timedelta(hours=session.cancellation_cutoff_hours)
    ):
        raise ServiceError(
            _(
                "Il est trop tard pour annuler en ligne (au plus tard %(hours)d heures avant le début) : "
                "contactez l’organisateur."
            )
            % {"hours": session.cancellation_cutoff_hours},
            code="cutoff",
        )


@transaction.atomic(durable=True)
def registration_cancel(
    *, registration: Registration, acting_user: Any, by_organiser: bool = False, note: str = ""
) -> Registration:
    """Cancel a registration; a freed seat is offered to the next person once this commits."""
    session = _lock_session(registration.session_id)
    registration = Registration.objects.select_related("session").get(pk=registration.pk)
    registration.session = session
    if not by_organiser:
        _cancellation_allowed(registration, now=timezone.now())
    elif registration.status not in Registration.ACTIVE:
        raise ServiceError(_("Cette inscription n’est plus active."), code="inactive")
    freed = registration.status in Registration.HOLDING
    registration.offered_until = None
    _set_status(
        registration,
        Status.CANCELLED_BY_ORGANISER if by_organiser else Status.CANCELLED,
        actor=acting_user,
        note=note,
        fields=("offered_until",),
    )
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, registration),
        action="training.registration.cancel",
        target=registration,
        # The note is about a person: it stays in the registration's history, not here.
        summary=registration.get_status_display(),
        changes={"with_note": bool(note)},
    )
    _notify_on_commit(registration, "registration_cancelled")
    if freed:
        _offer_on_commit(session.pk)
    return registration


# Both record their follow-up in the outbox, in the caller's transaction (core/outbox.py):
# it runs once this commits, and is not lost if a process dies right after COMMIT.
def _offer_on_commit(session_id: int) -> None:
    from essaim.training.tasks import offer_freed_seats

    outbox_enqueue(
        task=offer_freed_seats, kwargs={"session_id": session_id}, topic=f"training.seat-offers:{session_id}"
    )


def _notify_on_commit(registration: Registration, kind: str) -> None:
    from essaim.training.tasks import notify_registration

    outbox_enqueue(
        task=notify_registration,
        kwargs={"registration_id": registration.pk, "kind": kind},
        topic=f"training.session:{registration.session_id}",
        ref=f"training.registration:{registration.pk}",
    )


@transaction.atomic(durable=True)
def session_offer_freed_seats(*, session_id: int, now: dt.datetime | None = None) -> list[Registration]:
    """Expire stale offers, then offer each free seat to the next person waiting, in order.

    Runs when a cancellation commits, and periodically as a backup sweep.
    """
    now = now or timezone.now()
    session = _lock_session(session_id)
    expired = list(
        Registration.objects.filter(session=session, status=Status.OFFERED, offered_until__lte=now).order_by(
            "queue_number"
        )
    )
    for registration in expired:
        registration.offered_until = None
        _set_status(
            registration,
            Status.OFFER_EXPIRED,
            actor=None,
            note=_("Délai de réponse dépassé"),
            fields=("offered_until",),
        )
        _notify_on_commit(registration, "offer_expired")
    if session.status != Session.Status.PUBLISHED or (session.starts_at and session.starts_at <= now):
        return []
    free = session.capacity - _census(session).held
    if free <= 0:
        return []
    offered = list(
        Registration.objects.filter(session=session, status=Status.WAITLISTED).order_by("queue_number")[:free]
    )
    deadline = now + dt.timedelta(hours=OFFER_HOURS)
    if session.starts_at:
        deadline = min(deadline, session.starts_at)
    for registration in offered:
        registration.offered_until = deadline
        _set_status(registration, Status.OFFERED, actor=None, note=_("Place libérée"), fields=("offered_until",))
        audit_log(
            actor=None,
            role="system",
            action="training.registration.offer",
            target=registration,
            summary=_("Place proposée jusqu’au %(date)s")
            % {"date": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M")},
        )
        _notify_on_commit(registration, "seat_offered")
    return offered


@transaction.atomic(durable=True)
def registration_accept_offer(*, registration: Registration, acting_user: Any) -> Registration:
    _lock_session(registration.session_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != Status.OFFERED:
        raise ServiceError(_("Aucune place ne vous est proposée pour cette session."), code="no_offer")
    if registration.offered_until and registration.offered_until <= timezone.now():
        raise ServiceError(_("Le délai pour accepter cette place est dépassé."), code="offer_expired")
    registration.offered_until = None
    _set_status(registration, Status.BOOKED, actor=acting_user, note=_("Place acceptée"), fields=("offered_until",))
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, registration),
        action="training.registration.accept_offer",
        target=registration,
    )
    _notify_on_commit(registration, "registration_booked")
    return registration


def sessions_with_pending_offers(*, now: dt.datetime | None = None) -> list[int]:
    """Sessions the periodic sweep must look at: stale offers, or free seats with people waiting."""
    now = now or timezone.now()
    stale = set(
        Registration.objects.filter(status=Status.OFFERED, offered_until__lte=now).values_list("session_id", flat=True)
    )
    # Only sessions with a free seat and someone waiting: a full session with a long
    # waiting list needs no lock every five minutes.
    fillable = set(
        Session.objects.published()
        .filter(Q(starts_at__isnull=True) | Q(starts_at__gt=now))
        .annotate(
            held=registration_count(Registration.HOLDING),
            waiting=registration_count({Status.WAITLISTED}),
        )
        .filter(waiting__gt=0, held__lt=F("capacity"))
        .values_list("pk", flat=True)
    )
    return sorted(stale | fillable)


@transaction.atomic(durable=True)
def registration_approve(*, registration: Registration, acting_user: Any) -> Registration:
    """The organiser accepts a request: a seat if one is free and nobody waits, else the waiting list."""
    session = _lock_session(registration.session_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != Status.REQUESTED:
        raise ServiceError(_("Cette demande a déjà été traitée."), code="not_requested")
    return _approve_locked(session, registration, acting_user)


@transaction.atomic(durable=True)
def registrations_approve(*, session: Session, registration_ids: list[int], acting_user: Any) -> list[Registration]:
    """Accept several requests of one session at once, oldest first, under one lock: seats
    go to the first ones, the others join the waiting list in that order."""
    session = _lock_session(session.pk)
    requests = list(
        Registration.objects.filter(session=session, pk__in=registration_ids, status=Status.REQUESTED).order_by(
            "created_at", "pk"
        )
    )
    if not requests:
        raise ServiceError(_("Choisissez au moins une demande en attente."), code="empty")
    return [_approve_locked(session, registration, acting_user) for registration in requests]


def _approve_locked(session: Session, registration: Registration, acting_user: Any) -> Registration:
    census = _census(session)
    if census.held < session.capacity and not census.queue_ahead:
        status = Status.BOOKED
    else:
        status = Status.WAITLISTED
        registration.queue_number = census.top_queue_number + 1
    _set_status(registration, status, actor=acting_user, note=_("Demande acceptée"), fields=("queue_number",))
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.registration.approve",
        target=registration,
        summary=registration.get_status_display(),
    )
    _notify_on_commit(registration, "registration_" + status)
    return registration


@transaction.atomic(durable=True)
def registration_decline(*, registration: Registration, acting_user: Any, reason: str) -> Registration:
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Indiquez la raison du refus : elle est transmise à la personne."))
    session = _lock_session(registration.session_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != Status.REQUESTED:
        raise ServiceError(_("Cette demande a déjà été traitée."), code="not_requested")
    _set_status(registration, Status.DECLINED, actor=acting_user, note=reason)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.registration.decline",
        target=registration,
        summary=registration.get_status_display(),
        changes={"with_reason": bool(reason)},
    )
    _notify_on_commit(registration, "registration_declined")
    return registration


@transaction.atomic(durable=True)
def registration_move(*, registration: Registration, to_session: Session, acting_user: Any) -> Registration:
    """Move someone to another session of the same course, all or nothing: the new place
    follows the usual seat rules, the old one is closed as moved and its seat offered on."""
    registration = Registration.objects.select_related("session", "user").get(pk=registration.pk)
    if to_session.course_id != registration.session.course_id:
        raise ServiceError(_("On ne transfère que vers une session de la même formation."), code="other_course")
    if to_session.pk == registration.session_id:
        raise ServiceError(_("La personne est déjà inscrite à cette session."), code="same_session")
    _check_can_register(
        session=to_session, agent=registration.user, now=timezone.now(), leaving=registration.session_id
    )
    # Both locks, always in the same order, so two opposite moves cannot deadlock.
    locked = {pk: _lock_session(pk) for pk in sorted({registration.session_id, to_session.pk})}
    old_session, new_session = locked[registration.session_id], locked[to_session.pk]
    current = Registration.objects.select_related("user").get(pk=registration.pk)
    if current.status not in Registration.ACTIVE:
        raise ServiceError(_("Cette inscription n’est plus active."), code="inactive")
    freed = current.status in Registration.HOLDING
    current.offered_until = None
    _set_status(current, Status.MOVED, actor=acting_user, note=str(new_session), fields=("offered_until",))
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, old_session),
        action="training.registration.move",
        target=current,
        summary=str(new_session),
    )
    # Their calendar drops the old session's half-days (CANCEL, only if they had them).
    _notify_on_commit(current, "registration_moved")
    moved = _register_locked(session=new_session, agent=current.user, acting_user=acting_user)
    if freed:
        _offer_on_commit(old_session.pk)
    return moved
