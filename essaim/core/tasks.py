"""Background jobs shared by every domain (Huey)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from essaim.core import outbox  # noqa: F401 - registers the outbox delivery task of each queue
from essaim.core.queues import mail_task

logger = logging.getLogger(__name__)


@mail_task(retries=3, retry_delay=30)
def send_email(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one e-mail; retried on transient SMTP failures."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@db_periodic_task(crontab(minute="*/15"))
def purge_expired_login_material() -> None:
    """Drop used or expired magic links and old login attempts (personal data minimised)."""
    from essaim.accounts.services import login_material_purge

    deleted = login_material_purge()
    if deleted:
        logger.info("purged %s expired login rows", deleted)


@db_periodic_task(crontab(minute="20", hour="3"))
def apply_retention_periods() -> None:
    """Nightly: anonymise what has outlived its retention period (docs/PERSONAL_DATA.md)."""
    from essaim.core.personal_data import personal_data_retention

    logger.info("retention: %s", personal_data_retention())


@db_periodic_task(crontab(minute="40", hour="3"))
def purge_delivered_outbox() -> None:
    """Nightly: drop outbox messages delivered more than OUTBOX_KEEP_DAYS ago."""
    from essaim.core.outbox import outbox_purge

    logger.info("outbox: purged %s delivered messages", outbox_purge())
