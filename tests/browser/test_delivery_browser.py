"""An organiser writes to a session's registrants and sees, in Chromium, which e-mails were
delivered and which one was refused and why (a real SMTP server, aiosmtpd); axe-core checks
the page at desktop and phone widths."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from essaim.training.services import registration_create
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ESSAIM_SCREENSHOTS", "")  # a folder: save what the test sees, to look at


@pytest.fixture
def intro_course():
    from tests.training.conftest import framework, intro_course

    return intro_course.__wrapped__(framework.__wrapped__(None))


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("role", ["organiser", "programme_admin"])
def test_the_message_page_shows_what_was_delivered_and_what_was_refused(
    page, console, intro_course, ministry, smtp_server, request, role
):
    session = make_session(intro_course, ministry, capacity=1)
    delivered = UserFactory(email="recoit@exemple.gouv.fr", organisation=ministry)
    refused = UserFactory(email="inconnu@exemple.gouv.fr", organisation=ministry)
    for person in (delivered, refused):
        registration_create(session=session, agent=person, acting_user=person)
    smtp_server.unknown = {refused.email}
    user = request.getfixturevalue(role)
    login_with_password(page, user.email)
    path = f"/pilotage/sessions/{session.pk}/message/"
    page.goto(path)
    page.locator("#id_message-audience").select_option("active")
    page.locator("#id_message-subject").fill("Salle 4")
    page.locator("#id_message-body").fill("Rendez-vous salle 4, deuxième étage.")
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state("load")
    expect(page.locator(".fr-alert, .fr-notice, [role=status], .fr-messages-group").first).to_contain_text(
        "Message enregistré"
    )
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("1 remis")
    expect(row).to_contain_text("1 échec")
    expect(row).to_contain_text(f"Non remis à {refused.get_full_name()}")
    expect(row).to_contain_text("adresse refusée par le serveur de messagerie")
    _shot(page, f"message-delivery-{role}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    _shot(page, f"message-delivery-{role}-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    _assert_accessible(page, console, path)
