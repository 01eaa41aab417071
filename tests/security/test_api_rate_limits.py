"""API rate limits (issue 14, point 8): 429 with Retry-After, per client address behind the
proxy for anonymous calls and per token for signed-in ones, and documented in the schema."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from essaim.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.API_ANON_RATE = "3/m"
    settings.API_AUTH_RATE = "4/m"
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    cache.clear()
    yield
    cache.clear()


def _from(address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": address}


def test_anonymous_calls_are_limited_per_client_address(client):
    for _ in range(3):
        assert client.get("/api/v1/regions", **_from("203.0.113.5")).status_code == 200
    refused = client.get("/api/v1/regions", **_from("203.0.113.5"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Trop de requêtes" in refused.json()["detail"]
    # Another person behind the same proxy is not affected.
    assert client.get("/api/v1/regions", **_from("198.51.100.9")).status_code == 200


def test_signed_in_calls_are_limited_per_token(client, agent, other_agent):
    _token, mine = api_token_create(user=agent, name="a", acting_user=agent)
    _token, theirs = api_token_create(user=other_agent, name="b", acting_user=other_agent)
    for _ in range(4):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {mine}", **_from("203.0.113.5")).status_code == 200
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {mine}", **_from("203.0.113.5")).status_code == 429
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {theirs}", **_from("203.0.113.5")).status_code == 200


def test_every_operation_documents_the_429_and_its_retry_after(client):
    cache.clear()
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert len(operations) > 25
    for operation in operations:
        answer = operation["responses"]["429"]
        assert "Retry-After" in answer["headers"]
