from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essaim.framework.models import FrameworkVersion
from essaim.framework.services import framework_export_csv, framework_import, framework_load_seed
from tests.framework.conftest import make_document

pytestmark = pytest.mark.django_db

# framework, levels, competencies, their descriptors (prefetch), list of versions.
VISITOR_QUERIES = 5


def _page(response) -> str:
    return response.content.decode()


# Public pages --------------------------------------------------------------------------


def test_the_current_framework_page_shows_levels_tree_and_downloads(client):
    framework = framework_load_seed()
    response = client.get(reverse("framework:current"))
    page = _page(response)
    assert response.status_code == 200
    assert "Référentiel commun de compétences" in page and "Version 2026.1" in page
    for text in ["Découvrir", "Transmettre", "Faciliter des temps collectifs", "codéveloppement", "En vigueur"]:
        assert text in page
    assert reverse("framework:export-json", args=["2026.1"]) in page
    assert reverse("framework:export-csv", args=["2026.1"]) in page
    assert "Licence Ouverte 2.0" in page
    assert f"{framework.published_at:%Y}" in page
    assert page.count("<caption>") == 2 + framework.competencies.count()
    assert "Publier cette version" not in page and "Importer une version" not in page


def test_the_current_page_without_any_published_version(client, draft):
    response = client.get(reverse("framework:current"))
    assert response.status_code == 200
    assert "Aucune version du référentiel n’est encore publiée." in _page(response)
    assert draft.version not in _page(response)


@pytest.mark.parametrize("domains, children", [(1, 1), (6, 8)])
def test_public_pages_take_a_constant_number_of_queries(client, django_assert_num_queries, domains, children):
    framework_import(data=make_document(version="2028.1", domains=domains, children=children), acting_user=None)
    framework_import(
        data=make_document(version="2030.1", domains=domains, children=children), publish=True, acting_user=None
    )
    with django_assert_num_queries(VISITOR_QUERIES):
        response = client.get(reverse("framework:current"))
    assert _page(response).count('class="fr-accordion"') == domains * children
    # The detail page also asks which version is current.
    with django_assert_num_queries(VISITOR_QUERIES + 1):
        assert client.get(reverse("framework:detail", args=["2030.1"])).status_code == 200


def test_an_older_published_version_stays_readable(client, published):
    framework_load_seed()
    page = _page(client.get(reverse("framework:detail", args=["2029.1"])))
    assert "Version 2029.1" in page and "Compétence 2.2" in page and "En vigueur" not in page
    assert 'aria-current="page">2029.1' in page and "2026.1" in page


def test_unknown_versions_are_404(client):
    assert client.get(reverse("framework:detail", args=["1999.1"])).status_code == 404
    assert client.get(reverse("framework:export-json", args=["1999.1"])).status_code == 404


# Drafts --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "agent"])
def test_drafts_are_hidden_from_visitors_and_agents(client, draft, agent, who):
    if who == "agent":
        client.force_login(agent)
    for name in ["framework:detail", "framework:export-json", "framework:export-csv"]:
        assert client.get(reverse(name, args=[draft.version])).status_code == 404
    assert draft.version not in _page(client.get(reverse("framework:current")))


def test_programme_admins_see_drafts_and_can_publish_them(client, draft, programme_admin):
    client.force_login(programme_admin)
    response = client.get(reverse("framework:detail", args=[draft.version]))
    page = _page(response)
    assert response.status_code == 200
    assert "Brouillon non publié" in page and "Publier cette version" in page
    assert reverse("framework:publish", args=[draft.version]) in page
    assert client.get(reverse("framework:export-json", args=[draft.version])).status_code == 200
    assert draft.version in _page(client.get(reverse("framework:current")))

    response = client.post(reverse("framework:publish", args=[draft.version]))
    assert response.status_code == 302 and response.url == reverse("framework:detail", args=[draft.version])
    draft.refresh_from_db()
    assert draft.is_frozen
    page = _page(client.get(reverse("framework:detail", args=[draft.version])))
    assert "est publiée" in page and "Publier cette version" not in page and "Créer un nouveau brouillon" in page

    # Publishing twice tells why instead of failing.
    response = client.post(reverse("framework:publish", args=[draft.version]), follow=True)
    assert "est déjà publiée" in _page(response)


