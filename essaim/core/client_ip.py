"""The address of the person making a request, behind our own reverse proxies.

Behind nginx, `REMOTE_ADDR` is the proxy's for everyone. `X-Forwarded-For` is believed only
when the request comes from a proxy listed in `TRUSTED_PROXIES` (addresses or networks), and
only as far as the chain of trusted proxies goes: read from the right (the hop nearest to
us), skip our own proxies, and the first address that is not one of them is the client. Any
address a client wrote further left is ignored, so a forged header changes nothing. An
unreadable entry stops the walk at the last hop we trust.

`ClientIpMiddleware` works it out once per request (`request.client_ip`) and for the
duration of the request (`current_client_ip()`, read by `audit_log`), so rate limits, login
attempts and the audit log all see the same address.

Rate limits count an IPv6 client by its /64 network (`rate_limit_address`): one subscriber
line or one cloud machine gets a whole /64, and would otherwise have 2^64 fresh addresses
to spread its attempts across (RFC 6177, OWASP's rate-limiting guidance).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current: ContextVar[str | None] = ContextVar("essaim_client_ip", default=None)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip_from(remote_addr: str | None, forwarded_for: str | None) -> str | None:
    remote = _parse(remote_addr or "")
    if remote is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    client = remote
    if is_trusted(remote) and forwarded_for:
        for entry in reversed(forwarded_for.split(",")):
            hop = _parse(entry)
            if hop is None:
                break
            client = hop
            if not is_trusted(hop):
                break
    return str(client)


def rate_limit_address(address: str | None) -> str | None:
    """What a per-address limit counts: an IPv4 address as it is, an IPv6 one as its /64
    network address ("2001:db8:1:2::"), which also keeps less of the person's address."""
    parsed = _parse(address) if address else None
    if parsed is None:
        return None
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    known = getattr(request, "client_ip", None)
    if known is not None:
        return str(known)
    return client_ip_from(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def current_client_ip() -> str | None:
    return _current.get()


class ClientIpMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_ip_from(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))
        request.client_ip = address  # type: ignore[attr-defined]
        token = _current.set(address)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
