"""A lab coordinator records a pilot's workshop as held, and the facilitator finds it in
their practice log — in Chromium, with axe on the lab page and the pilot page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from essaim.network import pilots
from essaim.organisations.models import Region
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Transactional tests run before these may have flushed the regions the migration loaded."""
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)


def test_a_coordinator_records_a_workshop_and_the_facilitator_logs_it(page, console, agent, lab, lab_coordinator):
    facilitator = UserFactory(email="animatrice@exemple.gouv.fr", given_name="Awa", usual_name="Diallo")
    pilot = pilots.pilot_propose(
        lab=lab,
        proposer=agent,
        title="Accueil sans rendez-vous",
        problem="Les usagers attendent.",
        solution="Orienter dès l’entrée.",
    )
    pilots.pilot_decide(pilot=pilot, acting_user=lab_coordinator, accept=True, reason="")
    pilots.pilot_member_add(pilot=pilot, acting_user=lab_coordinator, email=facilitator.email, role="animation")

    login_with_password(page, lab_coordinator.email)
    _assert_accessible(page, console, f"/reseau/labs/{lab.slug}/")
    expect(page.get_by_role("link", name="Accueil sans rendez-vous")).to_be_visible()
    _assert_accessible(page, console, f"/reseau/labs/{lab.slug}/pilotes/")
    _assert_accessible(page, console, f"/reseau/labs/{lab.slug}/pilotes/{pilot.pk}/")
    page.get_by_label("Intitulé de l’atelier").fill("Atelier des usagers")
    page.get_by_label("Date de l’atelier").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.locator("#id_workshop-method").fill("World café")
    page.get_by_label("Nombre de participants").fill("18")
    page.locator("label", has_text=facilitator.full_name).click()
    page.get_by_role("button", name="Ajouter l’atelier").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Atelier ajouté")
    page.get_by_role("button", name="Marquer comme tenu").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("journal de pratique")
    _assert_accessible(page, console, page.url)

    page.context.clear_cookies()
    login_with_password(page, facilitator.email)
    page.goto("/pratique/")
    row = page.get_by_role("table", name="Ateliers animés").get_by_role("row", name=re.compile("Atelier des usagers"))
    expect(row).to_contain_text("World café")
    expect(row).to_contain_text("18")

    page.context.clear_cookies()
    login_with_password(page, agent.email)
    _assert_accessible(page, console, "/reseau/pilotes/mes-propositions/")
    _assert_accessible(page, console, f"/reseau/labs/{lab.slug}/pilotes/proposer/")
