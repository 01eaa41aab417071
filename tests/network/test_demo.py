from __future__ import annotations

import pytest
from django.core.management import call_command

from essaim.network.models import DirectoryProfile, FacilitationRequest, Invitation

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_members_in_several_regions_and_a_request_with_invitations():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    regions = set(DirectoryProfile.objects.listed().values_list("region_id", flat=True))
    assert len(regions) >= 3
    assert FacilitationRequest.objects.count() == 1
    assert Invitation.objects.count() == 2


def test_seed_demo_shows_labs_in_four_regions_with_pilots_at_every_stage():
    from essaim.accounts.models import Role, RoleAssignment
    from essaim.library.models import Resource
    from essaim.network.models import Pilot
    from essaim.organisations.models import Organisation

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    labs = Organisation.objects.labs()
    assert labs.values("region").distinct().count() >= 4
    coordinated = RoleAssignment.objects.active().filter(role=Role.LAB_COORDINATOR, organisation__in=labs)
    assert coordinated.values("organisation").distinct().count() >= 4
    statuses = set(Pilot.objects.values_list("status", flat=True))
    assert {"proposed", "declined", "framing", "workshops", "experiment", "done"} <= statuses
    published = Pilot.objects.get(status="done").case_study
    assert published.type == Resource.Type.CASE_STUDY and published.status == Resource.Status.PUBLISHED
