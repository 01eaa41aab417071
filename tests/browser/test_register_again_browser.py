"""Issue 17, point 6's rest in Chromium: on the session page, a person who already
validated the course is asked before registering again (DSFR modal), then registered."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from essaim.training.models import Completion, Registration
from tests.browser import test_issue17_pages_browser as issue17_pages
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.training.conftest import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/essaim-h17-figures"

intro_course = issue17_pages.intro_course  # the same published course fixture


def test_session_page_asks_before_registering_again_for_a_validated_course(
    page,
    console,
    agent,
    intro_course,
    ministry,
):
    done = make_session(intro_course, ministry, days_ahead=2)
    Completion.objects.create(
        user=agent,
        course=intro_course,
        session=done,
        framework=intro_course.framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    upcoming = make_session(intro_course, ministry, days_ahead=40)
    page.set_viewport_size({"width": 1280, "height": 900})
    login_with_password(page, agent.email)
    _assert_accessible(page, console, f"/sessions/{upcoming.pk}/")
    page.get_by_role("button", name="M’inscrire").click()
    dialog = page.get_by_role("dialog", name="Vous avez déjà validé cette formation")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Vous inscrire à nouveau prend une place")
    page.wait_for_timeout(400)  # the modal's opening transition, for the screenshot only
    page.screenshot(path=f"{SHOTS}-register-again-1280.png")
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=f"{SHOTS}-register-again-375.png")
    assert not Registration.objects.filter(session=upcoming, user=agent).exists()
    dialog.get_by_role("button", name="M’inscrire quand même").click()
    expect(page.get_by_role("button", name="Annuler mon inscription")).to_be_visible()
    assert Registration.objects.filter(session=upcoming, user=agent).exists()
