from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from essaim.accounts.models import User
from essaim.core.client_ip import client_ip


class LockoutModelBackend(ModelBackend):
    """Password login (demo accounts, emergency admin access), throttled by `accounts/lockout.py`."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from essaim.accounts.lockout import password_login_record, password_login_refused

        email = (username or kwargs.get("email") or "").strip().lower()
        if not settings.PASSWORD_LOGIN_ENABLED or not email or password is None:
            return None
        ip_address = client_ip(request)
        if password_login_refused(request=request, email=email, ip_address=ip_address):
            if request is not None:
                request.essaim_login_locked = True  # type: ignore[attr-defined]
            return None
        user = super().authenticate(request, username=email, password=password, **kwargs)
        password_login_record(request=request, email=email, ip_address=ip_address, succeeded=user is not None)
        return user


class MagicLinkBackend(ModelBackend):
    """Logs in a user already resolved by `magic_link_consume`."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # Same signature as ModelBackend: the user arrives as `magic_link_user=`; any other
        # credentials (a password login) are not for this backend.
        magic_link_user = kwargs.get("magic_link_user")
        if not isinstance(magic_link_user, User) or not magic_link_user.is_active:
            return None
        return magic_link_user
