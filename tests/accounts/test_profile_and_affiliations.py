from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from essaim.accounts.services import affiliation_change
from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.organisations.models import Affiliation

pytestmark = pytest.mark.django_db


def test_changing_post_keeps_the_history_and_moves_the_person(agent, other_ministry, directorate):
    affiliation_change(user=agent, organisation=directorate, acting_user=agent, start_date=dt.date(2024, 1, 1))
    affiliation_change(
        user=agent,
        organisation=other_ministry,
        unit="Bureau B",
        acting_user=agent,
        start_date=dt.date(2026, 9, 1),
    )
    agent.refresh_from_db()
    assert agent.organisation == other_ministry and agent.unit == "Bureau B"
    history = list(Affiliation.objects.filter(user=agent).order_by("start_date"))
    assert [(a.organisation, a.end_date) for a in history] == [
        (directorate, dt.date(2026, 9, 1)),
        (other_ministry, None),
    ]
    assert AuditEntry.objects.filter(action="organisations.affiliation.change", target_id=str(agent.pk)).count() == 2


def test_a_new_post_cannot_start_before_the_current_one(agent, other_ministry, directorate):
    affiliation_change(user=agent, organisation=directorate, acting_user=agent, start_date=dt.date(2026, 1, 1))
    with pytest.raises(ServiceError):
        affiliation_change(user=agent, organisation=other_ministry, acting_user=agent, start_date=dt.date(2025, 1, 1))


def test_database_refuses_two_current_posts(agent, directorate, other_ministry):
    Affiliation.objects.create(user=agent, organisation=directorate, start_date=dt.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(user=agent, organisation=other_ministry, start_date=dt.date(2026, 2, 1))


def test_profile_page_updates_profile_and_post(client, agent, other_ministry):
    client.force_login(agent)
    response = client.post(
        reverse("accounts:profile"),
        # A name the factory's Faker never draws: the change must show in the audit entry.
        {"profile-given_name": "Zéphyrine", "profile-usual_name": "Perrin", "profile-preferred_language": "en"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.given_name, agent.preferred_language) == ("Zéphyrine", "en")
    entry = AuditEntry.objects.get(action="accounts.user.update")
    assert entry.actor == agent and entry.actor_role == "self" and "given_name" in entry.changes

    response = client.post(
        reverse("accounts:profile"),
        {"affiliation-organisation": other_ministry.pk, "affiliation-unit": "Cellule X"},
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    assert other_ministry.name in page and "Cellule X" in page


def test_profile_rejects_bad_input_with_field_errors(client, agent):
    client.force_login(agent)
    response = client.post(reverse("accounts:profile"), {"profile-preferred_language": "xx"})
    assert response.status_code == 400
    response = client.post(reverse("accounts:profile"), {"affiliation-organisation": "999999"})
    assert response.status_code == 400


def test_profile_requires_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_interface_follows_the_profile_language(client, agent):
    agent.preferred_language = "en"
    agent.save()
    client.force_login(agent)
    assert 'lang="en"' in client.get("/").content.decode()
    # The language switch still wins.
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert 'lang="fr"' in client.get("/").content.decode()
    # Saving the profile in English switches the interface back at once.
    client.post(reverse("accounts:profile"), {"profile-preferred_language": "en", "profile-given_name": "A"})
    assert 'lang="en"' in client.get("/").content.decode()
