from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.training.sessions import session_create


@pytest.fixture
def framework(db):
    return FrameworkVersion.objects.create(
        version="test-1",
        title="Référentiel de test",
        status=FrameworkVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def intro_course(framework):
    return Course.objects.create(
        code="facilitation-fondamentaux",
        title="Facilitation : les fondamentaux",
        summary="Deux jours pour apprendre à faciliter.",
        duration_half_days=4,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
    )


def make_session(course, organiser, *, capacity=2, days_ahead=30, publish=True, **fields):
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=days_ahead)
    slots = [
        (start, start + dt.timedelta(hours=3)),
        (start + dt.timedelta(hours=4), start + dt.timedelta(hours=7)),
    ]
    return session_create(
        course=course, organiser=organiser, slots=slots, capacity=capacity, acting_user=None, publish=publish, **fields
    )


@pytest.fixture
def session(intro_course, ministry):
    return make_session(intro_course, ministry, capacity=2)
