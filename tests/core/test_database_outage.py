"""The database goes away (stopped, restarting): pages and the API answer 503 with
Retry-After instead of 500, and the site serves again as soon as it is back, without a
restart (no persistent connection stays broken)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import path

from essaim.accounts.services import api_token_create

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_down(tmp_path: Path) -> Iterator[None]:
    """Point the live connection at a database that does not answer: a port nobody
    listens on (PostgreSQL), a file in a missing directory (SQLite)."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "absent" / "essaim.sqlite3")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_pages_and_api_answer_503_while_the_database_is_away_then_recover(agent, tmp_path):
    secret = api_token_create(user=agent, name="panne", acting_user=agent)[1]
    client = Client(raise_request_exception=False)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    with database_down(tmp_path):
        page = client.get("/sessions/")
        api = client.post("/api/v1/sessions/1/registrations", **bearer)
        health = client.get("/healthz")
        english = client.get("/api/v1/regions", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Service momentanément indisponible" in page.content.decode()
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert "indisponible" in api.json()["detail"]
    assert english.status_code == 503
    assert english.json()["detail"] == "The service is temporarily unavailable. Please try again in a few seconds."
    assert health.status_code == 503
    assert health.json() == {"status": "error"}  # details only with the metrics token

    # Back: the very next requests are served, on the same process.
    assert client.get("/healthz").status_code == 200
    assert client.get("/sessions/").status_code == 200
    assert client.get("/api/v1/me", **bearer).json()["email"] == agent.email


def _bug(request):
    raise ValueError("a bug, not an outage")


urlpatterns = [path("bug/", _bug)]
handler500 = "essaim.core.views.error_500"


def test_other_errors_still_answer_500(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/bug/")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()
    assert "Retry-After" not in response
