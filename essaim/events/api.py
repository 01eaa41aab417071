"""Events in the REST API (/api/v1/events): the public list, with seats left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from essaim.events.selectors import event_list

router = Router(tags=["Événements"])


class SpeakerOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Alex Durand", "affiliation": "Ville de Grenoble", "kind": "administration"}]
        }
    )

    name: str
    affiliation: str
    kind: str


class EventOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "slug": "webinaire-budget-participatif",
                    "kind": "webinar",
                    "title": "Lancer un budget participatif",
                    "description": "Retours d’expérience de trois collectivités.",
                    "status": "published",
                    "starts_at": "2027-02-04T12:30:00+01:00",
                    "ends_at": "2027-02-04T13:30:00+01:00",
                    "venue": "En ligne",
                    "organiser": "Direction interministérielle de la transformation publique",
                    "partners": ["Ville de Grenoble"],
                    "speakers": [{"name": "Alex Durand", "affiliation": "Ville de Grenoble", "kind": "administration"}],
                    "capacity": 300,
                    "seats_left": 112,
                    "waiting_list_length": 0,
                    "replay_url": "",
                }
            ]
        }
    )

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
    """Les événements publics (webinaires, rencontres…) à venir, ou passés avec `past=true`
    (jusqu’à 200), avec intervenants, partenaires, places restantes et lien de rediffusion.

    Public, sans authentification.
    """
    return list(event_list(upcoming=not past).prefetch_related("speakers", "session__partners")[:200])
