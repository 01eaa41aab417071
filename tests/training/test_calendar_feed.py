"""« Ajouter à mon agenda » and the personal feed, read by `ical` (PyPI) and ical.js (npm)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from essaim.core.models import AuditEntry
from essaim.training.models import Registration
from essaim.training.services import registration_cancel, registration_create
from essaim.training.sessions import session_cancel, session_change_venue
from tests.calendar_tools import invitations, parse_with_ical, parse_with_icaljs
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _both(text: str) -> dict:
    (js,) = parse_with_icaljs([text])
    py = parse_with_ical(text)
    assert js["method"] is None and py["method"] is None  # a plain calendar, not an iTIP message
    assert [e["uid"] for e in js["events"]] == [e["uid"] for e in py["events"]]
    return js


def test_a_booked_person_downloads_the_same_events_their_invitations_carry(
    client, intro_course, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=1)
    alice, bob = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=alice, acting_user=alice)
        registration_create(session=session, agent=bob, acting_user=bob)  # waitlisted
    invited = [re.search(r"UID:(\S+)", m.calendar)[1] for m in invitations(mailoutbox) if m.calendar]
    url = reverse("training:calendar", args=[session.pk])

    client.force_login(alice)
    detail = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert url in detail and "Ajouter à mon agenda" in detail
    mine = client.get(reverse("training:mine")).content.decode()
    assert url in mine
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = _both(response.content.decode())
    assert [e["uid"] for e in calendar["events"]] == invited  # importing it updates, never duplicates
    assert {e["status"] for e in calendar["events"]} == {"CONFIRMED"}

    # Someone without a seat, and a session that does not exist: the same 404.
    client.force_login(bob)
    assert url not in client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert client.get(url).status_code == 404
    assert client.get(reverse("training:calendar", args=[session.pk + 999])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_feed_follows_every_change_and_dies_when_revoked(
    client, intro_course, ministry, programme_admin, django_capture_on_commit_callbacks, django_assert_num_queries
):
    first = make_session(intro_course, ministry, capacity=3, days_ahead=30)
    second = make_session(intro_course, ministry, capacity=3, days_ahead=60)
    alice = UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        first_reg = registration_create(session=first, agent=alice, acting_user=alice)
        registration_create(session=second, agent=alice, acting_user=alice)

    client.force_login(alice)
    page = client.post(reverse("training:calendar-feed-manage"), {"action": "rotate"}).content.decode()
    feed_url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page)[1]
    assert "/sessions/agenda/" in feed_url
    assert feed_url not in client.get(reverse("training:mine")).content.decode()  # shown once only
    client.logout()  # calendar apps have no session cookie

    def feed() -> dict:
        response = client.get(feed_url)
        assert response.status_code == 200
        return _both(response.content.decode())

    events = feed()["events"]
    assert len(events) == 4  # two sessions, two half-days each
    with django_assert_num_queries(3):  # the feed and its owner, the registrations, their half-days
        client.get(feed_url)

    with django_capture_on_commit_callbacks(execute=True):
        session_change_venue(session=first, acting_user=programme_admin, address="20 avenue de Ségur, Paris")
    moved = feed()["events"]
    assert [e["uid"] for e in moved] == [e["uid"] for e in events]
    assert [e["location"] for e in moved[:2]] == ["20 avenue de Ségur, Paris"] * 2
    assert all(after["sequence"] > before["sequence"] for before, after in zip(events[:2], moved[:2], strict=True))

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=second, acting_user=programme_admin, reason="Salle indisponible")
    cancelled = feed()["events"]
    assert [e["status"] for e in cancelled] == ["CONFIRMED", "CONFIRMED", "CANCELLED", "CANCELLED"]
    assert cancelled[2]["comment"] == "Salle indisponible"

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first_reg, acting_user=alice)
    assert Registration.objects.get(pk=first_reg.pk).status == Registration.Status.CANCELLED
    assert [e["uid"] for e in feed()["events"]] == [e["uid"] for e in cancelled[2:]]

    # A new address kills the old one; revoking kills the new one.
    client.force_login(alice)
    page = client.post(reverse("training:calendar-feed-manage"), {"action": "rotate"}).content.decode()
    new_url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page)[1]
    client.logout()
    assert client.get(feed_url).status_code == 404
    assert client.get(new_url).status_code == 200
    client.force_login(alice)
    client.post(reverse("training:calendar-feed-manage"), {"action": "revoke"})
    client.logout()
    assert client.get(new_url).status_code == 404
    assert client.get(reverse("training:calendar-feed", args=["x" * 43])).status_code == 404
    assert list(
        AuditEntry.objects.filter(action__startswith="training.calendar_feed")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["training.calendar_feed.rotate", "training.calendar_feed.rotate", "training.calendar_feed.revoke"]
