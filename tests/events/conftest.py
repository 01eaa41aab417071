from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from essaim.events.models import Event, Speaker
from essaim.events.services import event_create
from essaim.framework.models import FrameworkVersion
from tests.factories import OrganisationFactory
from tests.training.conftest import intro_course  # noqa: F401 — shared fixture


@pytest.fixture
def framework(db):
    return FrameworkVersion.objects.create(
        version="test-1",
        title="Référentiel de test",
        status=FrameworkVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(
        name="Démocratie Test", slug="democratie-test", kind="partner", description="Une association de test."
    )


def make_event(organiser, *, title="Webinaire : préparer une convention citoyenne", capacity=2, days=10, **extra):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    fields = {
        "kind": Event.Kind.WEBINAR,
        "description": "Une heure pour comprendre les étapes d’une convention citoyenne.",
        "venue": "remote",
        "remote_url": "https://webinaire.numerique.gouv.fr/",
        "speakers": [{"name": "Camille Test", "affiliation": "Démocratie Test", "kind": Speaker.Kind.CIVIL_SOCIETY}],
        "publish": True,
        **extra,
    }
    return event_create(
        title=title,
        organiser=organiser,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=capacity,
        acting_user=None,
        **fields,
    )


@pytest.fixture
def event(framework, ministry, partner_org):
    return make_event(ministry, partners=[partner_org])
