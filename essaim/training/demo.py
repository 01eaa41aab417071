"""Demo data for the training lifecycle: a living programme (used by `seed_demo`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from essaim.accounts.models import User
from essaim.catalogue.models import Course
from essaim.organisations.models import Organisation, Region
from essaim.practice.models import PracticeEntry
from essaim.training.attendance import attendance_record, session_close
from essaim.training.models import Session
from essaim.training.services import registration_create
from essaim.training.sessions import session_cancel, session_create


def _slots(start: dt.datetime, half_days: int) -> list[tuple[dt.datetime, dt.datetime]]:
    slots = []
    day = start
    for index in range(half_days):
        if index and index % 2 == 0:
            day += dt.timedelta(days=1)
        begin = day.replace(hour=9 if index % 2 == 0 else 14, minute=0)
        slots.append((begin, begin + dt.timedelta(hours=3)))
    return slots


def _at(days: int) -> dt.datetime:
    return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


def _agents(count: int, organisation: Organisation) -> list[User]:
    people = []
    for index in range(count):
        email = f"agent.demo{index:02d}@essaim.localhost"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, given_name="Agent", usual_name=f"Démo {index:02d}", organisation=organisation
        )
        people.append(user)
    return people


def _past_session(course: Course, organiser: Organisation, region: str, people: list[User], trainer: User) -> Session:
    """A session held a month ago: attendance taken, closed, completions issued."""
    session = session_create(
        course=course,
        organiser=organiser,
        slots=_slots(_at(40), course.duration_half_days),
        capacity=12,
        acting_user=None,
        trainers=[trainer],
        publish=True,
        region=Region.objects.get(code=region),
        address="20 avenue de Ségur, 75007 Paris",
    )
    for person in people:
        registration_create(session=session, agent=person, acting_user=person)
    shift = dt.timedelta(days=70)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save(update_fields=["starts_at", "ends_at"])
    assert session.starts_at and session.ends_at  # set from the slots by session_create
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()
    registrations = list(session.registrations.order_by("id"))
    for slot in session.slots.all():
        marks = {
            r.pk: ("absent" if index == len(registrations) - 1 else "present") for index, r in enumerate(registrations)
        }
        attendance_record(session=session, slot=slot, marks=marks, acting_user=trainer)
    session_close(session=session, acting_user=trainer)
    return session


def demo_programme_load(*, agent: User, trainer: User) -> dict[str, Any]:
    """Past and upcoming sessions across regions, a full one with a waiting list,
    completions and practice entries. Does nothing if sessions already exist."""
    if Session.objects.exists():
        return {"sessions": Session.objects.count()}
    courses = {c.code: c for c in Course.objects.all()}
    ditp = Organisation.objects.get(slug="ditp")
    interieur = Organisation.objects.get(slug="cellule-formation-interieur")
    ti_lab = Organisation.objects.get(slug="ti-lab")
    lab_aura = Organisation.objects.get(slug="lab-aura")
    dgfip = Organisation.objects.get(slug="dgfip")
    people = _agents(10, dgfip)
    intro = courses["facilitation-fondamentaux"]

    _past_session(intro, ditp, "11", [agent, *people[:6]], trainer)
    for index, person in enumerate([agent, *people[:3]]):
        for days in (20, 45, 80):
            PracticeEntry.objects.get_or_create(
                user=person,
                date=timezone.localdate() - dt.timedelta(days=days + index),
                defaults={
                    "title": "Atelier de co-construction du plan de service",
                    "method": "World café",
                    "audience": "Équipe du service",
                    "participants": 18,
                    "outcome": "Les propositions ont été priorisées en fin d’atelier.",
                },
            )
    upcoming: list[tuple[Course, Organisation, str, int, int, dict[str, Any]]] = [
        (intro, ditp, "11", 21, 12, {"address": "20 avenue de Ségur, 75007 Paris"}),
        (intro, ti_lab, "53", 35, 3, {"venue": Session.Venue.LAB, "lab": ti_lab}),
        (intro, lab_aura, "84", 60, 14, {"venue": Session.Venue.LAB, "lab": lab_aura}),
        (
            intro,
            interieur,
            "11",
            95,
            16,
            {
                "address": "Place Beauvau, 75008 Paris",
                "audience": Session.Audience.ORGANISATION,
                "audience_organisation": Organisation.objects.get(slug="interieur"),
            },
        ),
        (courses["facilitation-graphique"], ditp, "11", 50, 10, {"address": "20 avenue de Ségur, 75007 Paris"}),
        (
            courses["debat-deliberation"],
            ditp,
            "76",
            75,
            20,
            {"format": "hybrid", "remote_url": "https://webinaire.numerique.gouv.fr/"},
        ),
        (
            courses["codeveloppement"],
            lab_aura,
            "84",
            40,
            8,
            {"venue": Session.Venue.REMOTE, "remote_url": "https://webinaire.numerique.gouv.fr/"},
        ),
    ]
    created = []
    for course, organiser, region, days, capacity, extra in upcoming:
        created.append(
            session_create(
                course=course,
                organiser=organiser,
                slots=_slots(_at(days), course.duration_half_days),
                capacity=capacity,
                acting_user=None,
                trainers=[trainer],
                publish=True,
                region=Region.objects.get(code=region),
                **extra,
            )
        )
    # The Ti Lab session is full, with a waiting list.
    for person in people[4:10]:
        registration_create(session=created[1], agent=person, acting_user=person)
    _sessions_in_other_states(courses["codeveloppement"], intro, ditp, interieur, people, trainer)
    return {"sessions": Session.objects.count()}


def demo_completion(*, user: User, session: Session, outcomes: list[dict[str, Any]] | None = None) -> None:
    """A completion for demo data that other apps need (network members, delegation), with
    the registration it comes from: a session never shows more completions than people
    registered (what the public export and the dashboards count)."""
    from django.db.models import F
    from django.db.models.functions import Greatest

    from essaim.training.models import Completion, Registration, RegistrationEvent

    registration, created = Registration.objects.get_or_create(
        session=session, user=user, defaults={"status": Registration.Status.COMPLETED}
    )
    if created:
        RegistrationEvent.objects.create(registration=registration, from_status="", to_status="booked")
        RegistrationEvent.objects.create(registration=registration, from_status="booked", to_status="completed")
        held = session.registrations.count()
        Session.objects.filter(pk=session.pk).update(capacity=Greatest(F("capacity"), held))
    Completion.objects.get_or_create(
        user=user,
        session=session,
        defaults={
            "course": session.course,
            "framework_id": session.course.framework_id,
            "completed_at": session.ends_at or timezone.now(),
            "attendance_rate": 100,
            "outcomes": outcomes or [],
        },
    )


def _sessions_in_other_states(
    codev: Course, intro: Course, ditp: Organisation, interieur: Organisation, people: list[User], trainer: User
) -> None:
    """A draft (a co-development cycle, half a day a week apart, no trainer yet), a session
    whose requests await the organiser's approval, and a cancelled one: every state of a
    session's life is there to try, with registrations that match their counts."""
    first = _at(30)
    weekly = [
        (first + dt.timedelta(days=7 * week), first + dt.timedelta(days=7 * week, hours=3, minutes=30))
        for week in range(codev.duration_half_days)
    ]
    session_create(
        course=codev,
        organiser=ditp,
        slots=weekly,
        capacity=8,
        acting_user=None,
        publish=False,
        region=Region.objects.get(code="11"),
        address="20 avenue de Ségur, 75007 Paris",
        description="Un cycle de co-développement : une demi-journée par semaine.",
    )
    approval = session_create(
        course=intro,
        organiser=interieur,
        slots=_slots(_at(28), intro.duration_half_days),
        capacity=2,
        acting_user=None,
        trainers=[trainer],
        publish=True,
        region=Region.objects.get(code="11"),
        address="Place Beauvau, 75008 Paris",
        approval_mode=Session.ApprovalMode.ORGANISER,
    )
    for person in people[0:3]:
        registration_create(session=approval, agent=person, acting_user=person)
    cancelled = session_create(
        course=intro,
        organiser=ditp,
        slots=_slots(_at(14), intro.duration_half_days),
        capacity=10,
        acting_user=None,
        trainers=[trainer],
        publish=True,
        region=Region.objects.get(code="11"),
        address="20 avenue de Ségur, 75007 Paris",
    )
    for person in people[7:9]:
        registration_create(session=cancelled, agent=person, acting_user=person)
    session_cancel(
        session=cancelled, acting_user=None, reason="La salle n’est plus disponible ; une nouvelle date suivra."
    )
