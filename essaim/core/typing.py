"""Types shared by the views. Nothing here runs: it only tells the type checker more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # Only for the checker: importing models here at runtime would tie this module to
    # the app registry and risk import cycles (accounts imports core).
    from essaim.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `@login_required`: `request.user` is a real `User`,
    never an `AnonymousUser`.

    Annotate such views' `request` with it; Django still passes a plain `HttpRequest`.
    """

    user: User
