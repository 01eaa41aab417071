"""Issue 17 pages as each role sees them, in Chromium at 1280 px and 375 px, checked by
axe-core: requests awaiting approval (bulk approval, the over-capacity warning), the
practice log's correct/delete, the waiting-list confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.practice.services import practice_entry_create
from essaim.training.models import Registration
from essaim.training.services import registration_create
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/essaim-h17"


@pytest.fixture
def intro_course():
    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    return Course.objects.create(
        code="facilitation-fondamentaux",
        title="Facilitation : les fondamentaux",
        summary="Deux demi-journées.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
    )


def _both(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=f"{SHOTS}-{name}-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_organiser_approves_in_bulk_and_is_warned_before_the_waiting_list(
    page,
    console,
    organiser,
    intro_course,
    ministry,
):
    session = make_session(intro_course, ministry, capacity=2, approval_mode="organiser")
    people = [UserFactory(given_name=name, usual_name="Durand") for name in ("Alix", "Basile", "Chloé")]
    for person in people:
        registration_create(session=session, agent=person, acting_user=person)
    login_with_password(page, organiser.email)
    _assert_accessible(page, console, f"/pilotage/sessions/{session.pk}/")
    for person in people[:2]:
        # Tap the label, as a person does: DSFR draws the box over the real input.
        registration = Registration.objects.get(user=person)
        page.locator(f"label[for=bulk-{registration.pk}]").click()
        expect(page.get_by_label(f"Sélectionner {person.get_full_name()}")).to_be_checked()
    _both(page, "requests")
    page.get_by_role("button", name="Accepter la sélection").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("2 demandes acceptées")
    # Full now: accepting Chloé asks first.
    page.get_by_role("button", name="Accepter (liste d’attente) — Chloé Durand").click()
    dialog = page.get_by_role("dialog", name="La session est complète")
    expect(dialog).to_contain_text("en position 1")
    page.screenshot(path=f"{SHOTS}-approve-modal-1280.png")
    dialog.get_by_role("button", name="Accepter en liste d’attente").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("En liste d’attente")
    assert Registration.objects.get(user=people[2]).status == Registration.Status.WAITLISTED
    console.assert_no_csp_violation()


def test_agent_corrects_and_deletes_a_workshop(page, console, agent):
    entry = practice_entry_create(
        user=agent,
        acting_user=agent,
        date=timezone.localdate() - dt.timedelta(days=4),
        title="Forum ouvert du service",
        method="Forum ouvert",
        participants=100,
    )
    login_with_password(page, agent.email)
    _assert_accessible(page, console, "/pratique/")
    _both(page, "practice")
    page.get_by_role("link", name="Corriger — Forum ouvert du service").click()
    page.get_by_label("Nombre de participants").fill("100000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-error-text, .fr-message--error").first).to_be_visible()
    page.get_by_label("Nombre de participants").fill("24")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("L’atelier est corrigé")
    entry.refresh_from_db()
    assert entry.participants == 24
    page.get_by_role("button", name="Supprimer « Forum ouvert du service »").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer l’atelier").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("supprimé")
    console.assert_no_csp_violation()
