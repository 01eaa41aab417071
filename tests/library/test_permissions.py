"""A draft, a submitted or an agents-only resource never reaches a visitor: not through
pages, search, facets, the API or file URLs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from essaim.library.models import Resource
from essaim.library.selectors import resource_search
from essaim.library.services import ResourceData, Upload, resource_create
from tests.library.conftest import make_resource
from tests.library.test_uploads import minimal_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(partner):
    return resource_create(
        data=ResourceData(title="Délibération proposée", summary="Une délibération en attente."),
        uploads=[Upload("delib.pdf", minimal_pdf("deliberation secrete"))],
        acting_user=partner,
    )


@pytest.fixture
def agents_only_with_file(agent):
    resource = make_resource(
        "Délibération interne", "Réservée aux agents : délibération.", visibility=Resource.Visibility.AGENTS
    )
    from essaim.library.services import resource_update

    return resource_update(
        resource=resource,
        data=ResourceData(
            title=resource.title, summary=resource.summary, visibility=Resource.Visibility.AGENTS, type="guide"
        ),
        uploads=[Upload("interne.pdf", minimal_pdf("deliberation interne"))],
        acting_user=None,
    )


def test_a_visitor_finds_only_public_published_resources(client, submitted, agents_only_with_file, draft_resource):
    public = make_resource("Délibération ouverte", "Publique : délibération.")
    page = resource_search(user=AnonymousUser(), query="délibération")
    assert [hit.resource.pk for hit in page.hits] == [public.pk]
    assert page.total == 1
    # Facets count only what the visitor may see: the agents-only guide is not counted.
    assert {f.value: f.count for f in page.facets["type"]} == {"method": 1}

    response = client.get(reverse("library:list"), {"q": "délibération"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Délibération ouverte" in html
    for hidden in ("Délibération interne", "Délibération proposée", "Brouillon secret"):
        assert hidden not in html
    assert "Guide (1)" not in html


def test_hidden_resources_answer_404_to_a_visitor_on_pages_api_and_files(
    client, submitted, agents_only_with_file, draft_resource
):
    for resource in (submitted, agents_only_with_file, draft_resource):
        assert client.get(reverse("library:detail", args=[resource.pk])).status_code == 404
        assert client.get(f"/api/v1/resources/{resource.pk}").status_code == 404
        for stored in resource.files.all():
            assert client.get(reverse("library:file", args=[resource.pk, stored.pk])).status_code == 404
    data = client.get("/api/v1/resources", {"q": "délibération"}).json()
    assert data["count"] == 0
    assert all(value["count"] == 0 for values in data["facets"].values() for value in values)


def test_an_agent_sees_and_downloads_agents_only_resources(client, agent, agents_only_with_file, submitted):
    client.force_login(agent)
    page = resource_search(user=agent, query="deliberations")
    assert [hit.resource.pk for hit in page.hits] == [agents_only_with_file.pk]
    assert client.get(reverse("library:detail", args=[agents_only_with_file.pk])).status_code == 200
    stored = agents_only_with_file.files.get()
    response = client.get(reverse("library:file", args=[agents_only_with_file.pk, stored.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    agents_only_with_file.refresh_from_db()
    assert agents_only_with_file.download_count == 1
    # Another person's submission stays hidden from an agent.
    assert client.get(reverse("library:detail", args=[submitted.pk])).status_code == 404


def test_the_contributor_and_moderators_see_a_submission(client, partner, programme_admin, submitted):
    client.force_login(partner)
    assert client.get(reverse("library:detail", args=[submitted.pk])).status_code == 200
    client.force_login(programme_admin)
    response = client.get(reverse("library:detail", args=[submitted.pk]))
    assert response.status_code == 200
    assert "Examiner" in response.content.decode()


def test_files_are_not_stored_under_a_guessable_name(submitted):
    stored = submitted.files.get()
    assert stored.name == "delib.pdf"
    assert stored.file.name.startswith(f"library/{submitted.pk}/")
    assert len(stored.file.name.split("/")[2]) == 16  # random folder


def test_only_moderators_open_the_moderation_queue(client, agent, partner, programme_admin, submitted):
    # The partner submitted it (403: theirs, but not theirs to review); the agent may not even
    # see it and learns nothing (404).
    for user, review_status in ((agent, 404), (partner, 403)):
        client.force_login(user)
        assert client.get(reverse("library:moderation")).status_code == 403
        assert client.get(reverse("library:review", args=[submitted.pk])).status_code == review_status
    client.force_login(programme_admin)
    assert "Délibération proposée" in client.get(reverse("library:moderation")).content.decode()


def test_an_agent_cannot_edit_someone_elses_resource(client, agent, submitted, public_resource):
    client.force_login(agent)
    assert client.get(reverse("library:edit", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("library:edit", args=[public_resource.pk])).status_code == 403


def test_the_api_reads_with_a_personal_token_and_refuses_a_dead_one(client, agent, agents_only_with_file):
    from essaim.accounts.services import api_token_create

    _, secret = api_token_create(user=agent, name="intégration", acting_user=agent)
    anonymous = client.get(f"/api/v1/resources/{agents_only_with_file.pk}")
    assert anonymous.status_code == 404
    with_token = client.get(
        f"/api/v1/resources/{agents_only_with_file.pk}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert with_token.status_code == 200
    assert with_token.json()["title"] == agents_only_with_file.title
    found = client.get("/api/v1/resources", {"q": "délibération"}, headers={"Authorization": f"Bearer {secret}"})
    assert [hit["id"] for hit in found.json()["results"]] == [agents_only_with_file.pk]
    # A revoked or mistyped token is an error the integration sees, not a quiet anonymous read.
    dead = client.get("/api/v1/resources", {"q": "délibération"}, headers={"Authorization": "Bearer essaim_nope"})
    assert dead.status_code == 401
    other_scheme = client.get("/api/v1/resources", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert other_scheme.status_code == 401
