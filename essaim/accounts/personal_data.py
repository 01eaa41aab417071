"""The account: identity, posts, roles, tokens, sign-in traces."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from essaim.accounts.models import ApiToken, LoginAttempt, LoginToken, ProConnectIdentity, RoleAssignment, User
from essaim.core.personal_data import ANONYMOUS_DOMAIN
from essaim.organisations.models import Affiliation


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict[str, Any]:
    return {
        "profile": {
            "email": user.email,
            "given_name": user.given_name,
            "usual_name": user.usual_name,
            "sign_in": user.auth_source,
            "organisation": str(user.organisation) if user.organisation_id else None,
            "unit": user.unit,
            "region": str(user.region) if user.region_id else None,
            "preferred_language": user.preferred_language,
            "mute_optional_notifications": user.mute_optional_notifications,
            "date_joined": _date(user.date_joined),
            "last_login": _date(user.last_login),
        },
        "posts": [
            {
                "organisation": str(a.organisation),
                "unit": a.unit,
                "start_date": _date(a.start_date),
                "end_date": _date(a.end_date),
                "source": a.source,
            }
            for a in Affiliation.objects.filter(user=user).select_related("organisation").order_by("start_date")
        ],
        "roles": [
            {
                "role": r.get_role_display(),
                "organisation": str(r.organisation) if r.organisation_id else None,
                "granted_at": _date(r.granted_at),
                "revoked_at": _date(r.revoked_at),
            }
            for r in RoleAssignment.objects.filter(user=user).select_related("organisation")
        ],
        "api_tokens": [
            {"name": t.name, "created_at": _date(t.created_at), "last_used_at": _date(t.last_used_at)}
            for t in ApiToken.objects.filter(user=user)
        ],
        "proconnect_identities": [
            {"identity_provider": i.idp_id, "linked_at": _date(i.created_at), "last_login_at": _date(i.last_login_at)}
            for i in ProConnectIdentity.objects.filter(user=user).order_by("created_at")
        ],
        "sign_in_attempts": [
            {"kind": a.kind, "succeeded": a.succeeded, "at": _date(a.created_at), "ip_address": a.ip_address}
            for a in LoginAttempt.objects.filter(email=user.email).order_by("-created_at")[:200]
        ],
    }


def anonymise(user: User) -> dict[str, int]:
    email = user.email
    counts = {
        "api_tokens": ApiToken.objects.filter(user=user).delete()[0],
        "login_links": LoginToken.objects.filter(user=user).delete()[0],
        # Unbound: signing in again with ProConnect opens a new account, not this empty one.
        "proconnect_identities": ProConnectIdentity.objects.filter(user=user).delete()[0],
        "sign_in_attempts": LoginAttempt.objects.filter(email=email).delete()[0],
        "roles": RoleAssignment.objects.filter(user=user).delete()[0],
        "posts": Affiliation.objects.filter(user=user).update(unit=""),
    }
    # Organisation and region stay: they are what statistics count, not who the person is.
    user.email = f"anonyme-{user.pk}{ANONYMOUS_DOMAIN}"
    user.given_name = user.usual_name = user.unit = ""
    user.proconnect_sub = None
    user.proconnect_uid = user.proconnect_idp_id = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    return counts


def retention(now: dt.datetime) -> dict[str, int]:
    """Accounts unused for ACCOUNT_RETENTION_DAYS are anonymised. (Sign-in traces and links
    are purged after a week by `core.tasks.purge_expired_login_material`.)"""
    from essaim.core.personal_data import personal_data_erase

    cutoff = now - dt.timedelta(days=settings.ACCOUNT_RETENTION_DAYS)
    stale = User.objects.filter(is_active=True, date_joined__lt=cutoff).exclude(last_login__gte=cutoff)
    erased = 0
    for user in stale.exclude(email__endswith=ANONYMOUS_DOMAIN).iterator():
        personal_data_erase(user=user, acting_user=None)
        erased += 1
    return {"accounts_anonymised": erased}
