"""The audit log keeps who did what to whom, not the words an organiser wrote about a person
(issue 14, point 7): those stay in the registration's history and the message, under their
own retention and erasure rules."""

from __future__ import annotations

import pytest

from essaim.core.models import AuditEntry
from essaim.training.models import Session
from essaim.training.services import registration_cancel, registration_create, registration_decline
from essaim.training.sessions import session_message_send
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db

WORDS = "absence prolongée pour raison médicale"


def _audit_text(action: str) -> str:
    entries = AuditEntry.objects.filter(action=action)
    assert entries.exists(), action
    return " ".join(f"{e.summary} {e.changes}" for e in entries)


def test_a_decline_reason_is_not_copied_into_the_audit_log(intro_course, ministry, organiser, agent):
    session = make_session(intro_course, ministry, capacity=5, approval_mode=Session.ApprovalMode.ORGANISER)
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    registration_decline(registration=registration, reason=f"Dossier incomplet : {WORDS}", acting_user=organiser)
    assert "médicale" not in _audit_text("training.registration.decline")


def test_a_cancellation_note_and_a_message_subject_are_not_copied(intro_course, ministry, organiser, agent):
    session = make_session(intro_course, ministry, capacity=5)
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    session_message_send(
        session=session, audience="booked", subject=f"Au sujet de {WORDS}", body="Bonjour.", acting_user=organiser
    )
    assert "médicale" not in _audit_text("training.session.message")
    registration_cancel(registration=registration, acting_user=organiser, note=WORDS)
    assert "médicale" not in _audit_text("training.registration.cancel")
