"""Background jobs of the library (Huey): moderation e-mails, sent after commit."""

from __future__ import annotations

from essaim.core.queues import mail_task


@mail_task(retries=3, retry_delay=30)
def notify_resource_submitted(resource_id: int) -> None:
    from essaim.library.notifications import resource_submitted_notify

    resource_submitted_notify(resource_id=resource_id)


@mail_task(retries=3, retry_delay=30)
def notify_resource_reviewed(resource_id: int) -> None:
    from essaim.library.notifications import resource_reviewed_notify

    resource_reviewed_notify(resource_id=resource_id)
