"""The practice log can be corrected and deleted by its author only, with sane bounds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.core.models import AuditEntry
from essaim.practice.models import PracticeEntry
from essaim.practice.services import practice_entry_confirm, practice_entry_create

pytestmark = pytest.mark.django_db


def _entry(user, **overrides):
    values = {
        "date": timezone.localdate() - dt.timedelta(days=3),
        "title": "Atelier de co-construction",
        "method": "World café",
        "participants": 15,
    } | overrides
    return practice_entry_create(user=user, acting_user=user, **values)


def _post(entry, **overrides):
    return {
        "date": entry.date.isoformat(),
        "title": entry.title,
        "method": entry.method,
        "audience": "",
        "participants": str(entry.participants),
        "outcome": "",
    } | overrides


@pytest.mark.parametrize("participants", ["100000", "501", "0", "-3", "beaucoup"])
def test_absurd_participant_counts_are_refused_with_a_message(client, agent, participants):
    client.force_login(agent)
    data = _post(_entry(agent), participants=participants)
    response = client.post(reverse("practice:list"), data)
    assert response.status_code == 400
    assert PracticeEntry.objects.count() == 1


def test_the_author_corrects_an_entry_and_its_confirmation_is_withdrawn(client, agent, trainer):
    entry = _entry(agent)
    practice_entry_confirm(entry=entry, acting_user=trainer)
    client.force_login(agent)
    url = reverse("practice:edit", args=[entry.pk])
    page = client.get(url).content.decode()
    assert "le corriger retire la confirmation" in page and f'value="{entry.date.isoformat()}"' in page
    response = client.post(url, _post(entry, participants="22", title="Atelier corrigé"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.participants, entry.title, entry.confirmed_at) == (22, "Atelier corrigé", None)
    assert AuditEntry.objects.filter(action="practice.entry.update").exists()
    assert client.post(url, _post(entry, participants="100000")).status_code == 400
    entry.refresh_from_db()
    assert entry.participants == 22


def test_the_author_deletes_an_entry_after_confirming(client, agent):
    entry = _entry(agent)
    client.force_login(agent)
    page = client.get(reverse("practice:list")).content.decode()
    assert f'aria-controls="confirm-delete-{entry.pk}"' in page
    client.post(reverse("practice:delete", args=[entry.pk]))
    assert not PracticeEntry.objects.exists()
    assert AuditEntry.objects.filter(action="practice.entry.delete").exists()


def test_someone_else_gets_a_404_and_changes_nothing(client, agent, other_agent):
    entry = _entry(agent)
    client.force_login(other_agent)
    assert client.get(reverse("practice:edit", args=[entry.pk])).status_code == 404
    assert client.post(reverse("practice:edit", args=[entry.pk]), _post(entry, title="X")).status_code == 404
    assert client.post(reverse("practice:delete", args=[entry.pk])).status_code == 404
    assert client.get(reverse("practice:edit", args=[999_999])).status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Atelier de co-construction"
