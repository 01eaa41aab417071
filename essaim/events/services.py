"""Writes about events. The seats are a `training.Session` of kind "event", built by the
training services inside the same transaction; registrations never pass through here:
pages and API call `training.services` directly (ADR 0050)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.catalogue.models import Course
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.events.models import Event, Speaker
from essaim.framework.models import FrameworkVersion
from essaim.training.models import Session
from essaim.training.services import _lock_session
from essaim.training.sessions import session_build, session_partners_replace, venue_errors

#: The one archived catalogue entry every event's seats hang on: never published, never
#: completed, no outcomes (a session needs a course; see ADR 0050).
EVENT_COURSE_CODE = "evenement"


class SpeakerData(TypedDict):
    name: str
    affiliation: str
    kind: str


def _event_course() -> Course:
    course = Course.objects.filter(code=EVENT_COURSE_CODE).first()
    if course is not None:
        return course
    framework = FrameworkVersion.objects.current()
    if framework is None:
        raise ServiceError(_("Publiez d’abord un référentiel de compétences."), code="no_framework")
    return Course.objects.create(
        code=EVENT_COURSE_CODE,
        title=_("Événement inspirant"),
        summary=_("Conférences, webinaires et visites : ils ne valident aucune formation."),
        duration_half_days=1,
        status=Course.Status.ARCHIVED,
        framework=framework,
    )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "evenement"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _replace_speakers(event: Event, speakers: list[SpeakerData]) -> None:
    kinds = set(Speaker.Kind.values)
    rows = []
    for position, speaker in enumerate(speakers):
        name = speaker["name"].strip()
        if not name:
            continue
        if speaker["kind"] not in kinds:
            raise ServiceError(_("Origine d’intervenant inconnue."), code="speaker_kind")
        rows.append(
            Speaker(
                event=event,
                name=name[:150],
                affiliation=speaker.get("affiliation", "").strip()[:200],
                kind=speaker["kind"],
                position=position,
            )
        )
    event.speakers.all().delete()
    Speaker.objects.bulk_create(rows)


def _check_text(*, title: str, description: str, kind: str) -> None:
    if not title.strip() or not description.strip():
        raise ServiceError(_("Un événement a un titre et une présentation."), code="incomplete")
    if kind not in Event.Kind.values:
        raise ServiceError(_("Type d’événement inconnu."), code="kind")


@transaction.atomic(durable=True)
def event_create(
    *,
    kind: str,
    title: str,
    description: str,
    organiser: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    acting_user: Any,
    venue: str = Session.Venue.PLACE,
    address: str = "",
    remote_url: str = "",
    region: Any = None,
    partners: list[Any] | None = None,
    speakers: list[SpeakerData] | None = None,
    publish: bool = False,
) -> Event:
    """An event and its seats (a session of kind "event", one slot from start to end)."""
    _check_text(title=title, description=description, kind=kind)
    if venue not in (Session.Venue.PLACE, Session.Venue.REMOTE):
        raise ServiceError(_("Un événement a lieu à une adresse ou à distance."), code="venue")
    errors = venue_errors({"venue": venue, "address": address, "remote_url": remote_url})
    if errors:
        raise ServiceError(next(iter(errors.values())), code="venue")
    session = session_build(
        course=_event_course(),
        organiser=organiser,
        slots=[(starts_at, ends_at)],
        capacity=capacity,
        acting_user=acting_user,
        partners=partners,
        publish=publish,
        kind=Session.Kind.EVENT,
        format=Course.Format.REMOTE if venue == Session.Venue.REMOTE else Course.Format.IN_PERSON,
        venue=venue,
        address=address,
        remote_url=remote_url,
        region=region,
        cancellation_cutoff_hours=0,  # people may free their seat until the event starts
    )
    event = Event.objects.create(
        session=session, kind=kind, title=title.strip(), slug=_unique_slug(title), description=description.strip()
    )
    _replace_speakers(event, speakers or [])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, organiser),
        action="events.event.create",
        target=event,
        summary=event.title,
        changes={"capacity": capacity, "published": publish},
    )
    return event


@transaction.atomic(durable=True)
def event_update(
    *,
    event: Event,
    acting_user: Any,
    kind: str,
    title: str,
    description: str,
    replay_url: str = "",
    resources: list[Any] | None = None,
    partners: list[Any] | None = None,
    speakers: list[SpeakerData] | None = None,
    publish: bool = False,
) -> Event:
    """What an event says, its speakers, partners, and afterwards its replay and resources.
    Dates, seats and place change through the session's own back-office pages, which
    notify the people registered."""
    _check_text(title=title, description=description, kind=kind)
    session = _lock_session(event.session_id)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = {"kind": event.kind, "title": event.title, "replay_url": event.replay_url}
    event.kind, event.title, event.description = kind, title.strip(), description.strip()
    event.replay_url = replay_url.strip()
    event.save()
    if resources is not None:
        event.resources.set(resources)
    if speakers is not None:
        _replace_speakers(event, speakers)
    if partners is not None:
        session_partners_replace(session=session, partners=partners, acting_user=acting_user)
    if publish and session.status == Session.Status.DRAFT:
        session.status = Session.Status.PUBLISHED
        session.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, session),
        action="events.event.update",
        target=event,
        summary=event.title,
        changes={name: [before[name], getattr(event, name)] for name in before if before[name] != getattr(event, name)},
    )
    return event
