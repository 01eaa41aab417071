"""Demo credentials: the demo completions get their attestation and badge (used by `seed_demo`)."""

from __future__ import annotations

from essaim.credentials.services import credential_issue
from essaim.training.models import Completion


def demo_credentials_load() -> dict[str, int]:
    """Issue what the worker would have issued; idempotent (one credential per completion)."""
    issued = 0
    for completion in Completion.objects.filter(credential__isnull=True).order_by("pk"):
        credential_issue(completion=completion)
        issued += 1
    return {"issued": issued}
