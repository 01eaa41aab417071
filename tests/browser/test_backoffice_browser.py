"""The sessions back office in Chromium: a trainer takes attendance on a phone and closes the
session, the agent then finds the course validated on their path; an organiser handles
requests. axe-core checks the attendance sheet and the session's back-office page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from essaim.catalogue.models import Course, Prerequisite
from essaim.framework.models import FrameworkVersion
from essaim.training.models import Completion, Registration, Session
from essaim.training.services import registration_create
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def courses():
    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    intro = Course.objects.create(
        code="bo-fondamentaux",
        title="Facilitation : les fondamentaux",
        summary="Les bases.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
        position=1,
    )
    advanced = Course.objects.create(
        code="bo-approfondissement",
        title="Facilitation : approfondissement",
        summary="Pour aller plus loin.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        position=2,
    )
    Prerequisite.objects.create(course=advanced, required_course=intro)
    return intro, advanced


@pytest.fixture
def past_session(courses, ministry, agent, trainer):
    """A session of the introduction whose two half-days are over: the agent and a colleague
    are booked, `trainer` leads it (as tests/training/test_attendance.py builds it)."""
    intro, _advanced = courses
    session = make_session(intro, ministry, capacity=4)
    colleague = UserFactory(given_name="Camille", usual_name="Martin")
    for person in (agent, colleague):
        registration_create(session=session, agent=person, acting_user=person)
    session.trainers.add(trainer)
    shift = dt.timedelta(days=31)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save()
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()
    return session, colleague


def _mark(section, person: str, status: str) -> None:
    """Tap the label, as a person does: DSFR draws the radio over the real input."""
    group = section.get_by_role("group", name=person)
    group.locator("label").get_by_text(status, exact=True).click()
    expect(group.get_by_role("radio", name=status, exact=True)).to_be_checked()


def test_a_trainer_takes_attendance_and_the_agent_sees_the_course_validated(
    page, console, trainer, agent, past_session, courses
):
    session, colleague = past_session
    intro, advanced = courses
    morning, afternoon = session.slots.all()
    attendance_path = f"/pilotage/sessions/{session.pk}/presence/"
    login_with_password(page, trainer.email)
    page.set_viewport_size(PHONE)

    _assert_accessible(page, console, attendance_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Feuille de présence")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
    page.screenshot(path="/tmp/essaim-attendance.png", full_page=True)

    for slot, colleague_status in ((morning, "Absence excusée"), (afternoon, "En retard")):
        section = page.locator(f"#slot-{slot.pk}")
        _mark(section, agent.get_full_name(), "Présent")
        _mark(section, colleague.get_full_name(), colleague_status)
        section.get_by_role("button", name=re.compile("^Enregistrer la présence")).click()
        expect(page.locator(".fr-alert--success")).to_contain_text("Présence enregistrée pour 2 personnes")
        # The page comes back with what was recorded.
        expect(
            page.locator(f"#slot-{slot.pk}")
            .get_by_role("group", name=agent.get_full_name())
            .get_by_role("radio", name="Présent", exact=True)
        ).to_be_checked()

    page.get_by_role("button", name="Clôturer la session").click()
    dialog = page.get_by_role("dialog", name="Clôturer la session et délivrer les attestations ?")
    expect(dialog).to_contain_text("La présence ne pourra plus être modifiée.")
    page.screenshot(path="/tmp/essaim-h17-close-modal.png")
    assert Completion.objects.count() == 0  # nothing happens before the confirmation
    dialog.get_by_role("button", name="Clôturer et délivrer les attestations").click()
    expect(page.locator(".fr-alert--success").first).to_contain_text("Session clôturée : 1 formation validée.")
    expect(page.get_by_role("button", name="Clôturer la session")).to_have_count(0)
    _assert_accessible(page, console, attendance_path)
    assert Completion.objects.get().user == agent
    assert Registration.objects.get(session=session, user=colleague).status == Registration.Status.PARTIALLY_ATTENDED

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_with_password(page, agent.email)
    page.goto("/formations/")
    steps = page.locator("ol.essaim-path > li")
    done = steps.filter(has=page.get_by_role("heading", name=intro.title))
    completed_on = timezone.localtime(Completion.objects.get().completed_at).date()
    assert completed_on == timezone.localtime(session.ends_at).date()  # dated by the last half-day
    expect(done).to_contain_text(f"Validée le {completed_on:%d/%m/%Y}")
    expect(steps.filter(has=page.get_by_role("heading", name=advanced.title))).to_contain_text("Accessible")
    page.screenshot(path="/tmp/essaim-path-validated.png", full_page=True)

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_an_organiser_handles_requests_on_an_accessible_page(page, console, organiser, courses, ministry):
    intro, _advanced = courses
    session = make_session(intro, ministry, capacity=1, days_ahead=20, approval_mode=Session.ApprovalMode.ORGANISER)
    later = make_session(intro, ministry, capacity=5, days_ahead=50)
    requests = [UserFactory(given_name=name, usual_name="Durand") for name in ("Alix", "Bao", "Chris")]
    for person in requests:
        registration_create(session=session, agent=person, acting_user=person)
    detail_path = f"/pilotage/sessions/{session.pk}/"
    login_with_password(page, organiser.email)

    _assert_accessible(page, console, "/pilotage/sessions/")
    day = date_format(timezone.localtime(session.starts_at), "j F Y")
    rows = page.get_by_role("table", name="Sessions à piloter").get_by_role("row")
    rows.filter(has_text=day).get_by_role("link", name=intro.title, exact=True).click()
    page.wait_for_url(f"**{detail_path}")
    _assert_accessible(page, console, detail_path)

    page.get_by_role("button", name="Accepter — Alix Durand").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Alix Durand : demande acceptée, Inscrit.")

    bao = page.locator("tr", has_text="Bao Durand")
    bao.get_by_text("Autres actions").click()
    bao.get_by_label("Motif du refus").fill("Session réservée à l’équipe projet")
    bao.get_by_role("button", name="Refuser la demande").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Bao Durand : demande refusée.")

    chris = page.locator("tr", has_text="Chris Durand")
    chris.get_by_text("Autres actions").click()
    chris.get_by_label("Transférer vers la session").select_option(str(later.pk))
    chris.get_by_role("button", name="Transférer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Chris Durand est transféré")
    _assert_accessible(page, console, detail_path)
    page.screenshot(path="/tmp/essaim-backoffice-detail.png", full_page=True)

    statuses = dict(Registration.objects.filter(session=session).values_list("user__given_name", "status"))
    assert statuses == {"Alix": "booked", "Bao": "declined", "Chris": "moved"}
    assert Registration.objects.get(session=later).user.given_name == "Chris"

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_a_trainer_shows_the_qr_code_and_an_agent_checks_in_from_a_phone(
    page, console, trainer, agent, courses, ministry
):
    """The half-day is on: the trainer's code page (refreshed by htmx) carries a QR code and
    its link; the agent opens that link on a phone and confirms."""
    intro, _advanced = courses
    session = make_session(intro, ministry, capacity=4, days_ahead=2)
    registration_create(session=session, agent=agent, acting_user=agent)
    session.trainers.add(trainer)
    morning = session.slots.order_by("starts_at").first()
    start = timezone.now() - dt.timedelta(minutes=5)
    afternoon = session.slots.order_by("starts_at").last()
    afternoon.starts_at, afternoon.ends_at = start + dt.timedelta(hours=4), start + dt.timedelta(hours=7)
    afternoon.save()
    morning.starts_at, morning.ends_at = start, start + dt.timedelta(hours=3)
    morning.save()

    login_with_password(page, trainer.email)
    page.goto(f"/pilotage/sessions/{session.pk}/presence/")
    page.get_by_role("link", name=re.compile("^Afficher le QR code de pointage")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pointage par QR code")
    _assert_accessible(page, console, page.url)
    expect(page.get_by_role("img", name="QR code de pointage")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"0 personnes? (a|ont) pointé"))
    link = page.locator("#checkin-code a").get_attribute("href")
    assert link and "/sessions/pointage/" in link

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login_with_password(page, agent.email)
    page.goto(link)
    _assert_accessible(page, console, link)
    page.get_by_role("button", name="Je confirme ma présence").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Votre présence est enregistrée")
    registration = Registration.objects.get(session=session, user=agent)
    assert registration.attendances.get().status == "present"

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