def test_only_programme_admins_publish(client, draft, agent):
    assert client.post(reverse("framework:publish", args=[draft.version])).status_code == 302  # to login
    client.force_login(agent)
    assert client.post(reverse("framework:publish", args=[draft.version])).status_code == 403
    assert client.get(reverse("framework:publish", args=[draft.version])).status_code == 405
    draft.refresh_from_db()
    assert not draft.is_frozen


def test_programme_admin_creates_a_new_draft_from_a_published_version(client, published, programme_admin, agent):
    url = reverse("framework:new-draft", args=[published.version])
    client.force_login(agent)
    assert client.post(url, {"version": "2029.2"}).status_code == 403

    client.force_login(programme_admin)
    response = client.post(url, {"version": "2029.1"})
    assert response.status_code == 400 and "existe déjà" in _page(response)
    response = client.post(url, {"version": "2029.2"})
    assert response.status_code == 302 and response.url == reverse("framework:detail", args=["2029.2"])
    assert FrameworkVersion.objects.get(version="2029.2").based_on == published


# Downloads -----------------------------------------------------------------------------


def test_json_download(client, published):
    response = client.get(reverse("framework:export-json", args=[published.version]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="referentiel-essaim-2029.1.json"'
    body = json.loads(response.content)
    assert body["version"] == "2029.1" and body["licence"] == "etalab-2.0" and body["status"] == "published"
    assert len(body["competencies"]) == 6


def test_csv_download(client, published):
    response = client.get(reverse("framework:export-csv", args=[published.version]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="referentiel-essaim-2029.1.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6 * 3 and rows[0]["competency_code"] == "domaine-1"


# Import --------------------------------------------------------------------------------


def _json_file(data, name="referentiel.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/json")


def test_import_page_is_for_programme_admins(client, agent):
    url = reverse("framework:import")
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(agent)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _json_file(make_document())}).status_code == 403
    assert not FrameworkVersion.objects.exists()


def test_programme_admin_imports_a_json_file_as_a_draft(client, programme_admin):
    client.force_login(programme_admin)
    page = _page(client.get(reverse("framework:import")))
    assert 'enctype="multipart/form-data"' in page and "competency_code" in page

    response = client.post(reverse("framework:import"), {"file": _json_file(make_document()), "title": "Titre neuf"})
    assert response.status_code == 302 and response.url == reverse("framework:detail", args=["2030.1"])
    framework = FrameworkVersion.objects.get(version="2030.1")
    assert framework.title == "Titre neuf" and not framework.is_frozen


def test_programme_admin_imports_a_csv_file(client, programme_admin, published):
    client.force_login(programme_admin)
    upload = SimpleUploadedFile("ref.csv", framework_export_csv(framework=published).encode(), "text/csv")
    response = client.post(reverse("framework:import"), {"file": upload})
    assert response.status_code == 400 and "Obligatoire pour un fichier CSV." in _page(response)

    upload.seek(0)
    response = client.post(reverse("framework:import"), {"file": upload, "version": "2031.1", "title": "Depuis CSV"})
    assert response.status_code == 302
    assert FrameworkVersion.objects.get(version="2031.1").competencies.count() == 6


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("r.json", b"{ pas du json", "application/json"), "Le fichier JSON est illisible"),
        (SimpleUploadedFile("r.json", "é".encode("latin-1"), "application/json"), "encodé en UTF-8"),
        (SimpleUploadedFile("r.xlsx", b"PK", "application/octet-stream"), "xlsx"),
    ],
    ids=["bad json", "not utf-8", "wrong extension"],
)
def test_unreadable_files_are_refused(client, programme_admin, upload, message):
    client.force_login(programme_admin)
    response = client.post(reverse("framework:import"), {"file": upload})
    assert response.status_code == 400 and message in _page(response)


def test_service_refusals_are_shown_on_the_import_form(client, programme_admin):
    client.force_login(programme_admin)
    document = make_document()
    document["competencies"][1]["parent"] = "inconnue"
    response = client.post(reverse("framework:import"), {"file": _json_file(document)})
    assert response.status_code == 400
    assert "la compétence parente « inconnue » n’existe pas" in _page(response)
    assert not FrameworkVersion.objects.exists()
