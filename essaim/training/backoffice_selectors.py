"""Reads of the sessions back office: the sessions a person manages, their registrants,
attendance sheets, and the quarterly planning of introduction sessions.

Every list is read in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.training.models import Attendance, Completion, Registration, Session, SessionSlot

Status = Registration.Status

#: Statuses shown on the attendance sheet: booked people, and their outcome once closed.
ATTENDEE_STATUSES = frozenset({Status.BOOKED, *Registration.ATTENDANCE_STATUSES})

#: The order of the groups of registrants on a session's page.
GROUP_ORDER: tuple[str, ...] = (
    Status.BOOKED,
    Status.REQUESTED,
    Status.OFFERED,
    Status.WAITLISTED,
    Status.COMPLETED,
    Status.ATTENDED,
    Status.PARTIALLY_ATTENDED,
    Status.ABSENT,
    Status.NO_SHOW,
    Status.CANCELLED,
    Status.CANCELLED_BY_ORGANISER,
    Status.DECLINED,
    Status.OFFER_EXPIRED,
    Status.MOVED,
    Status.SESSION_CANCELLED,
)


def may_use_backoffice(user: Any) -> bool:
    """Programme admins, organisers, lab coordinators and trainers have a list of sessions."""
    return roles.is_programme_admin(user) or any(
        roles.has_role(user, role) for role in (Role.ORGANISER, Role.LAB_COORDINATOR, Role.TRAINER)
    )


def _scope_filter(user: Any) -> Q | None:
    """The sessions `user` may see in the back office; None means all of them."""
    if roles.is_programme_admin(user):
        return None
    paths = {
        held.organisation_path
        for held in roles.held_roles(user)
        if held.role in (Role.ORGANISER, Role.LAB_COORDINATOR) and held.organisation_path
    }
    trained = Session.trainers.through.objects.filter(user_id=user.pk).values("session_id")
    conditions = [Q(organiser__path__startswith=path) for path in sorted(paths)]
    conditions.append(Q(pk__in=trained))
    return reduce(or_, conditions)


def _with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.annotate(
        seats_held=Coalesce(
            Count("registrations", filter=Q(registrations__status__in=Registration.HOLDING)),
            Value(0),
            output_field=IntegerField(),
        ),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        pending=Count("registrations", filter=Q(registrations__status=Status.REQUESTED)),
    )


def managed_session_list(
    *, user: Any, status: str = "", course_id: int | None = None, period: str = ""
) -> QuerySet[Session]:
    """The sessions `user` manages or trains, with `seats_held`, `waiting` and `pending`.

    `period` is "upcoming" (not ended yet), "past" (ended), or empty for all.
    """
    qs = Session.objects.trainings().select_related("course", "organiser")
    scope = _scope_filter(user)
    if scope is not None:
        qs = qs.filter(scope)
    if status:
        qs = qs.filter(status=status)
    if course_id:
        qs = qs.filter(course_id=course_id)
    now = timezone.now()
    if period == "upcoming":
        qs = qs.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=now)).order_by("starts_at", "id")
    elif period == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    return _with_counts(qs)


def backoffice_session(*, session_id: int) -> Session:
    """One session with its counts, course and organiser; Session.DoesNotExist if unknown."""
    return _with_counts(Session.objects.select_related("course", "organiser")).get(pk=session_id)


@dataclass
class RegistrantRow:
    registration: Registration
    #: Place on the waiting list (1 = next), for people waiting.
    position: int | None = None


@dataclass
class RegistrantGroup:
    status: str
    label: str
    rows: list[RegistrantRow] = field(default_factory=list)


def session_registrants(*, session: Session) -> list[RegistrantGroup]:
    """Everyone who ever registered, grouped by status in GROUP_ORDER (empty groups left
    out); the waiting list in queue order with positions. One query."""
    registrations = (
        Registration.objects.filter(session=session).select_related("user__organisation").order_by("created_at", "id")
    )
    groups = {status: RegistrantGroup(status=status, label=str(Status(status).label)) for status in GROUP_ORDER}
    for registration in registrations:
        group = groups.get(registration.status)
        if group is None:  # a status added later: shown rather than lost
            group = groups[registration.status] = RegistrantGroup(
                status=registration.status, label=registration.get_status_display()
            )
        group.rows.append(RegistrantRow(registration=registration))
    for status in (Status.WAITLISTED, Status.OFFERED):
        groups[status].rows.sort(key=lambda row: (row.registration.queue_number or 0, row.registration.pk))
    # Same numbering as services.waitlist_position: 1 + people waiting with a lower number.
    for position, row in enumerate(groups[Status.WAITLISTED].rows, start=1):
        row.position = position
    return [group for group in groups.values() if group.rows]


def move_targets(*, session: Session) -> QuerySet[Session]:
    """Upcoming published sessions of the same course a registration may be moved to."""
    return (
        Session.objects.published()
        .filter(course_id=session.course_id, starts_at__gt=timezone.now())
        .exclude(pk=session.pk)
        .select_related("course", "organiser")
        .order_by("starts_at", "id")
    )


@dataclass
class AttendanceSheet:
    slots: list[SessionSlot]
    registrations: list[Registration]
    #: {(slot id, registration id): attendance status}
    marks: dict[tuple[int, int], str]


def attendance_sheet(*, session: Session) -> AttendanceSheet:
    """The half-days, the people expected, and what was recorded. Three queries."""
    slots = list(SessionSlot.objects.filter(session=session).order_by("starts_at"))
    registrations = list(
        Registration.objects.filter(session=session, status__in=ATTENDEE_STATUSES)
        .select_related("user")
        .order_by("user__usual_name", "user__given_name", "id")
    )
    marks = {
        (slot_id, registration_id): status
        for slot_id, registration_id, status in Attendance.objects.filter(slot__session=session).values_list(
            "slot_id", "registration_id", "status"
        )
    }
    return AttendanceSheet(slots=slots, registrations=registrations, marks=marks)


def registrants_for_export(*, session: Session) -> list[RegistrantRow]:
    """The rows of the CSV export, in the order of the session's page."""
    return [row for group in session_registrants(session=session) for row in group.rows]


