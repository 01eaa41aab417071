"""The directory's competence filter finds people by the competences they hold (a parent
matches its children), names the levels, and lists each person's ministry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.framework.models import Competency, FrameworkVersion, Level
from tests.factories import OrganisationFactory
from tests.network.conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(framework):
    parent = Competency.objects.create(framework=framework, code="methodes", name="Méthodes d’animation", position=0)
    Competency.objects.filter(framework=framework, code__in=["world-cafe", "forum-ouvert"]).update(parent=parent)
    for rank, name in [(1, "Découvrir"), (2, "Pratiquer"), (3, "Maîtriser"), (4, "Transmettre")]:
        Level.objects.filter(framework=framework, rank=rank).update(name=name)
    assert FrameworkVersion.objects.current() == framework
    return parent


def test_a_parent_competence_finds_the_holders_of_its_children(client, agent, course, places, tree):
    beauvau = OrganisationFactory(name="Ministère de l’Intérieur")
    member(course, email="cafe@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3}, ministry=beauvau)
    member(course, email="forum@x.gouv.fr", departement=places["paris"], levels={"forum-ouvert": 1})
    client.force_login(agent)
    page = client.get(reverse("network:directory"), {"competency": "methodes"}).content.decode()
    assert page.count("/reseau/personnes/") == 2
    assert "Animer un world café (Maîtriser)" in page
    assert "Ministère de l’Intérieur" in page
    assert "– Animer un world café" in page  # the choice is shown under its parent
    page = client.get(reverse("network:directory"), {"competency": "methodes", "min_level": "2"}).content.decode()
    assert page.count("/reseau/personnes/") == 1
    assert "2. Pratiquer" in page and "4. Transmettre" in page
    page = client.get(reverse("network:directory"), {"competency": "forum-ouvert"}).content.decode()
    assert page.count("/reseau/personnes/") == 1 and "Animer un forum ouvert (Découvrir)" in page
