"""What the site exposes beyond its pages (issue 14, point 7), one middleware each:

- `NoStoreMiddleware`: `Cache-Control: no-store, private` on every answer to a signed-in
  person and on every API answer, so that a shared computer's cache or a proxy never keeps
  a page with personal data or a freshly shown API token.
- `AdminAllowListMiddleware`: the Django admin answers only to client addresses in
  `ADMIN_ALLOWED_NETWORKS` (empty: everyone, the default outside production); elsewhere it
  is a 404, as for a page that does not exist.
- `IdleTimeoutMiddleware`: a session unused for `SESSION_IDLE_TIMEOUT_S` ends (0: off, the
  default outside production); activity is written at most once a minute.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from essaim.core.client_ip import client_ip

Handler = Callable[[HttpRequest], HttpResponse]
LAST_SEEN_KEY = "_essaim_last_seen"


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/") or "HTTP_AUTHORIZATION" in request.META:
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


class AdminAllowListMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        networks = _networks(tuple(settings.ADMIN_ALLOWED_NETWORKS))
        if networks and request.path.startswith("/admin/"):
            address = client_ip(request)
            try:
                allowed = address is not None and any(ipaddress.ip_address(address) in n for n in networks)
            except ValueError:
                allowed = False
            if not allowed:
                raise Http404
        return self.get_response(request)


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.SESSION_IDLE_TIMEOUT_S
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int) and now - last_seen > timeout:
                logout(request)
            elif not isinstance(last_seen, int) or now - last_seen >= 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
