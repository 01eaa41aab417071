"""Arranging held sessions with completions for the reporting and surveys tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.organisations.models import Region
from essaim.training.models import Completion, Registration, Session
from tests.factories import UserFactory


def framework() -> FrameworkVersion:
    return FrameworkVersion.objects.get_or_create(
        version="test-1",
        defaults={"title": "Référentiel", "status": FrameworkVersion.Status.PUBLISHED, "published_at": timezone.now()},
    )[0]


def course(code: str = "facilitation-fondamentaux", **fields) -> Course:
    return Course.objects.get_or_create(
        code=code,
        defaults={
            "title": code.replace("-", " ").capitalize(),
            "summary": "Résumé",
            "duration_half_days": 4,
            "framework": framework(),
            "status": Course.Status.PUBLISHED,
            **fields,
        },
    )[0]


_REGIONS = {"11": "Île-de-France", "53": "Bretagne", "84": "Auvergne-Rhône-Alpes"}


def region(code: str = "11") -> Region:
    # Reference data is loaded by a migration, but flushed by transactional (browser) tests.
    return Region.objects.get_or_create(code=code, defaults={"name": _REGIONS[code]})[0]


_counter = iter(range(10**6))


def held_session(
    *, course: Course, organiser, people: int, when: dt.datetime, region: Region | None = None, registered: int = 0
) -> Session:
    """A finished session with `people` completions (and `registered` others who did not complete)."""
    session = Session.objects.create(
        course=course,
        organiser=organiser,
        status=Session.Status.DONE,
        capacity=max(people + registered, 1),
        format=course.format,
        region=region,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=7),
    )
    for _ in range(people):
        user = UserFactory(email=f"participant{next(_counter)}@exemple.gouv.fr")
        Registration.objects.create(session=session, user=user, status=Registration.Status.COMPLETED)
        Completion.objects.create(
            user=user,
            course=course,
            session=session,
            framework=course.framework,
            completed_at=session.ends_at,
            attendance_rate=100,
        )
    for _ in range(registered):
        user = UserFactory(email=f"inscrit{next(_counter)}@exemple.gouv.fr")
        Registration.objects.create(session=session, user=user, status=Registration.Status.NO_SHOW)
    return session


def moment(year: int, month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 9, 0))