# Planning -------------------------------------------------------------------------------

PLANNED_STATUSES = (Session.Status.PUBLISHED, Session.Status.DONE)


@dataclass
class QuarterPlan:
    year: int
    quarter: int
    starts_on: dt.date
    ends_on: dt.date  # last day of the quarter
    introduction: int = 0
    other: int = 0
    is_current: bool = False

    @property
    def lacks_introduction(self) -> bool:
        return self.introduction == 0


def _quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def introduction_planning(*, today: dt.date | None = None) -> list[QuarterPlan]:
    """The quarters of this year and the next, with the number of published or held
    sessions of introduction courses and of other courses (the commitment: one
    introduction session per quarter). One query."""
    today = today or timezone.localdate()
    quarters: dict[tuple[int, int], QuarterPlan] = {}
    for year in (today.year, today.year + 1):
        for quarter in range(1, 5):
            first_month = 3 * (quarter - 1) + 1
            starts_on = dt.date(year, first_month, 1)
            next_start = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, first_month + 3, 1)
            quarters[(year, quarter)] = QuarterPlan(
                year=year,
                quarter=quarter,
                starts_on=starts_on,
                ends_on=next_start - dt.timedelta(days=1),
                is_current=(year, quarter) == (today.year, _quarter_of(today)),
            )
    tz = timezone.get_current_timezone()
    window_start = dt.datetime(today.year, 1, 1, tzinfo=tz)
    window_end = dt.datetime(today.year + 2, 1, 1, tzinfo=tz)
    rows = (
        Session.objects.trainings()
        .filter(status__in=PLANNED_STATUSES, starts_at__gte=window_start, starts_at__lt=window_end)
        .values_list("starts_at", "course__is_introduction")
    )
    # Bucketed here rather than with TruncQuarter: the local date decides the quarter
    # the same way on SQLite and PostgreSQL, and there are a few hundred sessions a year.
    for starts_at, is_introduction in rows:
        day = timezone.localtime(starts_at, tz).date()
        plan = quarters.get((day.year, _quarter_of(day)))
        if plan is None:
            continue
        if is_introduction:
            plan.introduction += 1
        else:
            plan.other += 1
    return list(quarters.values())


@dataclass(frozen=True)
class TrainerFigures:
    sessions: int
    upcoming: int
    held: int
    trained: int
    completions: int


def trainer_figures(*, user: Any) -> TrainerFigures:
    """What a trainer has led: sessions (upcoming, held), people present, courses validated."""
    sessions = Session.objects.trainings().filter(trainers=user).exclude(status=Session.Status.CANCELLED)
    counts = sessions.aggregate(
        total=Count("pk", distinct=True),
        upcoming=Count("pk", filter=Q(status=Session.Status.PUBLISHED), distinct=True),
        held=Count("pk", filter=Q(status=Session.Status.DONE), distinct=True),
    )
    attended = Registration.objects.filter(
        session__in=sessions.filter(status=Session.Status.DONE),
        status__in=[Status.ATTENDED, Status.PARTIALLY_ATTENDED, Status.COMPLETED],
    ).count()
    completions = Completion.objects.filter(session__in=sessions).count()
    return TrainerFigures(
        sessions=counts["total"] or 0,
        upcoming=counts["upcoming"] or 0,
        held=counts["held"] or 0,
        trained=attended,
        completions=completions,
    )
