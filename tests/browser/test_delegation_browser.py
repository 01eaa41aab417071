"""A trained agent applies to the delegation, a programme admin selects them — in Chromium,
with axe on the public page, the application page and the selection page."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from essaim.delegation.models import Application
from essaim.organisations.models import Region
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.delegation.conftest import close_window, course, make_agent, open_call, past_session  # noqa: F401  (fixtures)
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Transactional tests run before these may have flushed the regions the migration loaded."""
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)


def test_an_agent_applies_and_a_programme_admin_selects_them(page, console, open_call, make_agent, programme_admin):  # noqa: F811
    ministry = OrganisationFactory(name="Ministère de la Participation", slug="ministere-participation")
    agent = make_agent(ministry, "53", email="candidate@exemple.gouv.fr")

    _assert_accessible(page, console, "/delegation/")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Rencontres Européennes de la Participation")
    login_with_password(page, agent.email)
    page.goto("/delegation/")
    page.get_by_role("link", name="Candidater").click()
    _assert_accessible(page, console, "/delegation/ma-candidature/")
    page.get_by_label("Votre motivation").fill(
        "J’anime des ateliers usagers et veux partager avec mon réseau ce que font les autres pays."
    )
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Votre candidature est enregistrée")
    _assert_accessible(page, console, "/delegation/ma-candidature/")
    expect(page.get_by_text("Déposée", exact=True)).to_be_visible()

    close_window(open_call)
    page.context.clear_cookies()
    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, "/pilotage/delegation/")
    _assert_accessible(page, console, f"/pilotage/delegation/{open_call.pk}/")
    _assert_accessible(page, console, f"/pilotage/delegation/{open_call.pk}/selection/")
    page.get_by_role("button", name=re.compile(f"Sélectionner : {agent.full_name}")).click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Sélectionnée")
    row = page.get_by_role("table", name="Par ministère").get_by_role(
        "row", name=re.compile("Ministère de la Participation")
    )
    expect(row).to_contain_text("100 %")
    _assert_accessible(page, console, page.url)
    assert Application.objects.get(user=agent).status == Application.Status.SELECTED
    console.assert_no_failed_resource()
