"""Bulk approval of requests, the warning before an approval that lands on the waiting
list, and « Tous présents » on the attendance sheet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.training.models import Attendance, Registration
from essaim.training.services import registration_create
from tests.factories import UserFactory
from tests.training.conftest import make_session
from tests.training.test_backoffice import past_session  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def _requests(session, count):
    return [registration_create(session=session, agent=UserFactory(), acting_user=None) for _ in range(count)]


def test_bulk_approval_gives_seats_to_the_oldest_then_the_waiting_list(client, organiser, intro_course, ministry):
    session = make_session(intro_course, ministry, capacity=2, approval_mode="organiser")
    first, second, third, untouched = _requests(session, 4)
    client.force_login(organiser)
    page = client.get(reverse("training_admin:detail", args=[session.pk])).content.decode()
    assert "Accepter la sélection" in page and 'form="bulk-approve"' in page
    response = client.post(
        reverse("training_admin:approve-many", args=[session.pk]),
        {"registration": [third.pk, first.pk, second.pk]},
        follow=True,
    )
    assert "3 demandes acceptées : 2 inscrites, 1 en liste d’attente." in response.content.decode()
    statuses = {r.pk: r.status for r in Registration.objects.filter(session=session)}
    assert statuses == {
        first.pk: Status.BOOKED,
        second.pk: Status.BOOKED,
        third.pk: Status.WAITLISTED,
        untouched.pk: Status.REQUESTED,
    }


def test_bulk_approval_refuses_an_empty_or_foreign_selection(client, organiser, intro_course, ministry):
    session = make_session(intro_course, ministry, capacity=2, approval_mode="organiser")
    other = make_session(intro_course, ministry, capacity=2, approval_mode="organiser", days_ahead=40)
    (foreign,) = _requests(other, 1)
    client.force_login(organiser)
    url = reverse("training_admin:approve-many", args=[session.pk])
    for data in ({}, {"registration": ["abc"]}, {"registration": [foreign.pk]}):
        response = client.post(url, data, follow=True)
        assert "Choisissez au moins une demande en attente" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.status == Status.REQUESTED


def test_an_approval_over_capacity_says_first_that_it_goes_to_the_waiting_list(
    client, organiser, intro_course, ministry
):
    session = make_session(intro_course, ministry, capacity=1, approval_mode="organiser")
    booked, _waiting = _requests(session, 2)
    client.force_login(organiser)
    page = client.get(reverse("training_admin:detail", args=[session.pk])).content.decode()
    assert "rejoint la liste d’attente" not in page  # a seat is free: a plain button
    client.post(reverse("training_admin:approve", args=[booked.pk]))
    page = client.get(reverse("training_admin:detail", args=[session.pk])).content.decode()
    assert "La session est complète" in page
    assert "la personne rejoint la liste d’attente, en position 1" in page
    assert 'aria-controls="confirm-approve-' in page


def test_all_present_marks_everyone_left_blank_and_keeps_the_chosen_statuses(client, trainer, past_session):  # noqa: F811
    session, (alice, bob, chloe) = past_session
    session.trainers.add(trainer)
    morning = session.slots.first()
    client.force_login(trainer)
    url = reverse("training_admin:attendance", args=[session.pk])
    assert "Tous présents" in client.get(url).content.decode()
    response = client.post(url, {"slot": morning.pk, f"mark-{bob.pk}": "excused", "all_present": "1"}, follow=True)
    assert "Présence enregistrée pour 3 personnes" in response.content.decode()
    recorded = dict(Attendance.objects.filter(slot=morning).values_list("registration_id", "status"))
    assert recorded == {alice.pk: "present", bob.pk: "excused", chloe.pk: "present"}
