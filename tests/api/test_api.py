from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from essaim.accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_openapi_schema_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/regions"} <= set(schema["paths"])
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    assert client.get("/api/v1/docs").status_code == 200


def test_reference_data_is_public(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        regions = client.get("/api/v1/regions").json()
    assert len(regions) == 18
    deps = client.get("/api/v1/departements", {"region": "94"}).json()
    assert [d["code"] for d in deps] == ["2A", "2B"]


def test_organisations_are_paginated_and_filtered(client, ministry, directorate):
    body = client.get("/api/v1/organisations", {"kind": "directorate"}).json()
    assert body["count"] == 1 and body["items"][0]["slug"] == directorate.slug
    assert body["items"][0]["parent_slug"] == ministry.slug
    bad = client.get("/api/v1/organisations", {"kind": "nimporte"})
    assert bad.status_code == 422 and "inconnu" in bad.json()["detail"]
    assert client.get("/api/v1/organisations/nexiste-pas").status_code == 404


def test_me_needs_a_valid_token(client, agent):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", **_bearer("essaim_faux_jeton")).status_code == 401
    _token, secret = api_token_create(user=agent, name="intégration", acting_user=agent)
    response = client.get("/api/v1/me", **_bearer(secret))
    assert response.status_code == 200
    assert response.json()["email"] == agent.email
    assert response.json()["organisation"]["slug"] == agent.organisation.slug


def test_revoked_and_expired_tokens_stop_working(client, agent):
    import datetime as dt

    from django.utils import timezone

    token, secret = api_token_create(user=agent, name="outil", acting_user=agent)
    api_token_revoke(token=token, acting_user=agent)
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401

    token2, secret2 = api_token_create(
        user=agent, name="court", acting_user=agent, expires_at=timezone.now() + dt.timedelta(seconds=60)
    )
    token2.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token2.save()
    assert client.get("/api/v1/me", **_bearer(secret2)).status_code == 401


def test_owner_revokes_own_token_through_the_api_but_not_anothers(client, agent, other_agent):
    mine, secret = api_token_create(user=agent, name="mien", acting_user=agent)
    theirs, _secret = api_token_create(user=other_agent, name="sien", acting_user=other_agent)
    assert client.delete(f"/api/v1/me/tokens/{theirs.pk}", **_bearer(secret)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = client.delete(f"/api/v1/me/tokens/{mine.pk}", **_bearer(secret))
    assert response.status_code == 200 and response.json()["revoked_at"]


def test_create_api_token_command_prints_a_working_token(client, agent, capsys):
    call_command("create_api_token", "--email", agent.email)
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("essaim_")
    assert client.get("/api/v1/me", **_bearer(secret)).json()["email"] == agent.email


def test_tokens_are_stored_hashed(agent):
    from essaim.accounts.models import ApiToken

    token, secret = api_token_create(user=agent, name="outil", acting_user=agent)
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in json.dumps(stored, default=str)


def test_token_page_shows_the_secret_once(client, agent):
    client.force_login(agent)
    response = client.post("/compte/jetons/", {"name": "Mon outil"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "essaim_" in page and "ne sera plus jamais affiché" in page
    assert "ne sera plus jamais affiché" not in client.get("/compte/jetons/").content.decode()
    assert client.post("/compte/jetons/", {"name": ""}).status_code == 400


def test_organisation_list_query_count_does_not_grow_with_the_page(client, ministry, django_assert_num_queries):
    from tests.factories import OrganisationFactory

    for index in range(40):
        OrganisationFactory(name=f"Service {index}", kind="service", parent=ministry)
    with django_assert_num_queries(2):  # count + one page with parents joined
        body = client.get("/api/v1/organisations", {"kind": "service"}).json()
    assert body["count"] == 40 and len(body["items"]) == 40
    assert {item["parent_slug"] for item in body["items"]} == {ministry.slug}
    assert body["items"][0]["kind_label"] == "Service"
