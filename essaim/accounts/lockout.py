"""Password login throttling that an attacker cannot turn against the account's owner.

A plain "five failures lock the account" lets anyone lock anyone out, and does nothing
against one address trying one password on many accounts. Instead (OWASP Authentication
cheat sheet, "device cookies"):

- **per address and account**: `LOGIN_LOCKOUT_ATTEMPTS` failures for one account from one
  client address lock that pair for `LOGIN_LOCKOUT_WINDOW_S` (brute force of one account);
- **per address**: `LOGIN_IP_MAX_FAILURES` failures from one address, whatever the accounts,
  lock the address (password spraying);
- **per account**: `LOGIN_ACCOUNT_MAX_FAILURES` failures on one account from all addresses
  (a distributed attack) lock it — for browsers that never signed in to it;
- **a browser that signed in to the account before** carries a signed device cookie; it
  skips the three limits above and has its own counter (`LOGIN_LOCKOUT_ATTEMPTS` failures
  lock that cookie only). The owner, on their usual browser, is never locked out by others.

The sign-in link by e-mail stays open in every case. Client addresses come from
`core/client_ip.py` (behind the proxy, not the proxy's own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from essaim.accounts.models import LoginAttempt
from essaim.core.client_ip import rate_limit_address

DEVICE_SALT = "essaim.accounts.login-device"
DEVICE_MAX_AGE_S = 180 * 24 * 3600


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _failures(*, window_s: int, **filters: object) -> int:
    since = timezone.now() - dt.timedelta(seconds=window_s)
    return LoginAttempt.objects.filter(
        kind=LoginAttempt.Kind.PASSWORD, succeeded=False, created_at__gte=since, **filters
    ).count()


def device_of(request: HttpRequest | None, email: str) -> str | None:
    """The nonce of a valid device cookie this browser holds for this account, if any."""
    if request is None:
        return None
    raw = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE_S)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != _email_key(email):
        return None
    nonce = value.get("n")
    return nonce if isinstance(nonce, str) else None


def _device_cache_key(nonce: str) -> str:
    return f"login-device-failures:{nonce}"


def password_login_refused(*, request: HttpRequest | None, email: str, ip_address: str | None) -> bool:
    window = settings.LOGIN_LOCKOUT_WINDOW_S
    ip_address = rate_limit_address(ip_address)
    device = device_of(request, email)
    if device is not None:
        return int(cache.get(_device_cache_key(device), 0)) >= settings.LOGIN_LOCKOUT_ATTEMPTS
    email = email.strip().lower()
    if ip_address and _failures(window_s=window, ip_address=ip_address) >= settings.LOGIN_IP_MAX_FAILURES:
        return True
    if _failures(window_s=window, email=email, ip_address=ip_address) >= settings.LOGIN_LOCKOUT_ATTEMPTS:
        return True
    return _failures(window_s=window, email=email) >= settings.LOGIN_ACCOUNT_MAX_FAILURES


def password_login_record(*, request: HttpRequest | None, email: str, ip_address: str | None, succeeded: bool) -> None:
    email = email.strip().lower()
    ip_address = rate_limit_address(ip_address)
    LoginAttempt.objects.create(
        kind=LoginAttempt.Kind.PASSWORD, email=email[:254], ip_address=ip_address, succeeded=succeeded
    )
    device = device_of(request, email)
    if succeeded:
        # The owner got in from here: their failures from this address stop counting.
        LoginAttempt.objects.filter(
            kind=LoginAttempt.Kind.PASSWORD, email=email, ip_address=ip_address, succeeded=False
        ).delete()
        if device is not None:
            cache.delete(_device_cache_key(device))
        if request is not None:
            request.essaim_new_login_device = email  # type: ignore[attr-defined]
    elif device is not None:
        key = _device_cache_key(device)
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_WINDOW_S)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_WINDOW_S)


class LoginDeviceMiddleware:
    """Hands a device cookie to a browser right after a successful password login (the
    app's login page and the Django admin's go through the same backend)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        email = getattr(request, "essaim_new_login_device", None)
        if email:
            value = signing.dumps({"a": _email_key(email), "n": secrets.token_urlsafe(16)}, salt=DEVICE_SALT)
            response.set_cookie(
                settings.LOGIN_DEVICE_COOKIE_NAME,
                value,
                max_age=DEVICE_MAX_AGE_S,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
                path="/",
            )
        return response
