"""Credentials: the person's attestations and badges.

Erasure revokes them (the published status list says so to anyone holding a copy) and
drops the stored token and the name from what Essaim keeps: the verification page then
says « revoked » for the code, and nothing about who held it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from essaim.credentials.models import Credential
from essaim.credentials.selectors import verify_url

ERASURE_REASON = "Effacement du compte à la demande de la personne"


def export(user: Any) -> dict[str, Any]:
    return {
        "credentials": [
            {
                "code": c.code,
                "kind": c.kind,
                "course": c.snapshot.get("course_title"),
                "issued_at": c.issued_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                "verification_url": verify_url(c.code),
                "jwt": c.jwt,
            }
            for c in Credential.objects.filter(user=user).order_by("issued_at")
        ]
    }


def anonymise(user: Any) -> dict[str, int]:
    now = timezone.now()
    revoked = Credential.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, revocation_reason=ERASURE_REASON
    )
    credentials = list(Credential.objects.filter(user=user))
    for credential in credentials:
        credential.snapshot = {**credential.snapshot, "name": ""}
        credential.jwt = ""
    Credential.objects.bulk_update(credentials, ["snapshot", "jwt"])
    scrubbed = len(credentials)
    if revoked:
        from django.core.cache import cache

        from essaim.credentials import vc

        cache.delete(vc.STATUS_LIST_CACHE_KEY)
    return {"revoked": revoked, "scrubbed": scrubbed}
