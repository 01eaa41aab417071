"""Issue 17 in Chromium: an organiser schedules a draft, gives it two half-days a week apart,
assigns a trainer and publishes it without the admin; an agent registers from the course
page in one click; the organiser moves a half-day and the agent's calendar update arrives
(same UIDs, a higher SEQUENCE, the new time). Screenshots at 1280 px and 375 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.training.models import Registration, Session
from tests.browser.test_browser import _assert_accessible, login_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
SHOTS = "/tmp/essaim-h17"


def _weekday(days_ahead: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.weekday() != 1:  # a Tuesday
        day += dt.timedelta(days=1)
    return day


def _shoot(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}-{name}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=f"{SHOTS}-{name}-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _fill_half_day(page, index: int, day: dt.date, start: str, end: str) -> None:
    page.locator(f"#id_slots-{index}-day").fill(day.isoformat())
    page.locator(f"#id_slots-{index}-start").fill(start)
    page.locator(f"#id_slots-{index}-end").fill(end)


@pytest.fixture
def codev():
    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    return Course.objects.create(
        code="codev",
        title="Co-développement professionnel",
        summary="Une demi-journée par semaine.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        format=Course.Format.REMOTE,  # the course's usual format; this session meets at an address
        position=1,
    )


def _ics(message) -> str:
    content = next(content for name, content, _mime in message.attachments if name.endswith(".ics"))
    return content.decode() if isinstance(content, bytes) else content


def test_organiser_runs_a_session_from_draft_to_calendar_update(
    page, console, organiser, trainer, agent, codev, ministry
):
    first, second, moved = _weekday(20), _weekday(27), _weekday(34)
    login_with_password(page, organiser.email)
    page.goto("/sessions/programmer/")
    page.locator("#id_course").select_option(label=codev.title)
    page.locator("#id_organiser").select_option(label=ministry.name)
    page.locator("#id_first_day").fill(first.isoformat())
    page.locator("#id_capacity").fill("6")
    page.locator("#id_address").fill("Place Beauvau, 75008 Paris")
    page.get_by_role("button", name="Programmer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("brouillon")
    session = Session.objects.get()
    assert session.status == Session.Status.DRAFT and session.format == "in_person"
    expect(page.get_by_role("heading", name=re.compile("Brouillon"))).to_be_visible()
    _shoot(page, "draft-detail")

    page.get_by_role("link", name="Modifier le calendrier").click()
    page.wait_for_url(f"**/pilotage/sessions/{session.pk}/calendrier/")
    _assert_accessible(page, console, f"/pilotage/sessions/{session.pk}/calendrier/")
    _fill_half_day(page, 0, first, "09:00", "12:30")
    _fill_half_day(page, 1, second, "14:00", "17:30")
    _shoot(page, "timetable")
    page.get_by_role("button", name="Enregistrer le calendrier").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Le calendrier est modifié")
    slots = page.locator("#session-slots li")
    expect(slots).to_have_count(2)
    expect(slots.nth(1)).to_contain_text("14\u00a0h –\u00a017\u00a0h\u00a030")

    page.get_by_role("link", name="Formateurs").click()
    page.locator("label", has_text=str(trainer)).click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("formateurs de la session sont enregistrés")

    page.get_by_role("button", name="Publier la session").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("La session est publiée")
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED and list(session.trainers.all()) == [trainer]
    _shoot(page, "published-detail")

    # The agent: from the course page, one click.
    page.context.clear_cookies()
    login_with_password(page, agent.email)
    _assert_accessible(page, console, f"/formations/{codev.code}/")
    expect(page.get_by_text("Vous remplissez les prérequis")).to_be_visible()
    _shoot(page, "course-page")
    table = page.get_by_role("table", name="Prochaines sessions de cette formation")
    expect(table).to_contain_text("Place Beauvau")
    table.get_by_role("button", name="M’inscrire").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Vous êtes inscrit")
    assert Registration.objects.get(session=session, user=agent).status == Registration.Status.BOOKED
    expect(page.get_by_text("En présentiel")).to_be_visible()
    booked = [m for m in mail.outbox if m.to == [agent.email]]
    assert len(booked) == 2  # one invitation per half-day (ADR 0055)
    uids = [uid for m in booked for uid in re.findall(r"UID:(.+)\r\n", _ics(m))]
    booked_sequence = int(re.search(r"SEQUENCE:(\d+)", _ics(booked[0])).group(1))
    _assert_accessible(page, console, "/sessions/mes-inscriptions/")
    expect(page.get_by_role("table", name="Mes sessions à venir")).to_contain_text("14\u00a0h –\u00a017\u00a0h\u00a030")
    _shoot(page, "my-registrations")

    # The organiser moves the second half-day a week later, in the morning.
    page.context.clear_cookies()
    login_with_password(page, organiser.email)
    page.goto(f"/pilotage/sessions/{session.pk}/calendrier/")
    _fill_half_day(page, 1, moved, "09:30", "12:00")
    page.get_by_role("button", name="Enregistrer et prévenir les inscrits").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("reçoivent l’invitation mise à jour")
    update = [m for m in mail.outbox if m.to == [agent.email] and "modifiée" in m.subject]
    assert len(update) == 2
    assert [uid for m in update for uid in re.findall(r"UID:(.+)\r\n", _ics(m))] == uids  # the same two events
    ics = _ics(update[1])  # the moved half-day
    assert f"SEQUENCE:{booked_sequence + 1}" in ics
    paris = timezone.get_current_timezone()
    new_start = dt.datetime.combine(moved, dt.time(9, 30), paris).astimezone(dt.UTC)
    assert f"DTSTART:{new_start:%Y%m%dT%H%M%SZ}" in ics

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
