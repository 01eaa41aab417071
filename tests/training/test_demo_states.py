"""seed_demo shows sessions in every state, and their counts agree with their registrations."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from essaim.training.backoffice_selectors import managed_session_list
from essaim.training.models import Registration, Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_has_every_state_with_coherent_counts():
    call_command("seed_demo", verbosity=0)
    states = set(Session.objects.trainings().values_list("status", flat=True))
    assert states == {Session.Status.DRAFT, Session.Status.PUBLISHED, Session.Status.DONE, Session.Status.CANCELLED}
    draft = Session.objects.get(status=Session.Status.DRAFT)
    slots = list(draft.slots.order_by("starts_at"))
    assert len(slots) >= 2 and (slots[1].starts_at - slots[0].starts_at).days == 7  # a half-day a week
    assert not draft.registrations.exists()
    cancelled = Session.objects.get(status=Session.Status.CANCELLED)
    assert not cancelled.registrations.filter(status__in=Registration.ACTIVE).exists()
    assert cancelled.registrations.filter(status=Registration.Status.SESSION_CANCELLED).count() == 2
    assert Registration.objects.filter(status=Registration.Status.REQUESTED).count() == 3
    admin = UserFactory(is_superuser=True)
    for session in managed_session_list(user=admin):
        held = session.registrations.filter(status__in=Registration.HOLDING).count()
        assert session.seats_held == held <= session.capacity
        assert session.waiting == session.registrations.filter(status=Registration.Status.WAITLISTED).count()
        assert (session.venue == "remote") == (session.format == "remote")  # the format follows the venue
