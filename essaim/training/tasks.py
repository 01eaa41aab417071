"""Background jobs of the training lifecycle (Huey)."""

from __future__ import annotations

import logging

from huey import crontab

from essaim.core.queues import booking_periodic_task, booking_task, mail_periodic_task, mail_task

logger = logging.getLogger(__name__)


@booking_task(retries=3, retry_delay=5)
def offer_freed_seats(session_id: int) -> None:
    from essaim.training.services import session_offer_freed_seats

    session_offer_freed_seats(session_id=session_id)


@booking_periodic_task(crontab(minute="*/5"))
def sweep_waiting_lists() -> None:
    """Backup for the on-commit promotion: expire stale offers and fill free seats."""
    from essaim.training.services import session_offer_freed_seats, sessions_with_pending_offers

    for session_id in sessions_with_pending_offers():
        session_offer_freed_seats(session_id=session_id)


@mail_task(retries=3, retry_delay=30)
def notify_registration(registration_id: int, kind: str) -> None:
    """E-mail the person about their registration (with its iCalendar invitation)."""
    from essaim.training.notifications import registration_notify

    registration_notify(registration_id=registration_id, kind=kind)


@mail_periodic_task(crontab(minute="*/30"))
def send_reminders() -> None:
    """Reminders 7 days and 1 day before; each sent once for a given session date."""
    from essaim.training.notifications import registration_notify
    from essaim.training.reminders import reminder_claim, reminders_due

    for registration_id, kind, key in reminders_due():
        if reminder_claim(registration_id=registration_id, kind=kind, key=key):
            registration_notify(registration_id=registration_id, kind=kind)


@mail_task(retries=3, retry_delay=30)
def send_session_message(message_id: int, registration_ids: list[int]) -> None:
    """An organiser's message, one e-mail per person; a retry skips those already sent."""
    from essaim.training.notifications import session_message_deliver

    session_message_deliver(message_id=message_id, registration_ids=registration_ids)


@mail_task(retries=3, retry_delay=30)
def notify_slots_removed(registration_id: int, removed: list[dict]) -> None:
    """Cancel removed half-days in the person's calendar (their UIDs, METHOD:CANCEL)."""
    from essaim.training.timetable_notices import slots_removed_notify

    slots_removed_notify(registration_id=registration_id, removed=removed)
