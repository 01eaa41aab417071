"""An agent downloads their attestation and badge; a visitor verifies it by code; after a
programme admin revokes it, the page says revoked — in Chromium, axe-core clean."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from essaim.catalogue.models import Course, CourseOutcome
from essaim.credentials.models import Credential
from essaim.framework.models import Competency, FrameworkVersion, Level
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.credentials.conftest import close_past_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issued(settings, tmp_path, live_server, ministry, agent, programme_admin):
    """A session closed a month ago: the agent's credential is issued on commit, by the task."""
    settings.CREDENTIALS_KEY_DIR = tmp_path / "keys"
    settings.CREDENTIALS_SIGNING_KEY = ""
    settings.SITE_URL = live_server.url
    framework = FrameworkVersion.objects.create(
        version="test-1", title="Référentiel", status=FrameworkVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    course = Course.objects.create(
        code="facilitation",
        title="Facilitation : les fondamentaux",
        summary="Deux jours pour apprendre à faciliter.",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_introduction=True,
    )
    level = Level.objects.create(framework=framework, rank=1, code="decouvrir", name="Découvrir")
    competency = Competency.objects.create(framework=framework, code="animer", name="Animer un atelier")
    CourseOutcome.objects.create(course=course, competency=competency, level=level)
    agent.given_name, agent.usual_name = "Camille", "Durand"
    agent.save()
    close_past_session(course, ministry, [agent], programme_admin)
    return Credential.objects.get(user=agent)  # issued without anyone clicking


def test_agent_downloads_visitor_verifies_admin_revokes(page, console, agent, programme_admin, issued):
    login_with_password(page, agent.email)
    _assert_accessible(page, console, "/attestations/")
    expect(page.get_by_role("heading", level=2, name="Facilitation : les fondamentaux")).to_be_visible()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Attestation (PDF)").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Camille Durand" in text and issued.code in text and "Facilitation : les fondamentaux" in text

    with page.expect_download() as jwt_download:
        page.get_by_role("link", name="Badge (JWT, pour un portefeuille)").click()
    assert Path(jwt_download.value.path()).read_text() == issued.jwt
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Badge (JSON)").click()
    assert "OpenBadgeCredential" in Path(json_download.value.path()).read_text()
    _assert_accessible(page, console, "/mon-parcours/")
    expect(page.get_by_text("Animer un atelier")).to_be_visible()

    # A visitor (no session) types the code from the paper attestation.
    page.context.clear_cookies()
    _assert_accessible(page, console, "/attestations/verifier/")
    page.get_by_label("Code de vérification").fill(issued.code.lower().replace("-", " "))
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page.get_by_role("heading", name="Attestation valide")).to_be_visible()
    expect(page.get_by_text("Camille Durand")).to_be_visible()
    assert agent.email not in page.content()
    _assert_accessible(page, console, f"/attestations/verifier/{issued.code}/")

    # A programme admin revokes it, with a reason.
    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, "/attestations/pilotage/")
    _assert_accessible(page, console, f"/attestations/pilotage/{issued.code}/revoquer/")
    page.get_by_label("Motif de la révocation").fill("Présence enregistrée par erreur")
    page.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("heading", name="Attestation révoquée")).to_be_visible()

    # The visitor's page now says revoked, without the reason.
    page.context.clear_cookies()
    page.goto(f"/attestations/verifier/{issued.code}/")
    expect(page.get_by_role("heading", name="Attestation révoquée")).to_be_visible()
    assert "Présence enregistrée par erreur" not in page.content()
    _assert_accessible(page, console, f"/attestations/verifier/{issued.code}/")
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_visitor_pastes_badge_json_and_reads_valid(page, console, issued, width, settings, tmp_path):
    import json

    from essaim.credentials.selectors import credential_json

    settings.CREDENTIALS_EDDSA_SIGNING_KEY = ""
    page.set_viewport_size({"width": width, "height": 900})
    _assert_accessible(page, console, "/attestations/verifier/")
    field = page.get_by_label("Badge numérique (VC-JWT ou badge.json)")
    field.fill(json.dumps(credential_json(issued), ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Vérifier le badge").click()
    expect(page.get_by_text("Attestation valide").first).to_be_visible()
    expect(page.get_by_text("Camille Durand").first).to_be_visible()
    page.screenshot(path=f"/tmp/essaim-verify-badge-json-{width}.png", full_page=True)
