"""ProConnect sign-in on top of mozilla-django-oidc.

mozilla-django-oidc checks the signature and the nonce but neither the audience nor the
issuer of the id_token, and it lets a bad token surface as an HTTP 400. We check both
claims, and turn every refusal into a translated message on the login page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from essaim.core.exceptions import ServiceError

logger = logging.getLogger(__name__)

REFUSAL_SESSION_KEY = "proconnect_refusal"


class ProConnectRefused(SuspiciousOperation):
    """A token or claim we will not accept; `reason` is shown to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProConnectBackend(OIDCAuthenticationBackend):
    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.ExpiredSignatureError as exc:
            raise ProConnectRefused(_("Votre jeton ProConnect a expiré. Reconnectez-vous.")) from exc
        except SuspiciousOperation as exc:
            if "Nonce" in str(exc):
                raise ProConnectRefused(
                    _("La réponse de ProConnect ne correspond pas à votre demande de connexion (nonce).")
                ) from exc
            raise ProConnectRefused(_("La signature de la réponse de ProConnect n’est pas valide.")) from exc
        except jwt.InvalidTokenError as exc:
            raise ProConnectRefused(_("La réponse de ProConnect n’est pas valide.")) from exc
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise ProConnectRefused(_("La réponse de ProConnect n’est pas destinée à Essaim (audience)."))
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise ProConnectRefused(_("La réponse ne vient pas du fournisseur ProConnect attendu (émetteur)."))
        return payload

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view passes `nonce`: other sign-ins (password, magic link) must
        # never reach the token endpoint, even with ?code=&state= in their URL.
        if request is None or not settings.PROCONNECT_ENABLED or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except ProConnectRefused as exc:
            logger.warning("ProConnect sign-in refused: %s", exc.reason)
            request.session[REFUSAL_SESSION_KEY] = exc.reason
        except ServiceError as exc:
            request.session[REFUSAL_SESSION_KEY] = exc.message
        except (requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("ProConnect unreachable or answered badly: %r", exc)
            request.session[REFUSAL_SESSION_KEY] = _(
                "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes."
            )
        return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        from essaim.accounts.services import user_sign_in_with_proconnect

        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise ProConnectRefused(_("Les informations d’identité ne correspondent pas au jeton reçu."))
        return user_sign_in_with_proconnect(claims=claims)


class ProConnectLoginView(OIDCAuthenticationRequestView):
    """Starts the sign-in; absent when no ProConnect domain is configured."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.PROCONNECT_ENABLED:
            raise Http404
        return super().get(request)


class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if "code" in request.GET and "state" in request.GET:
            states = request.session.get("oidc_states") or {}
            if request.GET["state"] not in states:
                request.session[REFUSAL_SESSION_KEY] = _(
                    "Votre demande de connexion a expiré ou a été ouverte dans un autre navigateur. Réessayez."
                )
                return self.login_failure()
        if request.GET.get("error"):
            request.session[REFUSAL_SESSION_KEY] = _("La connexion avec ProConnect a été interrompue.")
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        reason = self.request.session.pop(REFUSAL_SESSION_KEY, None) or _(
            "La connexion avec ProConnect a échoué. Réessayez."
        )
        messages.error(self.request, reason)
        return super().login_failure()


def proconnect_logout_url(request: HttpRequest) -> str:
    """Where to send the person so that ProConnect closes its session too."""
    from django.urls import reverse

    id_token = request.session.get("oidc_id_token")
    if not id_token:
        return reverse(settings.LOGOUT_REDIRECT_URL)
    params = {
        "id_token_hint": id_token,
        "state": get_random_string(48),
        "post_logout_redirect_uri": settings.SITE_URL + reverse("accounts:logged-out"),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
