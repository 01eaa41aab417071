"""The resource library in Chromium: a visitor searches, filters, opens and downloads a
resource; a partner submits one that a programme admin publishes. axe-core on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from essaim.library.models import Resource
from essaim.library.services import ResourceData, Upload, resource_update
from tests.browser.test_browser import _assert_accessible, login_with_password
from tests.library.conftest import make_resource
from tests.library.test_uploads import minimal_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(db):
    world_cafe = make_resource(
        "Le world café", "Des conversations en petits groupes tournants.", body="<p>Trois tours de vingt minutes.</p>"
    )
    resource_update(
        resource=world_cafe,
        data=ResourceData(title=world_cafe.title, summary=world_cafe.summary, body=world_cafe.body),
        uploads=[Upload("Fiche World Café.pdf", minimal_pdf("World cafe"))],
        acting_user=None,
    )
    make_resource("Le café des parents", "Un guide pour animer un café des parents.", type="guide")
    make_resource("Le jury citoyen", "Des citoyens tirés au sort délibèrent.")
    return world_cafe


def test_a_visitor_searches_filters_opens_and_downloads_a_resource(page, console, library):
    _assert_accessible(page, console, "/ressources/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Ressources").click()
    page.get_by_label("Rechercher une ressource").fill("cafés")
    page.get_by_role("search").get_by_role("button", name="Rechercher").click()
    expect(page.locator("#library-count")).to_have_text("2 ressources")
    expect(page.locator("mark").first).to_have_text(re.compile("café", re.I))
    _assert_accessible(page, console, "/ressources/?q=caf%C3%A9s")

    page.locator("label", has_text="Fiche méthode (1)").click()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.locator("#library-count")).to_have_text("1 ressource")
    expect(page.get_by_label("Fiche méthode (1)")).to_be_checked()
    page.get_by_role("link", name="Le world café").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le world café")
    expect(page.get_by_text("Licence Ouverte 2.0 (Etalab)").first).to_be_visible()
    _assert_accessible(page, console, f"/ressources/{library.pk}/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger fiche-world-cafe.pdf")).click()
    download = download_info.value
    assert download.suggested_filename == "fiche-world-cafe.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    library.refresh_from_db()
    assert library.download_count == 1
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()


def test_a_partner_submits_a_resource_that_an_admin_publishes(page, console, partner, programme_admin):
    login_with_password(page, partner.email)
    _assert_accessible(page, console, "/ressources/proposer/")
    page.get_by_label("Titre", exact=True).fill("Le débat mouvant au collège")
    page.get_by_label("Résumé").fill("Prendre position en se déplaçant, avec des élèves de troisième.")
    page.get_by_label("Type").select_option("case_study")
    page.get_by_label("Fichiers").set_input_files(
        files=[{"name": "déroulé.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("Debat mouvant")}]
    )
    page.get_by_role("button", name="Proposer la ressource").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Votre ressource est proposée")
    expect(page.get_by_text("Statut : En attente de modération.")).to_be_visible()
    resource = Resource.objects.get(title="Le débat mouvant au collège")
    assert resource.files.get().name == "deroule.pdf"

    page.context.clear_cookies()
    page.goto(f"/ressources/{resource.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Le débat mouvant au collège")

    login_with_password(page, programme_admin.email)
    _assert_accessible(page, console, "/ressources/moderation/")
    page.get_by_role("link", name=re.compile("Examiner « Le débat mouvant au collège »")).click()
    _assert_accessible(page, console, f"/ressources/{resource.pk}/examiner/")
    page.locator("label", has_text="Publier").click()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("Décision enregistrée")

    page.context.clear_cookies()
    page.goto("/ressources/?q=debats+mouvants")
    expect(page.get_by_role("link", name="Le débat mouvant au collège")).to_be_visible()
    console.assert_no_csp_violation()
    console.assert_no_failed_resource()
