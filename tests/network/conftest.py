from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.framework.models import Competency, FrameworkVersion, Level
from essaim.network.services import directory_profile_update
from essaim.organisations.models import Departement, Region
from essaim.training.models import Completion, Session
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def framework(db):
    version = FrameworkVersion.objects.create(
        version="net-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    for rank, code in enumerate(["decouvrir", "pratiquer", "maitriser", "transmettre"], start=1):
        Level.objects.create(framework=version, rank=rank, code=code, name=code.title())
    Competency.objects.create(framework=version, code="world-cafe", name="Animer un world café", position=1)
    Competency.objects.create(framework=version, code="forum-ouvert", name="Animer un forum ouvert", position=2)
    return version


@pytest.fixture
def course(framework):
    return Course.objects.create(
        code="facilitation-1",
        title="Facilitation",
        summary="…",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
    )


@pytest.fixture
def places(db):
    """Two départements of one region and one of another (reference data is loaded)."""
    idf = Region.objects.get(code="11")
    bretagne = Region.objects.get(code="53")
    return {
        "paris": Departement.objects.get(code="75"),
        "essonne": Departement.objects.get(code="91"),
        "finistere": Departement.objects.get(code="29"),
        "idf": idf,
        "bretagne": bretagne,
    }


def past_session(course, organiser, *, days_ago=30, trainers=()):
    start = timezone.now() - dt.timedelta(days=days_ago)
    session = Session.objects.create(
        course=course,
        organiser=organiser,
        capacity=10,
        format=Course.Format.IN_PERSON,
        status=Session.Status.DONE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    session.trainers.set(trainers)
    return session


def complete(user, course, *, levels: dict[str, int], organiser=None):
    """A completion as `session_close` records it (the closing itself is tested in training)."""
    session = past_session(course, organiser or OrganisationFactory())
    return Completion.objects.create(
        user=user,
        course=course,
        session=session,
        framework=course.framework,
        completed_at=session.ends_at,
        attendance_rate=100,
        outcomes=[{"competency": code, "level": f"l{rank}", "level_rank": rank} for code, rank in levels.items()],
    )


def member(course, *, email, departement=None, levels=None, consent=True, availability="available", ministry=None):
    """A trained person placed in a service of `ministry` located in `departement`."""
    ministry = ministry or OrganisationFactory()
    service = OrganisationFactory(
        kind="service",
        parent=ministry,
        departement=departement,
        region=departement.region if departement else None,
    )
    user = UserFactory(email=email, organisation=service)
    complete(user, course, levels=levels or {"world-cafe": 2})
    directory_profile_update(user=user, acting_user=user, consent=consent, availability=availability)
    return user
