"""Demo data for partners, co-run sessions and events (called by `seed_demo`).

Idempotent: does nothing once an event exists. Partners are real public organisations;
speakers are fictitious demo names, with no contact details.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from essaim.accounts.models import User
from essaim.events.models import Event, Speaker
from essaim.events.services import event_create, event_update
from essaim.library.models import Resource
from essaim.organisations.models import Organisation, Region
from essaim.organisations.services import organisation_create, organisation_update
from essaim.training.models import Session, SessionSlot
from essaim.training.services import registration_create
from essaim.training.sessions import session_set_partners

PARTNERS = {
    "democratie-ouverte": (
        "Démocratie Ouverte",
        "https://www.democratieouverte.org/",
        "Collectif qui accompagne les territoires et les administrations vers une démocratie plus ouverte.",
    ),
    "decider-ensemble": (
        "Décider Ensemble",
        "https://www.deciderensemble.com/",
        "Association qui promeut la concertation et la décision partagée entre acteurs publics et privés.",
    ),
    "institut-de-la-concertation": (
        "Institut de la concertation et de la participation citoyenne",
        "https://i-cpc.org/",
        "Réseau de praticiens et de chercheurs de la participation citoyenne.",
    ),
    "missions-publiques": (
        "Missions Publiques",
        "https://missionspubliques.org/",
        "Entreprise spécialisée dans les dialogues citoyens et les conventions de citoyens.",
    ),
}


def _partners() -> dict[str, Organisation]:
    partners = {}
    for slug, (name, website, description) in PARTNERS.items():
        org = Organisation.objects.filter(slug=slug).first() or organisation_create(
            slug=slug,
            name=name,
            short_name=name if len(name) <= 80 else "",
            kind=Organisation.Kind.PARTNER,
            region=Region.objects.get(code="11"),
            acting_user=None,
        )
        if not org.description:
            org = organisation_update(organisation=org, acting_user=None, website=website, description=description)  # type: ignore[arg-type]
        partners[slug] = org
    return partners


def _at(days: int, hour: int) -> dt.datetime:
    return timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


def _shift_to_past(event: Event, days: int) -> None:
    """Move an event created in the future back in time (a published one cannot be
    created with past dates), as the training demo does for its held session."""
    shift = dt.timedelta(days=days)
    SessionSlot.objects.filter(session=event.session_id).update(
        starts_at=event.session.starts_at - shift,  # type: ignore[operator]
        ends_at=event.session.ends_at - shift,  # type: ignore[operator]
    )
    Session.objects.filter(pk=event.session_id).update(
        starts_at=event.session.starts_at - shift,  # type: ignore[operator]
        ends_at=event.session.ends_at - shift,  # type: ignore[operator]
    )


def demo_events_load() -> dict[str, Any]:
    partners = _partners()
    if Event.objects.exists():
        return {"events": Event.objects.count()}
    ditp = Organisation.objects.get(slug="ditp")
    ti_lab = Organisation.objects.get(slug="ti-lab")
    # Co-run sessions: the held introduction (counts toward the civil-society milestone)
    # and two upcoming ones.
    held = Session.objects.trainings().filter(status=Session.Status.DONE).order_by("starts_at").first()
    if held is not None:
        session_set_partners(session=held, partners=[partners["decider-ensemble"]], acting_user=None)
    upcoming = list(
        Session.objects.trainings().filter(status=Session.Status.PUBLISHED, organiser=ditp).order_by("starts_at")[:2]
    )
    for session, slug in zip(upcoming, ["democratie-ouverte", "institut-de-la-concertation"], strict=False):
        session_set_partners(session=session, partners=[partners[slug]], acting_user=None)

    agents = list(User.objects.filter(email__startswith="agent.demo").order_by("email"))
    paris = Region.objects.get(code="11")
    past = event_create(
        kind=Event.Kind.CONFERENCE,
        title="Rencontre : la participation citoyenne dans les politiques publiques",
        description=(
            "Retour sur dix ans de conventions citoyennes et de budgets participatifs : ce qui a changé "
            "dans les administrations, et ce qui reste à faire."
        ),
        organiser=ditp,
        starts_at=_at(5, 14),
        ends_at=_at(5, 17),
        capacity=80,
        address="20 avenue de Ségur, 75007 Paris",
        region=paris,
        partners=[partners["democratie-ouverte"], partners["decider-ensemble"]],
        speakers=[
            {"name": "Camille Démo", "affiliation": "Démocratie Ouverte", "kind": Speaker.Kind.CIVIL_SOCIETY},
            {"name": "Louis Démo", "affiliation": "Université Paris 1", "kind": Speaker.Kind.ACADEMIA},
            {"name": "Inès Démo", "affiliation": "DITP", "kind": Speaker.Kind.ADMINISTRATION},
        ],
        publish=True,
        acting_user=None,
    )
    for person in agents[:5]:
        registration_create(session=past.session, agent=person, acting_user=person)
    _shift_to_past(past, 40)
    past.refresh_from_db()
    resources = list(Resource.objects.published().filter(visibility=Resource.Visibility.PUBLIC).order_by("id")[:2])
    event_update(
        event=past,
        acting_user=None,
        kind=past.kind,
        title=past.title,
        description=past.description,
        replay_url="https://videos.essaim.localhost/rencontre-participation-citoyenne",
        resources=resources,
    )

    webinar = event_create(
        kind=Event.Kind.WEBINAR,
        title="Webinaire : préparer une convention citoyenne",
        description="Une heure pour comprendre les étapes, les coûts et les écueils d’une convention citoyenne.",
        organiser=ditp,
        starts_at=_at(12, 11),
        ends_at=_at(12, 12),
        capacity=3,
        venue=Session.Venue.REMOTE,
        remote_url="https://webinaire.numerique.gouv.fr/",
        partners=[partners["missions-publiques"]],
        speakers=[{"name": "Hugo Démo", "affiliation": "Missions Publiques", "kind": Speaker.Kind.CIVIL_SOCIETY}],
        publish=True,
        acting_user=None,
    )
    for person in agents[:5]:  # three seats: two people on the waiting list
        registration_create(session=webinar.session, agent=person, acting_user=person)

    visit = event_create(
        kind=Event.Kind.VISIT,
        title="Visite du Ti Lab, laboratoire d’innovation publique de Bretagne",
        description="Une demi-journée dans les locaux du Ti Lab : méthodes, projets en cours, échanges avec l’équipe.",
        organiser=ti_lab,
        starts_at=_at(30, 14),
        ends_at=_at(30, 17),
        capacity=15,
        address="Rennes",
        region=Region.objects.get(code="53"),
        speakers=[{"name": "Équipe du Ti Lab", "affiliation": "Ti Lab", "kind": Speaker.Kind.ADMINISTRATION}],
        publish=True,
        acting_user=None,
    )
    for person in agents[5:7]:
        registration_create(session=visit.session, agent=person, acting_user=person)

    event_create(
        kind=Event.Kind.CONFERENCE,
        title="Conférence : la recherche sur la participation, quoi de neuf ?",
        description="Chercheuses et praticiens présentent les travaux récents sur la délibération et ses effets.",
        organiser=ditp,
        starts_at=_at(45, 9),
        ends_at=_at(45, 12),
        capacity=120,
        address="20 avenue de Ségur, 75007 Paris",
        region=paris,
        partners=[partners["institut-de-la-concertation"]],
        speakers=[
            {"name": "Marie Démo", "affiliation": "ICPC", "kind": Speaker.Kind.CIVIL_SOCIETY},
            {"name": "Paul Démo", "affiliation": "Sciences Po", "kind": Speaker.Kind.ACADEMIA},
        ],
        publish=True,
        acting_user=None,
    )
    return {
        "events": Event.objects.count(),
        "co_run_sessions": Session.objects.filter(~Q(partners=None)).distinct().count(),
    }
