from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from essaim.core.exceptions import ServiceError
from essaim.practice.services import practice_entry_confirm, practice_entry_create

pytestmark = pytest.mark.django_db


def _entry(user, **overrides):
    values = {
        "date": timezone.localdate() - dt.timedelta(days=3),
        "title": "Atelier de co-construction",
        "method": "World café",
        "participants": 15,
    }
    values.update(overrides)
    return practice_entry_create(user=user, acting_user=user, **values)


def test_an_agent_logs_a_workshop_and_a_trainer_confirms_it(agent, trainer):
    entry = _entry(agent)
    assert trainer.has_perm("practice.confirm_entry", entry)
    assert not agent.has_perm("practice.confirm_entry", entry)
    practice_entry_confirm(entry=entry, acting_user=trainer)
    entry.refresh_from_db()
    assert entry.confirmed_by == trainer and entry.confirmed_at


@pytest.mark.parametrize(
    "overrides",
    [
        {"date": timezone.localdate() + dt.timedelta(days=1)},
        {"participants": 0},
        {"title": "  "},
    ],
)
def test_bad_entries_are_refused(agent, overrides):
    with pytest.raises(ServiceError):
        _entry(agent, **overrides)
    assert not agent.practice_entries.exists()


def test_nobody_confirms_their_own_entry(agent):
    entry = _entry(agent)
    with pytest.raises(ServiceError):
        practice_entry_confirm(entry=entry, acting_user=agent)


def test_organiser_sees_entries_of_their_people_only(agent, other_agent, organiser):
    mine = _entry(agent)
    theirs = _entry(other_agent)
    assert organiser.has_perm("practice.view_entry", mine)
    assert not organiser.has_perm("practice.view_entry", theirs)


def test_practice_page_logs_an_entry_and_refuses_a_future_date(client, agent):
    from django.urls import reverse

    client.force_login(agent)
    assert client.get(reverse("practice:list")).status_code == 200
    data = {
        "date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "title": "Atelier",
        "method": "Forum ouvert",
        "participants": "12",
    }
    assert client.post(reverse("practice:list"), data).status_code == 302
    assert agent.practice_entries.count() == 1
    data["date"] = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(reverse("practice:list"), data)
    assert response.status_code == 400 and "futur" in response.content.decode()
    assert agent.practice_entries.count() == 1
