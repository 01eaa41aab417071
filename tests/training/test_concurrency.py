"""Many people sign up for one session at the same moment: the counts must be exact.

A smaller run of the `make bench` burst: real threads, each with its own database
connection, on SQLite (IMMEDIATE transactions) and PostgreSQL (row lock).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from essaim.core.exceptions import ServiceError
from essaim.training.models import Registration
from essaim.training.services import registration_cancel, registration_create, waitlist_position
from tests.factories import UserFactory
from tests.training.conftest import make_session

S = Registration.Status
AGENTS = 60
SEATS = 10


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_sign_ups_books_exactly_the_seats_and_queues_the_rest(intro_course, ministry):
    session = make_session(intro_course, ministry, capacity=SEATS)
    agents = [UserFactory(email=f"rafale{i}@exemple.gouv.fr") for i in range(AGENTS)]
    start = threading.Barrier(12)
    errors: list[str] = []

    def sign_up(agent):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=10)
            registration_create(session=session, agent=agent, acting_user=agent)
            # A double click from the same person must not create a second place.
            try:
                registration_create(session=session, agent=agent, acting_user=agent)
                errors.append(f"double registration accepted for {agent.email}")
            except ServiceError as exc:
                assert exc.code == "duplicate"
        except Exception as exc:
            errors.append(f"{agent.email}: {exc!r}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(sign_up, agents))

    assert errors == []
    registrations = list(Registration.objects.filter(session=session))
    assert len(registrations) == AGENTS
    assert sum(r.status == S.BOOKED for r in registrations) == SEATS
    waiting = [r for r in registrations if r.status == S.WAITLISTED]
    assert sorted(waitlist_position(r) for r in waiting) == list(range(1, AGENTS - SEATS + 1))

    # One booked person cancels: exactly one person, the first in line, is offered the seat.
    booked = next(r for r in registrations if r.status == S.BOOKED)
    first_in_line = min(waiting, key=lambda r: r.queue_number)
    registration_cancel(registration=booked, acting_user=booked.user)  # on_commit runs: not in a test transaction
    offered = list(Registration.objects.filter(session=session, status=S.OFFERED))
    assert [r.pk for r in offered] == [first_in_line.pk]
    assert Registration.objects.filter(session=session, status__in=[S.BOOKED, S.OFFERED]).count() == SEATS
    connection.close()
