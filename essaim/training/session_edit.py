"""Writes of the session back office beyond scheduling: publishing, the session's details
and its trainers. Dates live in sessions.session_reschedule, the venue in
sessions.session_change_venue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.models import Role, RoleAssignment, User
from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.training.models import Registration, Session
from essaim.training.services import _lock_session, _notify_on_commit
from essaim.training.sessions import signup_window_errors

#: What the « Modifier la session » form may change.
DETAIL_FIELDS = (
    "custom_title",
    "description",
    "audience",
    "audience_organisation",
    "audience_region",
    "approval_mode",
    "signup_opens_at",
    "signup_closes_at",
    "min_seats",
    "cancellation_cutoff_hours",
)
#: Details that appear in the calendar invitation: changing them sends it again.
#: The title is the invitation's SUMMARY and the e-mails' subject.
INVITATION_FIELDS = frozenset({"custom_title", "description"})


def _editable(session: Session) -> None:
    if session.status not in (Session.Status.DRAFT, Session.Status.PUBLISHED):
        raise ServiceError(_("Cette session ne peut plus être modifiée."), code="closed")


@transaction.atomic(durable=True)
def session_publish(*, session: Session, acting_user: Any) -> Session:
    """A draft becomes visible and open to registration (within its sign-up window)."""
    session = _lock_session(session.pk)
    if session.status != Session.Status.DRAFT:
        raise ServiceError(_("Seul un brouillon peut être publié."), code="not_draft")
    if session.starts_at is None or session.starts_at <= timezone.now():
        raise ServiceError(_("La première demi-journée est passée : changez les dates avant de publier."), code="past")
    for message in signup_window_errors(
        opens_at=session.signup_opens_at, closes_at=session.signup_closes_at, first_start=session.starts_at
    ).values():
        raise ServiceError(message, code="window")
    session.status = Session.Status.PUBLISHED
    session.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.publish",
        target=session,
        changes={"status": [Session.Status.DRAFT, Session.Status.PUBLISHED]},
    )
    return session


@transaction.atomic(durable=True)
def session_unpublish(*, session: Session, acting_user: Any) -> Session:
    """Back to draft, while nobody has registered; after that, cancelling tells them why."""
    session = _lock_session(session.pk)
    if session.status != Session.Status.PUBLISHED:
        raise ServiceError(_("Seule une session publiée peut revenir en brouillon."), code="not_published")
    if Registration.objects.filter(session=session, status__in=Registration.ACTIVE).exists():
        raise ServiceError(
            _(
                "Des personnes sont inscrites ou attendent une place : la session ne peut plus revenir en "
                "brouillon. Annulez-la en indiquant la raison, elles seront prévenues."
            ),
            code="has_registrants",
        )
    session.status = Session.Status.DRAFT
    session.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.unpublish",
        target=session,
        changes={"status": [Session.Status.PUBLISHED, Session.Status.DRAFT]},
    )
    return session


@transaction.atomic(durable=True)
def session_update(*, session: Session, acting_user: Any, **fields: Any) -> Session:
    """Change a session's details. Those in the invitation send it again (SEQUENCE + 1).
    Requests already made under the approval step stay to be approved one by one."""
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Unknown session fields: {sorted(unknown)}")
    session = _lock_session(session.pk)
    _editable(session)
    before = {name: getattr(session, name) for name in DETAIL_FIELDS}
    after = before | fields
    for message in signup_window_errors(
        opens_at=after["signup_opens_at"], closes_at=after["signup_closes_at"], first_start=session.starts_at
    ).values():
        raise ServiceError(message, code="window")
    if after["min_seats"] > session.capacity:
        raise ServiceError(_("Le minimum de participants dépasse le nombre de places."), code="min_seats")
    if after["audience"] == Session.Audience.ORGANISATION and not after["audience_organisation"]:
        raise ServiceError(_("Choisissez l’organisation à qui la session est réservée."), code="audience")
    if after["audience"] == Session.Audience.REGION and not after["audience_region"]:
        raise ServiceError(_("Choisissez la région à qui la session est réservée."), code="audience")
    if after["audience"] != Session.Audience.ORGANISATION:
        after["audience_organisation"] = None
    if after["audience"] != Session.Audience.REGION:
        after["audience_region"] = None
    changed = [name for name in DETAIL_FIELDS if after[name] != before[name]]
    if not changed:
        raise ServiceError(_("Rien n’a changé."), code="unchanged")
    for name in changed:
        setattr(session, name, after[name])
    resend = bool(INVITATION_FIELDS.intersection(changed)) and session.status == Session.Status.PUBLISHED
    if resend:
        session.ical_sequence += 1
    session.save(update_fields=[*changed, "ical_sequence", "updated_at"])
    if resend:
        for registration in Registration.objects.filter(session=session, status__in=Registration.HOLDING):
            _notify_on_commit(registration, "session_changed")
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.update",
        target=session,
        changes={name: [_plain(before[name]), _plain(after[name])] for name in changed},
    )
    return session


def _plain(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def trainer_candidates() -> Any:
    """People who hold the trainer role: those a session can be assigned to."""
    holders = RoleAssignment.objects.active().filter(role=Role.TRAINER).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("usual_name", "given_name", "pk")


@transaction.atomic(durable=True)
def session_set_trainers(*, session: Session, trainers: list[Any], acting_user: Any) -> Session:
    """Assign or change who leads the session (they take attendance and sign attestations)."""
    session = _lock_session(session.pk)
    _editable(session)
    allowed = set(trainer_candidates().filter(pk__in=[t.pk for t in trainers]).values_list("pk", flat=True))
    if any(trainer.pk not in allowed for trainer in trainers):
        raise ServiceError(_("Seules des personnes ayant le rôle de formateur peuvent animer."), code="not_trainer")
    before = sorted(session.trainers.values_list("pk", flat=True))
    after = sorted(allowed)
    if before == after:
        raise ServiceError(_("Les formateurs sont inchangés."), code="unchanged")
    session.trainers.set(trainers)
    session.save(update_fields=["updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.trainers",
        target=session,
        changes={"trainers": [before, after]},
    )
    return session
