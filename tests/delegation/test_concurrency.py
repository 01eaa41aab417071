"""Two programme admins select at the same moment: the quotas still hold.

Real threads, each with its own database connection, on SQLite (IMMEDIATE transactions
serialise writers) and PostgreSQL (the call's row lock).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from essaim.core.exceptions import ServiceError
from essaim.delegation.models import Application
from essaim.delegation.services import application_decide, application_submit
from tests.delegation.conftest import MOTIVATION, close_window
from tests.factories import OrganisationFactory, UserFactory, grant

S = Application.Status


@pytest.mark.django_db(transaction=True)
def test_concurrent_selections_never_exceed_the_ministry_quota_nor_the_seats(open_call, make_agent, programme_admin):
    ministry_a = OrganisationFactory(name="Ministère concurrent A", slug="ministere-concurrent-a")
    ministry_b = OrganisationFactory(name="Ministère concurrent B", slug="ministere-concurrent-b")
    # Quota 2 per ministry, 3 seats; six people of A and six of B clicked at once by two admins.
    applications = [
        application_submit(call=open_call, user=make_agent(ministry), motivation=MOTIVATION)
        for ministry in [ministry_a, ministry_b] * 6
    ]
    close_window(open_call)
    second_admin = UserFactory(email="admin2@modernisation.gouv.fr")
    from essaim.accounts.models import Role

    grant(second_admin, Role.PROGRAMME_ADMIN)
    start = threading.Barrier(6)
    outcomes: list[str] = []
    errors: list[str] = []

    def select(args):
        index, application = args
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=10)
            admin = programme_admin if index % 2 else second_admin
            application_decide(application=application, decision=S.SELECTED, acting_user=admin)
            outcomes.append("selected")
        except ServiceError as exc:
            outcomes.append(exc.code)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(select, enumerate(applications)))

    assert errors == []
    assert outcomes.count("selected") == 3
    assert outcomes.count("quota") == len(applications) - 3
    selected = Application.objects.filter(call=open_call, status=S.SELECTED)
    assert selected.count() == 3
    assert selected.filter(ministry=ministry_a).count() <= 2
    assert selected.filter(ministry=ministry_b).count() <= 2
    connection.close()


@pytest.mark.django_db
def test_a_selection_locks_the_call_before_counting(open_call, make_agent, programme_admin):
    application = application_submit(
        call=open_call,
        user=make_agent(OrganisationFactory(name="Ministère verrou", slug="m-verrou")),
        motivation=MOTIVATION,
    )
    close_window(open_call)
    with CaptureQueriesContext(connection) as queries:
        application_decide(application=application, decision=S.SELECTED, acting_user=programme_admin)
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if 'FROM "delegation_call"' in q)
    count = next(i for i, q in enumerate(sql) if "COUNT(" in q and "delegation_application" in q)
    assert lock < count, "the call is read (and locked) before the seats are counted"
    if connection.vendor == "postgresql":
        assert sql[lock].rstrip().endswith("FOR UPDATE")
