"""End-to-end tests in Chromium: pages, ProConnect and password sign-in, axe-core, keyboard."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from essaim.accounts.models import User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-de-test-2026"  # tests.factories.UserFactory's password
BLOCKING_IMPACTS = {"serious", "critical"}


def _path_is(path: str):
    return lambda url: urlsplit(url).path == path


def login_with_password(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the demo password form of /connexion/."""
    page.goto("/connexion/")
    page.locator("#id_password-email").fill(email)
    page.locator("#id_password-password").fill(password)
    page.locator("form:has(#id_password-email)").get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    if urlsplit(page.url).path != "/":
        errors = page.locator(".fr-error-text, .fr-alert, .fr-message--error").all_inner_texts()
        pytest.fail(f"password sign-in as {email} failed on {page.url}: {errors}", pytrace=False)


def main_nav(page):
    return page.get_by_role("navigation", name="Menu principal")


def test_home_page_renders_for_a_visitor(page, console):
    page.goto("/")

    expect(page).to_have_title(re.compile("Essaim"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()

    page.get_by_role("contentinfo").get_by_role("link", name=re.compile("^Accessibilité")).click()
    page.wait_for_url(_path_is("/accessibilite/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d’accessibilité")
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_proconnect_login_and_logout_round_trip(page, console, browser_proconnect):
    OrganisationFactory(name="Direction générale des Finances publiques", kind="directorate", siret="11000201100044")

    page.goto("/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()

    # The local issuer's identity picker (no login_hint is sent by Essaim).
    page.wait_for_url(lambda url: url.startswith(browser_proconnect.issuer))
    expect(page.get_by_role("heading", level=1)).to_have_text("ProConnect simulé")
    page.get_by_role("radio", name=re.compile(r"Camille Durand .*\(fia1v2\)")).check()
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(_path_is("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    organisation = page.locator("main .essaim-organisation")
    expect(organisation.get_by_role("link")).to_have_text("Direction générale des Finances publiques")
    # ProConnect's organizational_unit equals the organisation's name here: not shown twice.
    expect(organisation).to_have_text("Direction générale des Finances publiques")
    user = User.objects.get(email="camille.durand@finances.gouv.fr")
    assert user.organisation.siret == "11000201100044"
    page.screenshot(path="/tmp/essaim-home.png", full_page=True)

    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(_path_is("/"))
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_text("Vous êtes déconnecté de Essaim et de ProConnect.")).to_be_visible()
    # Essaim → a page that leaves for end_session → Essaim's "logged out" page → home.
    visited = [urlsplit(url) for url in console.urls]
    assert any(url.path.endswith("/session/end") for url in visited), console.urls
    assert any(url.path == "/deconnexion/terminee/" for url in visited), console.urls
    assert browser_proconnect.logouts, "the issuer's end_session endpoint was not called"
    assert browser_proconnect.fi_logouts == 1, "the logout did not hop through the FI"
    assert browser_proconnect.logouts[-1]["post_logout_redirect_uri"].startswith(page.url.rstrip("/"))
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_password_login_then_account_page(page, console):
    person = UserFactory(email="demo.agent@exemple.gouv.fr", given_name="Alex")

    login_with_password(page, person.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alex")
    main_nav(page).get_by_role("button", name="Mon espace").click()
    main_nav(page).get_by_role("link", name="Mon compte").click()
    page.wait_for_url(_path_is("/compte/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(person.email)
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{url}: {len(violations)} serious/critical axe violation(s)"]
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(f"  - {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        lines.extend(f"    at {target}" for target in targets)
    return "\n".join(lines)


def _assert_accessible(page, console, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    console.assert_no_csp_violation()
    before_axe = len(console.errors)
    results = Axe().run(page)
    # axe-core sets inline styles on the page while it measures, which our CSP rightly
    # blocks now and then: what is logged during its run is the tool's, not the page's.
    del console.errors[before_axe:]
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        report = _format_violations(path, blocking)
        print(report)
        pytest.fail(report, pytrace=False)


def test_axe_finds_no_serious_violation_for_a_visitor(page, console, directorate):
    for path in ("/", "/connexion/", "/accessibilite/", "/organisations/"):
        _assert_accessible(page, console, path)
    page.goto("/connexion/")
    page.screenshot(path="/tmp/essaim-login.png", full_page=True)
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_axe_finds_no_serious_violation_for_an_agent(page, console, agent):
    login_with_password(page, agent.email)
    for path in ("/", "/compte/", "/organisations/"):
        _assert_accessible(page, console, path)
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_skip_link_is_the_first_tab_stop_and_moves_to_the_content(page, console):
    page.goto("/")

    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Contenu")
    expect(focused).to_have_attribute("href", "#content")
    assert page.evaluate("document.activeElement.closest('.fr-skiplinks') !== null")

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#content$"))
    # The sequential focus starting point is now the main content: the next Tab lands in it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#content') !== null"), page.evaluate(
        "document.activeElement.outerHTML"
    )
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


@pytest.mark.django_db(transaction=True)
def test_the_framework_page_is_accessible_and_its_accordions_open(page, console):
    from essaim.framework.services import framework_load_seed

    framework_load_seed()
    page.goto("/referentiel/")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Référentiel commun de compétences")

    button = page.get_by_role("button", name="Animer un groupe de codéveloppement professionnel")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#competence-codeveloppement")).to_contain_text("Anime des séances de codéveloppement")
    page.screenshot(path="/tmp/essaim-framework.png", full_page=True)

    before_axe = len(console.errors)
    results = Axe().run(page)
    del console.errors[before_axe:]  # axe's own inline styles, blocked by the CSP
    blocking = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    assert not blocking, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in blocking]
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
