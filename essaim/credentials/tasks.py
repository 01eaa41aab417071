"""Background jobs of credentials (Huey)."""

from __future__ import annotations

from huey import crontab

from essaim.core.queues import reports_periodic_task, reports_task


@reports_task(retries=3, retry_delay=30)
def issue_credentials(completion_ids: list[int]) -> None:
    """Issue the credentials of new completions (recorded in the outbox by session_close)."""
    from essaim.credentials.services import credential_issue
    from essaim.training.models import Completion

    for completion in Completion.objects.filter(pk__in=completion_ids).order_by("pk"):
        credential_issue(completion=completion)


@reports_periodic_task(crontab(minute="*/15"))
def issue_missing_credentials() -> None:
    """Catch-up when the signing key was missing for longer than the outbox's retries (a
    lost task is the outbox's business now: ADR 0060)."""
    from essaim.credentials.services import credentials_issue_missing

    credentials_issue_missing()
