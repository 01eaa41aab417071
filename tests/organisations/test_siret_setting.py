"""The SIRET decides which organisation ProConnect places an agent in: only programme admins
set it, and each change is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.organisations.models import Organisation
from essaim.organisations.services import organisation_create, organisation_update

pytestmark = pytest.mark.django_db

DGFIP_SIRET = "11000201100044"


def _post_edit(client, organisation, **extra):
    data = {"name": organisation.name, "short_name": "", "region": "", "website": "", "description": "", **extra}
    return client.post(reverse("organisations:edit", args=[organisation.slug]), data)


def test_an_organiser_cannot_set_a_siret_through_the_page(client, organiser, ministry):
    client.force_login(organiser)
    page = client.get(reverse("organisations:edit", args=[ministry.slug])).content.decode()
    assert 'name="siret"' not in page
    assert "seule l’équipe du programme peut le renseigner" in page

    response = _post_edit(client, ministry, siret=DGFIP_SIRET, description="Nouvelle présentation")

    assert response.status_code == 302
    ministry.refresh_from_db()
    assert ministry.siret == "" and ministry.description == "Nouvelle présentation"


def test_the_service_refuses_a_siret_from_anyone_but_a_programme_admin(organiser, ministry):
    with pytest.raises(ServiceError, match="équipe du programme"):
        organisation_update(organisation=ministry, acting_user=organiser, siret=DGFIP_SIRET)
    with pytest.raises(ServiceError, match="équipe du programme"):
        organisation_create(
            name="Service inventé", kind="service", parent=ministry, acting_user=organiser, siret=DGFIP_SIRET
        )
    assert not Organisation.objects.filter(siret=DGFIP_SIRET).exists()
    # Other fields stay editable by the organiser, the same SIRET posted back included.
    organisation_update(organisation=ministry, acting_user=organiser, siret=ministry.siret, short_name="MI")


def test_a_programme_admin_sets_the_siret_and_it_is_audited(client, programme_admin, ministry):
    client.force_login(programme_admin)
    assert 'name="siret"' in client.get(reverse("organisations:edit", args=[ministry.slug])).content.decode()

    assert _post_edit(client, ministry, siret=DGFIP_SIRET).status_code == 302

    ministry.refresh_from_db()
    assert ministry.siret == DGFIP_SIRET
    entry = AuditEntry.objects.get(action="organisations.organisation.siret_change", target_id=str(ministry.pk))
    assert entry.changes == {"siret": [None, DGFIP_SIRET]}
    assert entry.actor == programme_admin
