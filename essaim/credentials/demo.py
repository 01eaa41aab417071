"""Demo credentials: the demo completions get their attestation and badge (used by `seed_demo`)."""

from __future__ import annotations

from essaim.credentials.services import credentials_issue_missing


def demo_credentials_load() -> dict[str, int]:
    """Issue what the worker would have issued; idempotent (one credential per completion)."""
    return {"issued": credentials_issue_missing(limit=10_000)}
