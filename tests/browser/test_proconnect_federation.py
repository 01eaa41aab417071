"""ProConnect in Chromium against panva oidc-provider set up like ProConnect's federation
(js/oidc-provider), with Essaim's real CSP (form-action 'self' only)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from essaim.accounts.models import ProConnectIdentity, User
from tests.factories import OrganisationFactory
from tests.oidc_provider import ADMIN, CAMILLE, DGFIP_SIRET, INTERIOR_SIRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp/essaim-h15"


@pytest.fixture
def federation(node_proconnect_server, settings, live_server):
    node_proconnect_server.point_settings_at(settings, site_url=live_server.url)
    return node_proconnect_server


def _path_is(path: str):
    return lambda url: urlsplit(url).path == path


def _sign_in(page, federation, account_label: str) -> None:
    page.goto("/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url(lambda url: url.startswith(federation.issuer))
    expect(page.get_by_role("heading", level=1)).to_have_text("ProConnect — identifiez-vous")
    page.get_by_role("radio", name=account_label).check()
    page.get_by_label("Mot de passe").fill("x")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: not url.startswith(federation.issuer))
    page.wait_for_load_state("load")


def _signed_out(page) -> None:
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()


def _alert(page) -> str:
    return " ".join(page.locator(".fr-alert").all_inner_texts())


def test_sign_in_then_logout_through_the_fi_hop_and_the_next_sign_in_asks_again(page, console, federation):
    dgfip = OrganisationFactory(name="Direction générale des Finances publiques", kind="directorate", siret=DGFIP_SIRET)
    _sign_in(page, federation, "Camille Durand — FI des ministères économiques")

    page.wait_for_url(_path_is("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    expect(page.locator("main .essaim-organisation").get_by_role("link")).to_have_text(dgfip.name)
    page.screenshot(path=f"{SCREENSHOTS}-home-1280.png", full_page=True)
    fi_logouts = federation.fi_logouts()

    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(_path_is("/"))
    expect(page.get_by_text("Vous êtes déconnecté de Essaim et de ProConnect.")).to_be_visible()
    _signed_out(page)
    assert federation.fi_logouts() == fi_logouts + 1, "the FI's logout was not reached"
    visited = [urlsplit(url) for url in console.urls]
    assert any(url.netloc == urlsplit(federation.fi_origin).netloc for url in visited), console.urls
    console.assert_no_csp_violation()

    # The provider's session is over: signing in again asks for credentials.
    page.goto("/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url(lambda url: url.startswith(federation.issuer))
    expect(page.get_by_role("heading", level=1)).to_have_text("ProConnect — identifiez-vous")
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_eidas2_is_accepted_and_eidas0_refused_with_its_own_message(page, console, federation):
    OrganisationFactory(name="Ministère de l’Intérieur", kind="ministry", siret=INTERIOR_SIRET)
    _sign_in(page, federation, "Lou Petit — eidas0")
    page.wait_for_url(_path_is("/connexion/"))
    expect(page.locator(".fr-alert")).to_contain_text("niveau de sécurité demandé")
    _signed_out(page)
    _sign_in(page, federation, "Sam Roux — eidas0 sans contrôle")
    page.wait_for_url(_path_is("/connexion/"))
    expect(page.locator(".fr-alert")).to_contain_text("niveau reçu : eidas0")
    page.screenshot(path=f"{SCREENSHOTS}-refused-eidas0-1280.png", full_page=True)
    _signed_out(page)
    assert not User.objects.filter(email__in=["lou.petit@interieur.gouv.fr", "sam.roux@interieur.gouv.fr"]).exists()

    # Sam's ProConnect session lives on (Essaim refused, the provider did not): another person.
    page.context.clear_cookies()

    _sign_in(page, federation, "Dominique Martin — eidas2")
    page.wait_for_url(_path_is("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Dominique")
    console.assert_no_csp_violation()


def test_takeover_of_the_admin_by_email_is_refused(page, console, federation, programme_admin, mailoutbox):
    _sign_in(page, federation, "Usurpateur — adresse de l’administration")
    page.wait_for_url(_path_is("/connexion/"))
    expect(page.locator(".fr-alert")).to_contain_text("Un compte Essaim existe déjà")
    _signed_out(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=f"{SCREENSHOTS}-takeover-375.png", full_page=True)
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    programme_admin.refresh_from_db()
    assert programme_admin.usual_name != "Administrateur"
    assert not ProConnectIdentity.objects.exists()
    assert [m.to for m in mailoutbox] == [[ADMIN]]
    console.assert_no_csp_violation()


def test_a_second_fi_for_the_same_person_links_only_after_proof(page, console, federation, mailoutbox):
    OrganisationFactory(name="Direction générale des Finances publiques", kind="directorate", siret=DGFIP_SIRET)
    _sign_in(page, federation, "Camille Durand — FI des ministères économiques")
    page.wait_for_url(_path_is("/"))
    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(_path_is("/"))

    _sign_in(page, federation, "Camille Durand — FI avec double authentification")
    page.wait_for_url(_path_is("/connexion/"))
    expect(page.locator(".fr-alert")).to_contain_text("ouvrez le lien que nous venons d’envoyer")
    _signed_out(page)
    link = re.search(r"https?://[^/\s]+(/connexion/proconnect/lier/[^\s]+/)", mailoutbox[-1].body).group(1)
    page.goto(link)
    page.screenshot(path=f"{SCREENSHOTS}-link-confirm-1280.png", full_page=True)
    page.get_by_role("button", name="Relier mon identité ProConnect").click()
    expect(page.locator(".fr-alert")).to_contain_text("est reliée à votre compte")

    # Still signed in at ProConnect through the second FI: no credentials asked this time.
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url(_path_is("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    user = User.objects.get(email=CAMILLE)
    assert user.proconnect_identities.count() == 2
    console.assert_no_csp_violation()
