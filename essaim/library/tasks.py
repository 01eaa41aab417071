"""Background jobs of the library (Huey), delivered through the outbox: moderation
e-mails, and the text of uploaded documents for the search index."""

from __future__ import annotations

from essaim.core.queues import mail_task, reports_task


@reports_task(retries=3, retry_delay=30)
def extract_file_text(file_id: int) -> None:
    """Read an uploaded document's text and index it (CPU-heavy: the reports queue)."""
    from essaim.core.outbox import is_last_attempt
    from essaim.library.services import resource_file_text_extract, resource_file_text_fail

    try:
        # `again`: a file marked failed by a dead letter is read once more when a programme
        # admin retries the message, or when a later delivery of it comes (storage back).
        resource_file_text_extract(file_id=file_id, again=True)
    except Exception:
        if is_last_attempt():
            resource_file_text_fail(file_id=file_id)  # the dead letter: not « en cours » for ever
        raise


@mail_task(retries=3, retry_delay=30)
def notify_resource_submitted(resource_id: int) -> None:
    from essaim.library.notifications import resource_submitted_notify

    resource_submitted_notify(resource_id=resource_id)


@mail_task(retries=3, retry_delay=30)
def notify_resource_reviewed(resource_id: int) -> None:
    from essaim.library.notifications import resource_reviewed_notify

    resource_reviewed_notify(resource_id=resource_id)
