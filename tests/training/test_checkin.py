"""QR self check-in: a person with a seat scans the trainer's code during the half-day and
is marked present; codes expire, stay within their half-day, and never override the trainer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.training.attendance import attendance_record
from essaim.training.checkin import checkin_token
from essaim.training.models import Attendance, Registration
from essaim.training.services import registration_create
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(intro_course, ministry, trainer):
    """A session whose first half-day started ten minutes ago, one person booked, one waiting."""
    session = make_session(intro_course, ministry, capacity=1, days_ahead=3)
    booked, waiting = UserFactory(), UserFactory()
    registration_create(session=session, agent=booked, acting_user=booked)
    registration_create(session=session, agent=waiting, acting_user=waiting)
    session.trainers.add(trainer)
    start = timezone.now() - dt.timedelta(minutes=10)
    slot = session.slots.order_by("starts_at").first()
    # Move the half-days to today (the unique start per session is kept).
    second = session.slots.order_by("starts_at").last()
    second.starts_at, second.ends_at = start + dt.timedelta(hours=4), start + dt.timedelta(hours=7)
    second.save()
    slot.starts_at, slot.ends_at = start, start + dt.timedelta(hours=3)
    slot.save()
    return session, slot, booked, waiting


def _scan(client, user, token):
    client.force_login(user)
    return client.post(reverse("training:check-in", args=[token]))


def test_a_booked_person_checks_in_once_and_the_trainer_sees_it(client, running, trainer):
    session, slot, booked, _waiting = running
    token = checkin_token(slot=slot)
    client.force_login(booked)
    page = client.get(reverse("training:check-in", args=[token]))
    assert page.status_code == 200 and "Je confirme ma présence" in page.content.decode()
    assert not Attendance.objects.exists()  # opening the link changes nothing
    assert _scan(client, booked, token).status_code == 302
    assert _scan(client, booked, token).status_code == 302  # scanned twice: still one record
    (attendance,) = Attendance.objects.all()
    assert attendance.status == Attendance.Status.PRESENT and attendance.recorded_by == booked
    client.force_login(trainer)
    code = client.get(reverse("training_admin:checkin-code", args=[session.pk, slot.pk]))
    assert code.status_code == 200
    text = code.content.decode()
    assert "<svg" in text and "1 personne a pointé" in text


def test_arriving_after_a_quarter_of_an_hour_is_late(client, running):
    _session, slot, booked, _waiting = running
    slot.starts_at = timezone.now() - dt.timedelta(minutes=40)
    slot.save()
    _scan(client, booked, checkin_token(slot=slot))
    assert Attendance.objects.get().status == Attendance.Status.LATE


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("forged", "n’est pas valide"),
        ("old", "a expiré"),
        ("waiting", "pas de place"),
        ("finished", "pendant la demi-journée"),
    ],
)
def test_refused_check_ins_explain_why_and_record_nothing(client, running, case, message):
    _session, slot, booked, waiting = running
    person, token = booked, checkin_token(slot=slot)
    if case == "forged":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif case == "old":
        token = checkin_token(slot=slot, now=timezone.now() - dt.timedelta(minutes=25))
    elif case == "waiting":
        person = waiting
    elif case == "finished":
        slot.ends_at = timezone.now() - dt.timedelta(minutes=1)
        slot.starts_at = slot.ends_at - dt.timedelta(hours=3)
        slot.save()
    response = _scan(client, person, token)
    assert response.status_code in (400, 409)
    assert message in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_trainers_record_wins(client, running, trainer):
    session, slot, booked, _waiting = running
    registration = Registration.objects.get(session=session, user=booked)
    attendance_record(session=session, slot=slot, marks={registration.pk: "absent"}, acting_user=trainer)
    response = _scan(client, booked, checkin_token(slot=slot))
    assert response.status_code == 409 and "adressez-vous à lui" in response.content.decode()
    assert Attendance.objects.get().status == Attendance.Status.ABSENT


def test_only_the_sessions_trainers_and_managers_see_the_code(client, running, agent, intro_course, ministry):
    session, slot, booked, _waiting = running
    url = reverse("training_admin:checkin-code", args=[session.pk, slot.pk])
    for person in (agent, booked):
        client.force_login(person)
        assert client.get(url).status_code == 403
    other = make_session(intro_course, ministry, days_ahead=60)
    client.force_login(booked)
    assert client.get(reverse("training_admin:checkin-code", args=[other.pk, slot.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
