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
