"""The header menu: at most seven entries for every role, every link opens (no 403), the
site map lists every page of the menu, « API » is in the footer and not in the menu."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from essaim.core.navigation import MAX_TOP_LEVEL, MENU

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "agent", "trainer", "organiser", "lab_coordinator", "partner", "programme_admin"]


def _client(request: pytest.FixtureRequest, role: str) -> Client:
    client = Client()
    if role != "visitor":
        client.force_login(request.getfixturevalue(role))
    return client


def _menu_html(html: str) -> str:
    match = re.search(r'<nav class="fr-nav" id="fr-navigation".*?</nav>', html, re.S)
    assert match, "the page has a main menu"
    return match.group(0)


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_entry_opens_for_the_people_who_see_it(request, role):
    client = _client(request, role)
    menu = _menu_html(client.get(reverse("core:home")).content.decode())
    top_level = re.findall(r'<li class="fr-nav__item">', menu)
    assert 3 <= len(top_level) <= MAX_TOP_LEVEL
    hrefs = re.findall(r'class="fr-nav__link" href="([^"]+)"', menu)
    assert hrefs, "the menu has links"
    assert reverse("api-1:openapi-view") not in hrefs
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, f"{role}: {href} answered {response.status_code}"


def test_back_office_roles_see_their_tools_and_agents_do_not(request):
    agent_menu = _menu_html(_client(request, "agent").get("/").content.decode())
    admin_menu = _menu_html(_client(request, "programme_admin").get("/").content.decode())
    assert "Pilotage" not in agent_menu
    for name in (
        "library:moderation",
        "events_admin:list",
        "delegation:backoffice",
        "surveys:results",
        "network:turnover",
    ):
        assert f'href="{reverse(name)}"' in admin_menu, name
        assert f'href="{reverse(name)}"' not in agent_menu, name


@pytest.mark.parametrize("role", ["visitor", "agent", "programme_admin"])
def test_the_site_map_lists_every_page_of_the_menu_and_the_footer_links_the_api(request, role):
    client = _client(request, role)
    home = client.get("/").content.decode()
    menu_hrefs = set(re.findall(r'class="fr-nav__link" href="([^"]+)"', _menu_html(home)))
    sitemap = client.get(reverse("footer-sitemap")).content.decode()
    main = sitemap[sitemap.index('id="content"') : sitemap.index('id="footer"')]
    for href in menu_hrefs:
        assert f'href="{href}"' in main, href
    footer = home[home.index('id="footer"') :]
    assert f'href="{reverse("api-1:openapi-view")}"' in footer


def test_every_menu_link_names_a_page():
    for section in MENU:
        for link in section.links:
            assert reverse(link.url_name)


def test_pages_are_french_whatever_the_browser_asks_until_one_chooses_english(client):
    asked = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fr"' in asked.content.decode() or 'lang="fr"' in asked.content.decode()[:400]
    assert "Se connecter" in asked.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    chosen = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="en"' in chosen[:400] and "Sign in" in chosen


def test_the_api_still_honours_accept_language(client):
    response = client.get("/api/v1/sessions/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.headers["Content-Language"] == "en"


def test_french_content_is_marked_french_on_an_english_page(client):
    from tests.library.conftest import make_resource

    resource = make_resource("Le world café", "Animer des conversations en petits groupes.")
    french = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    assert '<h1 lang="fr">' not in french
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    assert '<h1 lang="fr">Le world café</h1>' in english
    assert 'lang="fr">Animer des conversations' in english
