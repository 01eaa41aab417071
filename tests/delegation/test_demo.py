from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from essaim.delegation.models import Application, Call
from essaim.library.models import Resource

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_a_past_delegation_with_its_report_and_this_year_s_call_open(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    past, current = Call.objects.order_by("year")
    assert past.status == Call.Status.REPORT_PUBLISHED
    assert past.report.status == Resource.Status.PUBLISHED
    assert past.applications.filter(status=Application.Status.SELECTED).count() == past.seats
    assert current.window_is_open()
    applications = current.applications.all()
    assert applications.count() == 12
    assert len({a.ministry_id for a in applications}) >= 5
    assert len({a.region_id for a in applications}) >= 5
    page = client.get(reverse("delegation:public")).content.decode()
    assert current.title in page and past.report.title in page
