"""The search page and the API list: bad input gives a message, never a 500; facets,
snippets, pagination, sorting; a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essaim.library.models import Resource
from tests.factories import OrganisationFactory
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    org = OrganisationFactory(slug="lab-recherche", name="Lab de recherche")
    for n in range(25):
        make_resource(
            f"Atelier de délibération n° {n}",
            f"Délibérer ensemble, fiche {n}.",
            type="guide" if n % 5 == 0 else "method",
            organisation="lab-recherche" if n % 2 else "",
        )
    make_resource("Le débat mouvant", "Prendre position en se déplaçant.", body="<p>Une affirmation clivante.</p>")
    return org


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", 'title : "x"', "AND OR NOT", "débat*", "^mouvant", "a" * 150, "(((", "'", "!&|:", "\x00"],
)
def test_query_syntax_never_reaches_the_database(client, library, query):
    response = client.get(reverse("library:list"), {"q": query})
    assert response.status_code == 200
    api = client.get("/api/v1/resources", {"q": query})
    assert api.status_code == 200


def test_a_huge_query_or_a_bad_facet_is_a_readable_message(client, library):
    response = client.get(reverse("library:list"), {"q": "délibération " * 40})
    assert response.status_code == 400
    assert "La recherche est trop longue (200 caractères au plus)." in response.content.decode()
    response = client.get(reverse("library:list"), {"type": "podcast"})
    assert response.status_code == 400
    assert "Filtre « type » : valeur inconnue « podcast »." in response.content.decode()
    assert client.get(reverse("library:list"), {"organisation": "abc"}).status_code == 400
    api = client.get("/api/v1/resources", {"licence": "wtfpl"})
    assert api.status_code == 422
    assert api.json()["detail"] == "Filtre « licence » : valeur inconnue « wtfpl »."
    assert client.get(reverse("library:list"), {"page": "x", "tri": "nimporte"}).status_code == 200


def test_search_shows_counts_facets_snippets_and_pages(client, library):
    response = client.get(reverse("library:list"), {"q": "deliberer"})
    html = response.content.decode()
    assert "25 ressources" in html
    assert "Guide (5)" in html
    assert "Fiche méthode (20)" in html
    assert "Lab de recherche (12)" in html
    assert "<mark>Délibérer</mark> ensemble" in html
    assert "Page 1 sur 2" in html
    second = client.get(reverse("library:list"), {"q": "deliberer", "page": 2}).content.decode()
    assert "Page 2 sur 2" in second

    filtered = client.get(reverse("library:list"), {"q": "deliberer", "type": "guide"}).content.decode()
    assert "5 ressources" in filtered
    assert "Atelier de délibération n° 10" in filtered
    assert "Atelier de délibération n° 11" not in filtered


def test_snippets_escape_html(client, db):
    make_resource("Délibération", "Un résumé <b>gras</b> & délibératif.")
    html = client.get(reverse("library:list"), {"q": "délibération"}).content.decode()
    assert "&lt;b&gt;gras&lt;/b&gt; &amp; <mark>délibératif</mark>" in html


def test_sort_by_date(client, library):
    api = client.get("/api/v1/resources", {"q": "délibération", "sort": "date"}).json()
    dates = [r["published_at"] for r in api["results"]]
    assert dates == sorted(dates, reverse=True)


def test_title_matches_rank_first(client, library):
    make_resource("Une fiche générale", "Elle parle aussi de débat mouvant, en passant.")
    api = client.get("/api/v1/resources", {"q": "débats mouvants"}).json()
    assert api["results"][0]["title"] == "Le débat mouvant"
    assert api["results"][0]["score"] > api["results"][1]["score"]
    assert set(api["results"][0]) >= {"id", "title", "summary", "url", "score"}


def test_search_page_and_api_list_use_a_constant_number_of_queries(client, library, agent):
    client.force_login(agent)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("library:list"), {"q": "deliberation"})
    for n in range(10):
        make_resource(f"Délibération supplémentaire {n}", "Encore une délibération.", organisation="lab-recherche")
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("library:list"), {"q": "deliberation"}).status_code == 200
    assert len(large) == len(small) <= 16
    with CaptureQueriesContext(connection) as api:
        assert client.get("/api/v1/resources", {"q": "deliberation"}).status_code == 200
    assert len(api) <= 14
    with CaptureQueriesContext(connection) as browse:
        assert client.get(reverse("library:list")).status_code == 200
    assert len(browse) <= 16


def test_the_api_returns_one_resource_with_files_and_links(client, library):
    resource = Resource.objects.get(title="Le débat mouvant")
    data = client.get(f"/api/v1/resources/{resource.pk}").json()
    assert data["licence"] == "etalab-2.0"
    assert data["url"].endswith(f"/ressources/{resource.pk}/")
    assert "/api/v1/resources" in client.get("/api/v1/openapi.json").json()["paths"]


def test_contributions_through_the_api(client, partner):
    from essaim.accounts.services import api_token_create

    assert client.post("/api/v1/resources/contributions", {}, content_type="application/json").status_code == 401
    _token, raw = api_token_create(user=partner, name="test", acting_user=partner)
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.post(
        "/api/v1/resources/contributions",
        {"title": "Le cercle samoan", "summary": "Débattre au centre.", "licence": "cc-by-4.0"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    bad = client.post(
        "/api/v1/resources/contributions",
        {"title": "X", "summary": "Y", "licence": "wtfpl"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Licence inconnue : « wtfpl »."
    mine = client.get("/api/v1/resources/contributions", headers=headers).json()
    assert [c["title"] for c in mine] == ["Le cercle samoan"]
    assert client.get("/api/v1/resources", {"q": "samoan"}).json()["count"] == 0
