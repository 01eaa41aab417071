"""What a person sees when the security checks of issue 14 refuse something, in a real
Chromium at 1280 px and 375 px (screenshots in var/screenshots/h14-*.png): a hostile
document refused on the contribution page and the password form of an account under
attack."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from essaim.library.models import Resource
from tests.browser.test_browser import login_with_password
from tests.security.hostile_corpus import HOSTILE_MORE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"h14-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_hostile_docx_is_refused_with_its_reason(page, console, partner):
    login_with_password(page, partner.email)
    page.goto("/ressources/proposer/")
    page.get_by_label("Titre", exact=True).fill("Modèle de compte rendu")
    page.get_by_label("Résumé").fill("Un modèle Word.")
    name, data, _fragment = HOSTILE_MORE["DOCX remote attached template (TargetMode External, http)"]
    page.get_by_label("Fichiers").set_input_files(
        files=[{"name": name, "mimeType": "application/msword", "buffer": data}]
    )
    page.get_by_role("button", name="Proposer la ressource").click()
    refusal = "est attaché à un modèle externe ou à un modèle à macros : refusé."
    expect(page.locator(".fr-error-text").get_by_text(refusal)).to_be_visible()
    _shoot(page, "upload-refused")
    assert not Resource.objects.exists()
    console.assert_no_csp_violation()


def test_the_password_form_of_an_attacked_account_explains_the_way_out(page, partner, settings):
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        page.goto("/connexion/")
        page.locator("#id_password-email").fill(partner.email)
        page.locator("#id_password-password").fill("mauvais")
        page.locator("form:has(#id_password-email)").get_by_role("button", name="Se connecter").click()
    page.locator("#id_password-email").fill(partner.email)
    page.locator("#id_password-password").fill("mot-de-passe-de-test-2026")
    page.locator("form:has(#id_password-email)").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Vous pouvez recevoir un lien de connexion par courriel.")).to_be_visible()
    _shoot(page, "login-throttled")
