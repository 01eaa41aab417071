"""The dashboard's course filter never lists events as courses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.events.services import EVENT_COURSE_CODE, event_create
from essaim.framework.models import FrameworkVersion
from essaim.reporting.selectors import EVENT_COURSE_CODE as REPORTING_COPY

pytestmark = pytest.mark.django_db


def test_the_event_placeholder_course_is_not_a_filter_choice(client, ministry, programme_admin):
    assert REPORTING_COPY == EVENT_COURSE_CODE
    FrameworkVersion.objects.create(
        version="t-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    start = timezone.now() + dt.timedelta(days=10)
    event_create(
        organiser=ministry,
        acting_user=programme_admin,
        title="Webinaire inspirant",
        description="Un webinaire.",
        kind="webinar",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=50,
        venue="remote",
        remote_url="https://webinaire.numerique.gouv.fr/",
    )
    page = client.get(reverse("reporting:public")).content.decode()
    assert "Événement inspirant" not in page
