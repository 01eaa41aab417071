"""Attendance per half-day and the completion it leads to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.training.models import Attendance, Completion, Registration, Session, SessionSlot
from essaim.training.services import _notify_on_commit, _set_status

Status = Registration.Status
PRESENT_STATUSES = frozenset({Attendance.Status.PRESENT, Attendance.Status.LATE})


@transaction.atomic(durable=True)
def attendance_record(
    *, session: Session, slot: SessionSlot, marks: dict[int, str], acting_user: Any
) -> list[Attendance]:
    """Record the attendance of one half-day: {registration id: status}."""
    if slot.session_id != session.pk:
        raise ServiceError(_("Cette demi-journée n’appartient pas à la session."))
    if slot.starts_at > timezone.now() + dt.timedelta(hours=1):
        raise ServiceError(_("On ne relève pas la présence d’une demi-journée qui n’a pas commencé."))
    allowed = set(Attendance.Status.values)
    bad = [value for value in marks.values() if value not in allowed]
    if bad:
        raise ServiceError(_("Statut de présence inconnu."))
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(
            session=session, pk__in=list(marks), status__in=[Status.BOOKED, *Registration.ATTENDANCE_STATUSES]
        )
    }
    unknown = set(marks) - set(registrations)
    if unknown:
        raise ServiceError(_("Une des personnes n’est pas inscrite à cette session."))
    saved = []
    for registration_id, value in marks.items():
        attendance, _created = Attendance.objects.update_or_create(
            registration_id=registration_id, slot=slot, defaults={"status": value, "recorded_by": acting_user}
        )
        saved.append(attendance)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.attendance.record",
        target=session,
        summary=_("Présence relevée : %(slot)s") % {"slot": slot},
        changes={str(k): v for k, v in marks.items()},
    )
    return saved


@transaction.atomic(durable=True)
def session_close(*, session: Session, acting_user: Any) -> list[Completion]:
    """After the last half-day: settle every booked person's outcome and issue completions."""
    session = Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
    if session.kind != Session.Kind.TRAINING:
        raise ServiceError(_("Un événement ne se clôture pas comme une formation : il ne valide aucune formation."))
    if session.status != Session.Status.PUBLISHED:
        raise ServiceError(_("Seule une session publiée peut être clôturée."))
    if session.ends_at and session.ends_at > timezone.now():
        raise ServiceError(_("La session n’est pas terminée."))
    slots = list(session.slots.all())
    if not slots:
        raise ServiceError(_("Cette session n’a aucune demi-journée."))
    marks: dict[int, list[str]] = {}
    for attendance in Attendance.objects.filter(slot__session=session):
        marks.setdefault(attendance.registration_id, []).append(attendance.status)
    outcomes = [
        {"competency": o.competency.code, "level": o.level.code, "level_rank": o.level.rank}
        for o in session.course.outcomes.select_related("competency", "level")
    ]
    completions = []
    now = timezone.now()
    for registration in Registration.objects.filter(session=session, status=Status.BOOKED).select_related("user"):
        statuses = marks.get(registration.pk, [])
        present = sum(1 for s in statuses if s in PRESENT_STATUSES)
        rate = round(100 * present / len(slots))
        if rate >= session.course.completion_threshold:
            new_status = Status.COMPLETED
            completions.append(
                Completion.objects.create(
                    user=registration.user,
                    course=session.course,
                    session=session,
                    framework_id=session.course.framework_id,
                    completed_at=session.ends_at or now,  # the date the course was followed
                    attendance_rate=rate,
                    outcomes=outcomes,
                )
            )
        elif present:
            new_status = Status.PARTIALLY_ATTENDED
        elif statuses and all(s == Attendance.Status.EXCUSED for s in statuses):
            new_status = Status.ABSENT
        else:
            new_status = Status.NO_SHOW
        _set_status(registration, new_status, actor=acting_user, note=f"{rate} %")
        if new_status == Status.COMPLETED:
            _notify_on_commit(registration, "completed")
    session.status = Session.Status.DONE
    session.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="training.session.close",
        target=session,
        summary=_("Session clôturée : %(count)d formations validées") % {"count": len(completions)},
    )
    # Attestations and badges are issued once the completions are committed (credentials app).
    from essaim.credentials.services import credentials_issue_on_commit

    credentials_issue_on_commit([c.pk for c in completions])
    return completions
