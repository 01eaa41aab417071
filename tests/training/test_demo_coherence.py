"""The demo data tells a coherent story: nobody completes a session they were not
registered to, so no figure shows more completions than registrations."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from essaim.reporting.models import SessionFigures
from essaim.reporting.rollups import rollups_refresh
from essaim.training.models import Completion, Registration, Session

pytestmark = pytest.mark.django_db


def test_every_demo_completion_comes_from_a_registration():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    completions = Completion.objects.all()
    assert completions.count() > 0
    for completion in completions:
        registration = Registration.objects.get(session_id=completion.session_id, user_id=completion.user_id)
        assert registration.status == Registration.Status.COMPLETED
    seated = Registration.HOLDING | Registration.ATTENDANCE_STATUSES
    for session in Session.objects.all():
        held = session.registrations.filter(status__in=seated).count()
        assert session.completions.count() <= held <= session.capacity, (session.pk, held, session.capacity)
    rollups_refresh()
    for figures in SessionFigures.objects.all():
        assert figures.completions <= figures.registrations, figures.session_id
