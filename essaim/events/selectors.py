"""Reads about events and civil-society partners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from essaim.accounts.models import User
from essaim.events.models import Event
from essaim.library.models import Resource
from essaim.network.models import DirectoryProfile
from essaim.organisations.models import Organisation
from essaim.training.models import Registration, Session
from essaim.training.selectors import registration_count


def _session_count(statuses: frozenset[str] | set[str]) -> Coalesce:
    """Registrations of the event's session in `statuses`, as a correlated subquery."""
    per_session = (
        Registration.objects.filter(session=OuterRef("session_id"), status__in=sorted(statuses))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_session, output_field=IntegerField()), Value(0))


def event_list(*, upcoming: bool) -> QuerySet[Event]:
    """Upcoming events (soonest first) or past ones (latest first), with the seats taken.
    Counts are correlated subqueries on the event's session (one query for the list)."""
    now = timezone.now()
    qs = (
        Event.objects.visible()
        .select_related("session__organiser", "session__region")
        .annotate(
            seats_held=_session_count(Registration.HOLDING),
            waiting=_session_count({Registration.Status.WAITLISTED}),
        )
    )
    if upcoming:
        return qs.filter(session__ends_at__gte=now).order_by("session__starts_at", "id")
    return qs.filter(session__ends_at__lt=now).order_by("-session__starts_at", "-id")


def event_detail(*, slug: str, user: Any) -> Event:
    """One visible event with its seats (the session annotated like the training pages),
    speakers, partners, and only the linked resources `user` may see."""
    event = (
        Event.objects.visible()
        .select_related("session__organiser", "session__region")
        .prefetch_related(
            "speakers",
            "session__partners",
            Prefetch(
                "resources", queryset=Resource.objects.visible_to(user).order_by("title"), to_attr="visible_resources"
            ),
        )
        .get(slug=slug)
    )
    seats = (
        Session.objects.filter(pk=event.session_id)
        .annotate(
            seats_held=registration_count(Registration.HOLDING),
            waiting=registration_count({Registration.Status.WAITLISTED}),
        )
        .values("seats_held", "waiting")
        .get()
    )
    event.session.seats_held = seats["seats_held"]  # type: ignore[attr-defined]
    event.session.waiting = seats["waiting"]  # type: ignore[attr-defined]
    return event


def partner_list() -> QuerySet[Organisation]:
    return Organisation.objects.active().partners().order_by("name")


@dataclass(frozen=True)
class PartnerPage:
    partner: Organisation
    upcoming_sessions: list[Session]
    past_sessions: list[Session]
    events: list[Event]
    member_count: int
    listed_members: list[str]


def partner_detail(*, slug: str, user: Any) -> PartnerPage:
    """A partner's page: the training sessions it runs or co-runs, its events, how many
    members it has, and — for signed-in people — the names of those who chose to appear in
    the network directory. Never an e-mail address."""
    partner = Organisation.objects.active().partners().get(slug=slug)
    now = timezone.now()
    involved = Q(partners=partner) | Q(organiser=partner)
    sessions = list(
        Session.objects.visible()
        .trainings()
        .filter(pk__in=Session.objects.filter(involved).values("pk"))
        .select_related("course", "region")
        .order_by("starts_at", "id")
    )
    events = list(
        Event.objects.visible()
        .filter(session__in=Session.objects.filter(involved).values("pk"))
        .select_related("session")
        .order_by("-session__starts_at", "-id")
    )
    members = User.objects.filter(is_active=True, organisation__path__startswith=partner.path)
    listed: list[str] = []
    if getattr(user, "is_authenticated", False):
        listed = [
            profile.user.get_full_name()
            for profile in DirectoryProfile.objects.listed()
            .filter(user__in=members)
            .select_related("user")
            .order_by("user__usual_name", "user__given_name", "id")
        ]
    return PartnerPage(
        partner=partner,
        upcoming_sessions=[s for s in sessions if s.ends_at and s.ends_at >= now],
        past_sessions=[s for s in reversed(sessions) if s.ends_at and s.ends_at < now],
        events=events,
        member_count=members.count(),
        listed_members=listed,
    )


def managed_event_list(*, user: Any) -> QuerySet[Event]:
    """The events `user` manages in the back office: all for programme admins, else those
    whose seats are organised within their organiser or lab-coordinator scopes."""
    from essaim.accounts import roles
    from essaim.accounts.models import Role

    qs = Event.objects.select_related("session__organiser").annotate(
        seats_held=_session_count(Registration.HOLDING),
        waiting=_session_count({Registration.Status.WAITLISTED}),
    )
    if not roles.is_programme_admin(user):
        condition = Q(pk__in=[])
        for held in roles.held_roles(user):
            if held.role in (Role.ORGANISER, Role.LAB_COORDINATOR) and held.organisation_path:
                condition |= Q(session__organiser__path__startswith=held.organisation_path)
        qs = qs.filter(condition)
    return qs.order_by("-session__starts_at", "-id")
