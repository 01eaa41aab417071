"""An agent finds a session, registers, joins a waiting list and cancels, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.training.models import Registration
from essaim.training.services import registration_create
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _course(framework: FrameworkVersion, code: str, title: str) -> Course:
    return Course.objects.create(
        code=code,
        title=title,
        summary=f"{title} : le résumé.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
    )


@pytest.fixture
def sessions(ministry):
    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    intro = make_session(_course(framework, "facilitation", "Facilitation : les fondamentaux"), ministry, capacity=5)
    full = make_session(
        _course(framework, "intelligence-collective", "Intelligence collective"), ministry, capacity=1, days_ahead=45
    )
    someone = UserFactory()
    registration_create(session=full, agent=someone, acting_user=someone)
    return intro, full


def test_an_agent_registers_joins_a_waiting_list_and_cancels(page, console, agent, sessions):
    intro, full = sessions
    login_with_password(page, agent.email)

    _assert_accessible(page, console, "/sessions/")
    table = page.get_by_role("table", name="Sessions à venir")
    expect(table.get_by_role("row", name=re.compile("Intelligence collective"))).to_contain_text(
        "Complet — liste d’attente : 0"
    )
    page.screenshot(path="/tmp/essaim-sessions.png", full_page=True)
    table.get_by_role("link", name="Facilitation : les fondamentaux").click()
    page.wait_for_url(f"**/sessions/{intro.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Facilitation : les fondamentaux")
    _assert_accessible(page, console, f"/sessions/{intro.pk}/")
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Vous êtes inscrit")
    expect(page.get_by_text("Inscrit", exact=True)).to_be_visible()

    page.goto(f"/sessions/{full.pk}/")
    page.get_by_role("button", name="Rejoindre la liste d’attente").click()
    expect(page.locator(".fr-alert--success")).to_contain_text(
        "Session complète : vous êtes n° 1 sur la liste d’attente."
    )
    expect(page.get_by_text("Vous êtes n° 1 sur la liste d’attente.", exact=True)).to_be_visible()
    _assert_accessible(page, console, f"/sessions/{full.pk}/")
    page.screenshot(path="/tmp/essaim-session-detail.png", full_page=True)

    _assert_accessible(page, console, "/sessions/mes-inscriptions/")
    upcoming = page.get_by_role("table", name="Mes sessions à venir")
    row = upcoming.get_by_role("row", name=re.compile("Intelligence collective"))
    expect(row).to_contain_text("En liste d’attente")
    row.get_by_role("button", name="Quitter la liste d’attente").click()
    dialog = page.get_by_role("dialog", name="Quitter la liste d’attente ?")
    expect(dialog).to_contain_text("Vous perdez votre position (n° 1)")
    dialog.get_by_role("button", name="Quitter la liste").click()
    page.wait_for_url("**/sessions/mes-inscriptions/")
    expect(page.locator(".fr-alert--success")).to_contain_text(
        "Votre inscription à « Intelligence collective » est annulée."
    )
    assert Registration.objects.get(session=full, user=agent).status == Registration.Status.CANCELLED
    assert Registration.objects.get(session=intro, user=agent).status == Registration.Status.BOOKED
    page.screenshot(path="/tmp/essaim-my-registrations.png", full_page=True)

    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
