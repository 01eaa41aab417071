"""A signed-in agent registers to an event, sees it among their registrations and cancels;
the partner and event pages pass axe-core, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.framework.models import FrameworkVersion
from essaim.training.models import Registration
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.events.conftest import make_event
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event(ministry):
    FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    partner = OrganisationFactory(
        name="Démocratie Test", slug="democratie-test", kind="partner", description="Une association de test."
    )
    return make_event(ministry, title="Webinaire : préparer une convention citoyenne", capacity=5, partners=[partner])


def test_an_agent_registers_to_an_event_sees_it_and_cancels(page, console, agent, event):
    for path in ("/partenaires/", "/partenaires/democratie-test/", "/evenements/", f"/evenements/{event.slug}/"):
        _assert_accessible(page, console, path)
    login_with_password(page, agent.email)

    page.goto("/evenements/")
    page.get_by_role("link", name="Webinaire : préparer une convention citoyenne").click()
    page.wait_for_url(f"**/evenements/{event.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinaire : préparer une convention citoyenne")
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Vous êtes inscrit")
    expect(page.get_by_text("Inscrit", exact=True)).to_be_visible()
    _assert_accessible(page, console, f"/evenements/{event.slug}/")
    page.screenshot(path="/tmp/essaim-event-detail.png", full_page=True)

    page.goto("/sessions/mes-inscriptions/")
    row = page.get_by_role("table", name="Mes sessions à venir").get_by_role(
        "row", name=re.compile("Webinaire : préparer une convention citoyenne")
    )
    expect(row).to_contain_text("Inscrit")

    page.goto(f"/evenements/{event.slug}/")
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.get_by_role("dialog").get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_url(f"**/evenements/{event.slug}/")
    expect(page.locator(".fr-alert--success")).to_contain_text("est annulée")
    assert Registration.objects.get(session=event.session, user=agent).status == Registration.Status.CANCELLED

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
