"""Caching and exposure (issue 14, point 7): no-store on signed-in pages and the API, a
minimal public /healthz (tests/core), /admin/ behind a network allow-list, idle sessions
end, and no verbatim free text about a person in the audit log."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from essaim.core.exposure import LAST_SEEN_KEY
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_are_never_stored(client, agent):
    client.force_login(agent)
    for url in (reverse("core:home"), reverse("accounts:profile"), reverse("accounts:api-tokens")):
        response = client.get(url)
        assert response.status_code == 200 and _no_store(response), url


def test_the_page_that_shows_a_new_api_token_is_not_stored(client, agent):
    client.force_login(agent)
    response = client.post(reverse("accounts:api-tokens"), {"name": "Mon tableau"})
    assert "essaim_" in response.content.decode() or response.status_code == 302
    assert _no_store(response)
    if response.status_code == 302:
        shown = client.get(response["Location"])
        assert "essaim_" in shown.content.decode() and _no_store(shown)


def test_api_answers_are_never_stored(client, agent):
    from essaim.accounts.services import api_token_create

    _token, secret = api_token_create(user=agent, name="t", acting_user=agent)
    assert _no_store(client.get("/api/v1/courses"))
    assert _no_store(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}"))


def test_anonymous_public_pages_keep_their_caching(client):
    assert not _no_store(client.get(reverse("core:home")))


def _admin(client_address: str, client, settings):
    from essaim.accounts.models import Role

    admin = UserFactory(email="secours@modernisation.gouv.fr", is_staff=True)
    grant(admin, Role.PROGRAMME_ADMIN)
    client.force_login(admin)
    return client.get("/admin/", REMOTE_ADDR=client_address)


def test_the_admin_answers_only_from_the_allowed_networks(client, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    assert _admin("198.51.100.7", client, settings).status_code == 404
    assert client.get("/admin/login/", REMOTE_ADDR="198.51.100.7").status_code == 404
    assert client.get("/admin/", REMOTE_ADDR="192.0.2.10").status_code == 200


def test_the_admin_allow_list_sees_the_client_behind_the_proxy(client, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    _admin("10.0.0.2", client, settings)
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200


def test_an_idle_session_ends(client, agent, settings):
    settings.SESSION_IDLE_TIMEOUT_S = 600
    client.force_login(agent)
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 601
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_an_active_session_goes_on(client, agent, settings):
    settings.SESSION_IDLE_TIMEOUT_S = 600
    client.force_login(agent)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 300
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5
