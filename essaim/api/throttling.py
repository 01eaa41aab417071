"""API rate limits: per client address for anonymous calls, per token or session for
signed-in ones (the address comes from core/client_ip.py, not the proxy's). Rates are read
from the settings at each call (`API_ANON_RATE`, `API_AUTH_RATE`, "number/period" with
period s, m, h or d). Over the limit: 429 with `Retry-After` (documented in the schema)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from essaim.core.client_ip import client_ip, rate_limit_address


class _ClientAddress:
    setting = ""

    def get_ident(self, request: HttpRequest) -> str | None:
        return rate_limit_address(client_ip(request))

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, self.setting)
        self.rate = rate  # type: ignore[attr-defined]
        self.num_requests, self.duration = self.parse_rate(rate)  # type: ignore[attr-defined]
        return super().allow_request(request)  # type: ignore[misc]


class AnonymousThrottle(_ClientAddress, AnonRateThrottle):
    setting = "API_ANON_RATE"


class SignedInThrottle(_ClientAddress, AuthRateThrottle):
    setting = "API_AUTH_RATE"


def api_throttles() -> list:
    return [AnonymousThrottle(settings.API_ANON_RATE), SignedInThrottle(settings.API_AUTH_RATE)]
