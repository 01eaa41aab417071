"""When a person has their account erased, their credentials are revoked and Essaim keeps
neither their name nor the signed token: the code says « revoked », nothing more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.personal_data import personal_data_erase, personal_data_export
from essaim.credentials.models import Credential

pytestmark = pytest.mark.django_db


def test_the_export_lists_my_credentials(credential, agent):
    document = personal_data_export(user=agent, acting_user=agent)
    (exported,) = document["sections"]["credentials"]["credentials"]
    assert exported["code"] == credential.code and exported["jwt"] == credential.jwt


def test_erasure_revokes_and_forgets_the_holder(client, credential, agent):
    name = credential.snapshot["name"]
    assert name
    personal_data_erase(user=agent, acting_user=agent)
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.jwt == "" and credential.snapshot["name"] == ""
    page = client.get(reverse("credentials:verify"), {"code": credential.code}, follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and "révoquée" in text.lower()
    assert name not in text
    assert Credential.objects.filter(user=agent).count() == 1  # its status bit stays published
