"""Events in the REST API (/api/v1/events): the public list, with seats left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from essaim.events.selectors import event_list

router = Router(tags=["Événements"])


class SpeakerOut(Schema):
    name: str
    affiliation: str
    kind: str


class EventOut(Schema):
    id: int
    slug: str
    kind: str
    title: str
    description: str
    status: str = Field(..., alias="session.status")
    starts_at: dt.datetime | None = Field(..., alias="session.starts_at")
    ends_at: dt.datetime | None = Field(..., alias="session.ends_at")
    venue: str = Field(..., alias="session.venue")
    organiser: str = Field(..., alias="session.organiser.name")
    partners: list[str]
    speakers: list[SpeakerOut]
    capacity: int = Field(..., alias="session.capacity")
    seats_left: int
    waiting_list_length: int
    replay_url: str

    @staticmethod
    def resolve_partners(obj: Any) -> list[str]:
        return [partner.name for partner in obj.session.partners.all()]

    @staticmethod
    def resolve_speakers(obj: Any) -> list[SpeakerOut]:
        return [SpeakerOut(name=s.name, affiliation=s.affiliation, kind=s.kind) for s in obj.speakers.all()]

    @staticmethod
    def resolve_seats_left(obj: Any) -> int:
        return max(obj.session.capacity - obj.seats_held, 0)

    @staticmethod
    def resolve_waiting_list_length(obj: Any) -> int:
        return obj.waiting


@router.get("/events", response=list[EventOut], summary="Événements (à venir, ou passés avec past=true)")
def list_events(request: HttpRequest, past: bool = False) -> Any:
    return list(event_list(upcoming=not past).prefetch_related("speakers", "session__partners")[:200])
