"""Background jobs of accounts (Huey)."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_task


@db_task(retries=2, retry_delay=10)
def touch_api_token(token_id: int, used_at: str) -> None:
    """Record when a token was last used, off the request path: a sign-up burst should not
    wait for this bookkeeping write (it is informational, shown in « Mes jetons »)."""
    from essaim.accounts.models import ApiToken

    when = dt.datetime.fromisoformat(used_at)
    ApiToken.objects.filter(pk=token_id).exclude(last_used_at__gte=when).update(last_used_at=when)
