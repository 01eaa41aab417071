from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

if TYPE_CHECKING:
    from essaim.accounts.models import User


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer essaim_…` — a personal token created in « Mon compte » or
    with `manage.py create_api_token`."""

    openapi_description = "Jeton personnel d’API (Authorization: Bearer essaim_…)"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from essaim.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF enforced on writes)."""


def auth_user(request: HttpRequest) -> User:
    """The person ninja authenticated for this request (`request.auth`, set by `authenticated`:
    both ways in return a `User`)."""
    from essaim.accounts.models import User

    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError
    return user


def optional_user(request: HttpRequest) -> Any:
    """The reader of a public endpoint: whoever a personal token or the browser session
    authenticates, else an anonymous visitor. A token that does not authenticate is refused
    (401), never silently read as anonymous: an integration must learn its token is dead."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = PersonalTokenAuth().authenticate(request, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise AuthenticationError
        return user
    return request.user


#: Either way in. Bearer first: integrations send no cookie.
authenticated = [PersonalTokenAuth(), BrowserSessionAuth()]
