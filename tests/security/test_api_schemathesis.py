"""Schemathesis over the OpenAPI schema, in process (WSGI): generated requests to every
operation, anonymous and with a personal API token. No server error, and every response —
status code, content type, headers, body — conforms to the schema; authentication is not
ignored.

Not checked: whether the schema describes *inputs* as tightly as the services validate them
(schemathesis' positive_data_acceptance / negative_data_rejection): a few filters are plain
strings in the schema and refused with a 422 and a sentence when unknown (docs/SECURITY.md)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from essaim.accounts.services import api_token_create
from essaim.wsgi import application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

MAX_EXAMPLES = 10  # per operation and way in: ~30 operations × 2 × 10 requests


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the real WSGI handler would close the connection (and
    with it the test's transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "token"])
def auth_headers(request, directorate):
    if request.param == "anonymous":
        return {}
    user = UserFactory(email="api.schemathesis@exemple.gouv.fr", organisation=directorate)
    _token, secret = api_token_create(user=user, name="schemathesis", acting_user=user)
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_schema(case, auth_headers):
    case.call_and_validate(
        headers=auth_headers, excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection]
    )


@pytest.mark.parametrize("url", ["/api/v1/organisations", "/api/v1/sessions", "/api/v1/network/directory"])
def test_a_page_number_past_the_databases_integers_is_refused_not_a_server_error(client, auth_headers, url):
    response = client.get(url, {"page": 179947950702579318784}, headers=auth_headers)
    assert response.status_code in (401, 422), response.content
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sessions/99999999999999999999999",
        "/api/v1/resources/99999999999999999999999",
        "/api/v1/network/directory?ministry=99999999999999999999999",
    ],
)
def test_an_identifier_past_the_databases_integers_is_refused_not_a_server_error(client, auth_headers, url):
    response = client.get(url, headers=auth_headers)
    assert response.status_code in (200, 401, 404, 422), response.content  # 200: nothing matches
