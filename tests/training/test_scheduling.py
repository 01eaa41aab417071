from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.training.models import Session
from essaim.training.scheduling_forms import half_day_slots

pytestmark = pytest.mark.django_db


def _data(course, organiser, **overrides):
    data = {
        "course": course.pk,
        "organiser": organiser.pk,
        "first_day": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "capacity": "15",
        "min_seats": "4",
        "approval_mode": "none",
        "audience": "everyone",
        "venue": "place",
        "address": "1 place Beauvau, Paris",
        "cancellation_cutoff_hours": "48",
        "publish": "on",
    }
    data.update(overrides)
    return data


def test_half_days_follow_the_course_duration_on_working_days():
    friday = dt.date(2026, 12, 4)
    slots = half_day_slots(friday, 4)
    assert [s[0].date().isoformat() for s in slots] == ["2026-12-04", "2026-12-04", "2026-12-07", "2026-12-07"]
    assert slots[0][0].hour == 9 and slots[1][0].hour == 14


def test_an_organiser_schedules_a_session_for_their_ministry(client, organiser, ministry, directorate, intro_course):
    client.force_login(organiser)
    assert client.get(reverse("training:schedule")).status_code == 200
    response = client.post(reverse("training:schedule"), _data(intro_course, directorate))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.organiser == directorate and session.status == Session.Status.PUBLISHED
    assert session.slots.count() == intro_course.duration_half_days
    assert session.format == intro_course.format


def test_an_organiser_cannot_schedule_for_another_ministry(client, organiser, other_ministry, intro_course):
    client.force_login(organiser)
    response = client.post(reverse("training:schedule"), _data(intro_course, other_ministry))
    assert response.status_code == 400
    assert not Session.objects.exists()


def test_agents_cannot_schedule(client, agent):
    client.force_login(agent)
    assert client.get(reverse("training:schedule")).status_code == 403


def test_missing_place_and_past_dates_are_explained(client, organiser, ministry, intro_course):
    client.force_login(organiser)
    response = client.post(reverse("training:schedule"), _data(intro_course, ministry, address=""))
    assert response.status_code == 400 and "Indiquez l’adresse" in response.content.decode()
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("training:schedule"), _data(intro_course, ministry, first_day=past))
    assert response.status_code == 400 and "Le premier jour doit être à venir" in response.content.decode()
    assert not Session.objects.exists()


def test_a_weekend_first_day_is_moved_and_said_and_the_window_is_checked(client, organiser, ministry, intro_course):
    client.force_login(organiser)
    saturday = timezone.localdate() + dt.timedelta(days=30)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)
    response = client.post(
        reverse("training:schedule"), _data(intro_course, ministry, first_day=saturday.isoformat()), follow=True
    )
    page = response.content.decode()
    assert "tombe un week-end" in page and "la session commence le lundi" in page
    session = Session.objects.get()
    assert timezone.localtime(session.starts_at).date() == saturday + dt.timedelta(days=2)
    monday = saturday + dt.timedelta(days=2)
    late = f"{monday.isoformat()}T10:00"
    response = client.post(
        reverse("training:schedule"), _data(intro_course, ministry, first_day=monday.isoformat(), signup_closes_at=late)
    )
    assert response.status_code == 400 and "closes avant le début de la session" in response.content.decode()
    response = client.post(
        reverse("training:schedule"),
        _data(
            intro_course,
            ministry,
            first_day=monday.isoformat(),
            signup_opens_at=f"{(monday - dt.timedelta(days=2)).isoformat()}T10:00",
            signup_closes_at=f"{(monday - dt.timedelta(days=5)).isoformat()}T10:00",
        ),
    )
    assert response.status_code == 400 and "ouvrir avant leur clôture" in response.content.decode()
    assert Session.objects.count() == 1
