"""Reads about sessions: lists with seats left, one session, a person's registrations."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from essaim.training.models import Completion, Registration, Session


def registration_count(statuses: frozenset[str] | set[str]) -> Coalesce:
    """Number of a session's registrations in `statuses`, as a correlated subquery."""
    per_session = (
        Registration.objects.filter(session=OuterRef("pk"), status__in=sorted(statuses))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_session, output_field=IntegerField()), Value(0))


@functools.cache
def _annotated_sessions() -> QuerySet[Session]:
    """Visible sessions with `seats_held` and `waiting`, built once per process: resolving
    the two subqueries costs more than cloning the result for each request."""
    # Correlated subqueries, not a JOIN + GROUP BY: the database can walk the
    # (status, starts_at) index and stop after one page instead of grouping every session.
    return (
        Session.objects.visible()
        .trainings()
        .select_related("course", "region", "lab")
        .annotate(
            seats_held=registration_count(Registration.HOLDING),
            waiting=registration_count({Registration.Status.WAITLISTED}),
        )
    )


def session_list(
    *,
    course_code: str = "",
    region: str = "",
    month: dt.date | None = None,
    format: str = "",
    with_seats_left: bool = False,
    upcoming: bool = True,
) -> QuerySet[Session]:
    """Published sessions with `seats_held` and `waiting` annotated (one query for the page)."""
    qs = _annotated_sessions().all()
    if upcoming:
        qs = qs.filter(status=Session.Status.PUBLISHED, starts_at__gte=timezone.now())
    if course_code:
        qs = qs.filter(course__code=course_code)
    if region:
        qs = qs.filter(region_id=region)
    if month:
        # A range on the column itself (not __date, which wraps every row in a function
        # and defeats the index), bounded by local midnights.
        first = month.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        tz = timezone.get_current_timezone()
        qs = qs.filter(
            starts_at__gte=dt.datetime.combine(first, dt.time.min, tz),
            starts_at__lt=dt.datetime.combine(following, dt.time.min, tz),
        )
    if format:
        qs = qs.filter(format=format)
    if with_seats_left:
        qs = qs.filter(seats_held__lt=F("capacity"))  # type: ignore[misc]  # annotated in _annotated_sessions
    return qs.order_by("starts_at", "id")


#: The columns the public list shows: the page reads and builds no more.
LIST_PAGE_FIELDS = (
    "custom_title",
    "course__title",
    "status",
    "capacity",
    "format",
    "venue",
    "address",
    "starts_at",
    "ends_at",
    "lab__name",
    "lab__short_name",
    "region__code",
    "region__name",
)


def session_list_page(**filters: Any) -> QuerySet[Session]:
    """`session_list` reduced to the columns of the public list page."""
    return session_list(**filters).only(*LIST_PAGE_FIELDS)


def session_detail(*, session_id: int) -> Session:
    return (
        session_list(upcoming=False)
        .select_related("organiser")
        .prefetch_related("slots", "trainers", "partners")
        .get(pk=session_id)
    )


def course_validated_at(*, user: Any, course_id: int) -> Any:
    """When the person first validated this course, or None (one query)."""
    return (
        Completion.objects.filter(user=user, course_id=course_id)
        .order_by("completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )


def registration_list_for_user(*, user: Any) -> QuerySet[Registration]:
    """The person's registrations, each with `people_ahead` on its waiting list (one query)."""
    ahead = (
        Registration.objects.filter(
            session=OuterRef("session"),
            status=Registration.Status.WAITLISTED,
            queue_number__lt=OuterRef("queue_number"),
        )
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Registration.objects.filter(user=user)
        .select_related("session__course", "session__region", "session__event", "session__lab")
        .prefetch_related("session__slots")
        .annotate(people_ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)))
        .order_by("-session__starts_at", "-id")
    )
