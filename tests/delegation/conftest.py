from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.delegation.models import Call
from essaim.delegation.services import CallData, call_create, call_set_status
from essaim.framework.models import FrameworkVersion
from essaim.organisations.models import Region
from essaim.training.models import Completion, Session
from tests.factories import OrganisationFactory, UserFactory

MOTIVATION = "Je veux rapporter à mon service des méthodes de participation vues ailleurs en Europe."


@pytest.fixture
def course(db):
    framework = FrameworkVersion.objects.create(
        version="del-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    return Course.objects.create(
        code="facilitation-del",
        title="Facilitation",
        summary="…",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
    )


@pytest.fixture
def past_session(course):
    start = timezone.now() - dt.timedelta(days=30)
    return Session.objects.create(
        course=course,
        organiser=OrganisationFactory(name="Organisateur de test", slug="organisateur-test"),
        capacity=40,
        format=Course.Format.IN_PERSON,
        status=Session.Status.DONE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=7),
    )


def train(user, session):
    Completion.objects.create(
        user=user,
        course=session.course,
        session=session,
        framework=session.course.framework,
        completed_at=session.ends_at,
        attendance_rate=100,
    )
    return user


@pytest.fixture
def make_agent(past_session):
    """A trained agent in a service of `ministry`, located in region `region` (INSEE code)."""
    counter = iter(range(1000))

    def make(ministry, region="11", *, trained=True, email=None, language="fr"):
        if not Region.objects.filter(code=region).exists():  # flushed by an earlier transactional test
            call_command("load_reference_data", verbosity=0)
        n = next(counter)
        service = OrganisationFactory(
            name=f"Service {n} de {ministry.name}",
            kind="service",
            parent=ministry,
            region=Region.objects.get(code=region),
        )
        user = UserFactory(
            email=email or f"candidat{n}@exemple.gouv.fr", organisation=service, preferred_language=language
        )
        return train(user, past_session) if trained else user

    return make


def call_data(**overrides):
    now = timezone.now()
    values = {
        "year": now.year,
        "title": "Rencontres Européennes de la Participation",
        "description": "La délégation du programme.",
        "place": "Lyon",
        "event_starts_on": (now + dt.timedelta(days=60)).date(),
        "event_ends_on": (now + dt.timedelta(days=62)).date(),
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=10),
        "seats": 3,
        "ministry_quota": 2,
        "region_quota": None,
    }
    values.update(overrides)
    return CallData(**values)


@pytest.fixture
def open_call(programme_admin):
    call = call_create(data=call_data(), acting_user=programme_admin)
    return call_set_status(call=call, status=Call.Status.OPEN, acting_user=programme_admin)


def close_window(call):
    """Move the window into the past (as time passing would) — only the dates change."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=20), closes_at=now - dt.timedelta(minutes=1)
    )
    call.refresh_from_db()
    return call
