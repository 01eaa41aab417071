from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essaim.accounts.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _bearer(user):
    _token, secret = api_token_create(user=user, name="outil", acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_register_through_the_api_booked_then_waitlisted_with_position(client, session):
    first, second, third = (UserFactory() for _ in range(3))
    assert client.post(f"/api/v1/sessions/{session.pk}/registrations", **_bearer(first)).json()["status"] == "booked"
    client.post(f"/api/v1/sessions/{session.pk}/registrations", **_bearer(second))
    response = client.post(f"/api/v1/sessions/{session.pk}/registrations", **_bearer(third))
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted" and response.json()["waiting_list_position"] == 1
    detail = client.get(f"/api/v1/sessions/{session.pk}").json()
    assert detail["seats_left"] == 0 and detail["waiting_list_length"] == 1


def test_api_refusals_are_clear_and_change_nothing(client, session):
    agent, other = UserFactory(), UserFactory()
    headers = _bearer(agent)
    registration_id = client.post(f"/api/v1/sessions/{session.pk}/registrations", **headers).json()["id"]
    again = client.post(f"/api/v1/sessions/{session.pk}/registrations", **headers)
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert client.post("/api/v1/sessions/999999/registrations", **headers).status_code == 404
    assert client.post(f"/api/v1/sessions/{session.pk}/registrations").status_code == 401
    # Another person's registration: 404, nothing revealed, nothing cancelled.
    assert client.delete(f"/api/v1/registrations/{registration_id}", **_bearer(other)).status_code == 404
    mine = client.get("/api/v1/me/registrations", **headers).json()
    assert [r["status"] for r in mine] == ["booked"]
    assert client.delete(f"/api/v1/registrations/{registration_id}", **headers).json()["status"] == "cancelled"


def test_course_and_session_lists(client, session, django_assert_max_num_queries):
    assert [c["code"] for c in client.get("/api/v1/courses").json()] == [session.course.code]
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/sessions", {"course": session.course.code}).json()
    assert body["count"] == 1 and body["items"][0]["seats_left"] == 2


def test_a_sign_up_costs_the_same_few_queries_however_full_the_session(client, session):
    """The hot path of a burst: token, session, a previous validation, eligibility,
    overlap, lock, census, two inserts, the audit entry, the confirmation's outbox row — and
    no more when hundreds are already registered."""
    session.capacity = 3
    session.save(update_fields=["capacity"])
    headers = [_bearer(UserFactory()) for _ in range(12)]
    counts = []
    for header in headers:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"/api/v1/sessions/{session.pk}/registrations", **header)
        assert response.status_code == 201
        counts.append(len([q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]))
    statuses = [r["status"] for r in client.get("/api/v1/me/registrations", **headers[-1]).json()]
    assert statuses == ["waitlisted"]
    # The first request also loads the content type of the audit entry (cached afterwards).
    assert counts[1:] == [12] * 11, counts


def test_registering_again_for_a_validated_course_needs_confirm_through_the_api(
    client, session, intro_course, ministry, framework
):
    from django.utils import timezone

    from essaim.training.models import Completion, Registration
    from tests.training.conftest import make_session

    agent = UserFactory()
    done = make_session(intro_course, ministry, days_ahead=2)
    Completion.objects.create(
        user=agent,
        course=intro_course,
        session=done,
        framework=framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    headers = _bearer(agent)
    refused = client.post(f"/api/v1/sessions/{session.pk}/registrations", **headers)
    assert refused.status_code == 409 and refused.json()["code"] == "already_validated"
    assert not Registration.objects.filter(session=session, user=agent).exists()
    confirmed = client.post(f"/api/v1/sessions/{session.pk}/registrations?confirm=true", **headers)
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "booked"
