"""Collections: personal or curated, ordered, public or private; never a window on a
resource the viewer may not see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.library.models import Resource
from essaim.library.services import collection_add, collection_create
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db


def test_an_agent_builds_an_ordered_public_collection_that_hides_agents_only_resources(client, agent, other_agent):
    first = make_resource("Le world café", "Conversations.")
    second = make_resource("Réservée", "Pour les agents.", visibility=Resource.Visibility.AGENTS)
    third = make_resource("Le forum ouvert", "Ordre du jour ouvert.")
    client.force_login(agent)
    response = client.post(reverse("library:collections"), {"title": "Mes méthodes", "is_public": "on"})
    collection = agent.library_collections.get()
    assert response.status_code == 302
    for resource in (third, second, first):
        assert (
            client.post(
                reverse("library:collection-add", args=[resource.pk]), {"collection": collection.pk}
            ).status_code
            == 302
        )
    page = client.get(reverse("library:collection", args=[collection.pk])).content.decode()
    assert page.index("Le forum ouvert") < page.index("Réservée") < page.index("Le world café")

    client.logout()
    public_page = client.get(reverse("library:collection", args=[collection.pk])).content.decode()
    assert "Le forum ouvert" in public_page
    assert "Réservée" not in public_page

    with pytest.raises(ServiceError, match="Seule la personne"):
        collection_add(collection=collection, resource=first, acting_user=other_agent)


def test_private_collections_and_curation(client, agent, programme_admin, public_resource):
    private = collection_create(owner=agent, title="Privée", acting_user=agent)
    assert client.get(reverse("library:collection", args=[private.pk])).status_code == 404
    with pytest.raises(ServiceError, match="Seule l’équipe"):
        collection_create(owner=agent, title="Sélection", is_curated=True, acting_user=agent)
    curated = collection_create(
        owner=programme_admin,
        title="Sélection du programme",
        is_curated=True,
        is_public=True,
        acting_user=programme_admin,
    )
    collection_add(collection=curated, resource=public_resource, acting_user=programme_admin)
    listing = client.get(reverse("library:collections")).content.decode()
    assert "Sélection du programme" in listing
    assert "Privée" not in listing
