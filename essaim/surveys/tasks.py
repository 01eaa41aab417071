"""Periodic jobs of the surveys and of the rollups (Huey)."""

from __future__ import annotations

import logging

from huey import crontab

from essaim.core.queues import mail_periodic_task

logger = logging.getLogger(__name__)


@mail_periodic_task(crontab(minute="*/15"))
def send_surveys() -> None:
    """Find new completions (after-session survey), completions three months old
    (follow-up survey) and unanswered invitations a week old (one reminder)."""
    from essaim.surveys.services import invitations_remind_due, invitations_send_due

    sent = invitations_send_due()
    reminded = invitations_remind_due()
    if sent or reminded:
        logger.info("surveys: %s invitations, %s reminders", sent, reminded)
