"""« Ajouter à mon agenda » and the personal feed, as a booked agent sees them, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from essaim.training.services import registration_create
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.browser.test_training_browser import _course
from tests.calendar_tools import parse_with_ical
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots"


def test_a_booked_agent_adds_a_session_to_their_calendar_and_subscribes(page, console, agent, ministry):
    from django.utils import timezone

    from essaim.framework.models import FrameworkVersion

    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    course = _course(framework, "facilitation", "Facilitation : les fondamentaux")
    session = make_session(course, ministry, capacity=5)
    registration_create(session=session, agent=agent, acting_user=agent)
    login_with_password(page, agent.email)

    _assert_accessible(page, console, f"/sessions/{session.pk}/")
    link = page.get_by_role("link", name="Ajouter à mon agenda")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    calendar = parse_with_ical(Path(download.value.path()).read_text(encoding="utf-8"))
    assert len(calendar["events"]) == 2
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/calendar-session-{width}.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_accessible(page, console, "/sessions/mes-inscriptions/")
    expect(page.get_by_role("link", name=f"Ajouter à mon agenda — {session.title}")).to_be_visible()
    page.get_by_role("button", name="Créer mon adresse d’abonnement").click()
    feed_url = page.get_by_label("Adresse de votre agenda").input_value()
    assert "/sessions/agenda/" in feed_url
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/calendar-mine-{width}.png", full_page=True)
    response = page.request.get(feed_url)
    assert response.status == 200 and len(parse_with_ical(response.text())["events"]) == 2
    page.get_by_role("button", name="Révoquer mon adresse").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("révoquée")
    assert page.request.get(feed_url).status == 404


def test_a_booked_agent_adds_an_event_to_their_calendar(page, console, agent, ministry):
    from django.utils import timezone

    from essaim.framework.models import FrameworkVersion
    from tests.events.conftest import make_event

    FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    event = make_event(ministry, title="Webinaire : préparer une convention citoyenne", capacity=5)
    registration_create(session=event.session, agent=agent, acting_user=agent)
    login_with_password(page, agent.email)
    _assert_accessible(page, console, f"/evenements/{event.slug}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda").click()
    calendar = parse_with_ical(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [e["summary"] for e in calendar["events"]] == ["Webinaire : préparer une convention citoyenne"]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/calendar-event-{width}.png", full_page=True)
