"""A service posts a facilitation request, a facilitator accepts it, and after the workshop
it appears in the facilitator's practice log — in Chromium, with axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from essaim.network.models import Invitation
from essaim.organisations.models import Region
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import OrganisationFactory
from tests.network.conftest import course, framework, member, places  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Transactional tests run before these may have flushed the regions the migration loaded."""
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)


def test_a_service_requests_a_facilitator_who_accepts_and_logs_the_workshop(page, console, agent, course, places):  # noqa: F811
    facilitator = member(
        course, email="facilitatrice@exemple.gouv.fr", departement=places["paris"], levels={"world-cafe": 3}
    )
    OrganisationFactory(name="Lab de test", slug="lab-bzh", kind="lab", region=places["bretagne"])

    login_with_password(page, agent.email)
    _assert_accessible(page, console, "/reseau/")
    expect(page.get_by_role("table", name="Personnes de l’annuaire")).to_contain_text(facilitator.full_name)
    _assert_accessible(page, console, f"/reseau/personnes/{facilitator.directory_profile.pk}/")
    _assert_accessible(page, console, "/reseau/labs/")
    _assert_accessible(page, console, "/reseau/labs/lab-bzh/")
    _assert_accessible(page, console, "/reseau/ma-fiche/")

    _assert_accessible(page, console, "/reseau/demandes/")
    page.get_by_label("Sujet de l’atelier").fill("Atelier avec les usagers")
    page.get_by_label("Date de l’atelier").fill(timezone.localdate().isoformat())
    page.get_by_label("Méthode (compétence du référentiel)").select_option("world-cafe")
    page.get_by_label("Nombre de participants").fill("25")
    page.get_by_label("Département").select_option("75")
    page.get_by_role("button", name="Chercher des personnes").click()
    page.wait_for_url(re.compile(r"/reseau/demandes/\d+/$"))
    expect(page.get_by_text("Même département : +20")).to_be_visible()
    _assert_accessible(page, console, page.url)
    page.locator(f"label[for=candidate-{facilitator.pk}]").click()  # DSFR draws the box on the label
    expect(page.get_by_label(re.compile(facilitator.full_name))).to_be_checked()
    page.get_by_role("button", name="Inviter").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Invitations envoyées")

    page.context.clear_cookies()
    login_with_password(page, facilitator.email)
    _assert_accessible(page, console, "/reseau/invitations/")
    page.get_by_role("button", name="Accepter").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Invitation acceptée")
    _assert_accessible(page, console, "/reseau/invitations/")
    page.get_by_label("Nombre de participants").fill("22")
    page.get_by_role("button", name="Marquer comme animé").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("journal de pratique")
    assert Invitation.objects.get().status == Invitation.Status.DONE

    page.goto("/pratique/")
    row = page.get_by_role("table", name="Ateliers animés").get_by_role(
        "row", name=re.compile("Atelier avec les usagers")
    )
    expect(row).to_contain_text("Animer un world café")
    expect(row).to_contain_text("22")


def test_skill_gaps_page_is_accessible(page, console, programme_admin, course, places):  # noqa: F811
    member(course, email="bzh@exemple.gouv.fr", departement=places["finistere"])
    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, "/reseau/lacunes/")
    expect(
        page.get_by_role("table", name="Par région").get_by_role("row", name=re.compile("Bretagne"))
    ).to_contain_text("1")
