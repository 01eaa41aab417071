from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve
from ninja.testing import TestClient

from essaim.framework.api import router
from essaim.framework.services import framework_import, framework_load_seed
from tests.framework.conftest import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    # A throwaway API around the router: works whether or not essaim/api/api.py mounts it yet.
    return TestClient(router)


def test_no_published_version_is_404(api, draft):
    response = api.get("/framework")
    assert response.status_code == 404 and "Aucune version" in response.json()["detail"]


def test_current_and_given_versions_are_served_as_the_open_data_document(api):
    framework_load_seed()
    older = framework_import(data=make_document(version="2025.1"), acting_user=None, publish=True)
    framework_import(data=make_document(version="2027.1"), acting_user=None)  # a draft

    current = api.get("/framework").json()
    assert current["version"] == "2025.1"  # the latest published
    assert current["licence"] == "etalab-2.0"
    assert [level["code"] for level in current["levels"]] == ["decouvrir", "pratiquer", "maitriser"]

    seed = api.get("/framework/2026.1").json()
    assert seed["version"] == "2026.1" and len(seed["levels"]) == 4
    assert seed["competencies"][1]["parent"] == "facilitation"
    assert set(seed["competencies"][1]["descriptors"]) == {"decouvrir", "pratiquer", "maitriser", "transmettre"}
    assert older.version == "2025.1"

    assert api.get("/framework/2027.1").status_code == 404  # drafts are not served
    assert api.get("/framework/1999.9").status_code == 404


def _mounted() -> bool:
    try:
        resolve("/api/v1/framework")
    except Resolver404:
        return False
    return True


@pytest.mark.skipif(
    not _mounted(), reason="essaim/api/api.py does not mount essaim.framework.api.router yet (lead engineer)"
)
def test_the_framework_is_published_in_the_api(client, django_assert_num_queries):
    framework_load_seed()
    with django_assert_num_queries(4):  # framework, levels, competencies, descriptors
        response = client.get("/api/v1/framework")
    assert response.status_code == 200 and response.json()["version"] == "2026.1"
    assert client.get("/api/v1/framework/2026.1").status_code == 200
    assert client.get("/api/v1/framework/1999.9").status_code == 404
    assert "/api/v1/framework/{version}" in client.get("/api/v1/openapi.json").json()["paths"]
