"""ProConnect sign-in on top of mozilla-django-oidc.

mozilla-django-oidc checks the signature and the nonce but neither the audience, the
issuer nor the `acr` of the id_token; it lets a bad token surface as an HTTP 400, swallows
any `SuspiciousOperation` raised while reading userinfo, and reports a provider's OAuth
error (`invalid_grant`…) as an HTTP error. We check those claims, raise our own exception
type (not a SuspiciousOperation), and turn every refusal into its own translated message
on the login page; the provider's `error` / `error_description` go to the log.
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


LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"
#: Ids of the pending link proofs this browser presented an identity for (see
#: `proconnect_link_confirm`): a mailed proof binds only where the identity was presented.
LINK_PENDING_SESSION_KEY = "proconnect_link_pending"


class ProConnectRefused(Exception):
    """A token or claim we will not accept; `reason` is shown to the person.

    Deliberately not a SuspiciousOperation: mozilla-django-oidc catches those around
    `get_or_create_user` and replaces them with its generic failure.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _oauth_error(response: requests.Response) -> tuple[str, str]:
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("error") or ""), str(data.get("error_description") or "")


def authorization_error_message(error: str) -> str:
    """The person-readable text for an `error` ProConnect sends back to the callback."""
    if error == "access_denied":
        return _(
            "ProConnect n’a pas pu vous connecter avec le niveau de sécurité demandé, ou vous avez annulé la connexion."
        )
    if error == "invalid_scope":
        return _(
            "ProConnect refuse les informations demandées par Essaim (scope). Signalez-le à l’équipe du programme."
        )
    if error in {"login_required", "consent_required", "interaction_required"}:
        return _("ProConnect demande que vous vous connectiez à nouveau. Réessayez.")
    return _("La connexion avec ProConnect a été interrompue.")


class ProConnectBackend(OIDCAuthenticationBackend):
    def raise_token_response_error(self, response: requests.Response) -> None:
        if response.status_code == 200:
            return
        error, description = _oauth_error(response)
        logger.warning(
            "ProConnect token endpoint answered %s: error=%r error_description=%r",
            response.status_code,
            error,
            description,
        )
        if error == "invalid_grant":
            raise ProConnectRefused(
                _("Ce code de connexion a expiré ou a déjà servi. Reconnectez-vous avec ProConnect.")
            )
        if error in {"invalid_client", "unauthorized_client"}:
            raise ProConnectRefused(
                _("ProConnect ne reconnaît pas Essaim (identifiants du service). Signalez-le à l’équipe du programme.")
            )
        if error:
            raise ProConnectRefused(_("ProConnect a refusé la connexion. Réessayez."))
        super().raise_token_response_error(response)

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Accept only the signing algorithms configured for ProConnect (never `none`)."""
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
        except jwt.InvalidTokenError as exc:
            raise ProConnectRefused(_("La réponse de ProConnect n’est pas valide.")) from exc
        if alg not in settings.PROCONNECT_SIGN_ALGS:
            raise ProConnectRefused(
                _("La réponse de ProConnect n’est pas signée avec un algorithme accepté (%(alg)s).") % {"alg": alg}
            )
        try:
            return jwt.decode(payload, key, algorithms=[alg], options={"verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise
        except jwt.InvalidTokenError as exc:
            raise ProConnectRefused(_("La signature de la réponse de ProConnect n’est pas valide.")) from exc

    def retrieve_matching_jwk(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise ProConnectRefused(_("La réponse de ProConnect n’est pas valide.")) from exc
        if header.get("alg") not in settings.PROCONNECT_SIGN_ALGS:
            raise ProConnectRefused(
                _("La réponse de ProConnect n’est pas signée avec un algorithme accepté (%(alg)s).")
                % {"alg": header.get("alg")}
            )
        if "kid" not in header:
            raise ProConnectRefused(_("La signature de la réponse de ProConnect n’est pas valide."))
        return super().retrieve_matching_jwk(token)

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
        if "nonce" in kwargs:
            # The id_token (userinfo carries no acr): eidas1 or stronger, as asked.
            acr = payload.get("acr")
            if acr not in settings.PROCONNECT_ACR_VALUES:
                logger.warning("ProConnect sign-in refused: acr %r not in %r", acr, settings.PROCONNECT_ACR_VALUES)
                raise ProConnectRefused(
                    _(
                        "Votre connexion ProConnect n’a pas le niveau de sécurité demandé par Essaim "
                        "(niveau reçu : %(acr)s). Connectez-vous avec un compte professionnel plus sûr."
                    )
                    % {"acr": acr or _("aucun")}
                )
        return payload

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view passes `nonce`: other sign-ins (password, magic link) must
        # never reach the token endpoint, even with ?code=&state= in their URL.
        if request is None or not settings.PROCONNECT_ENABLED or "nonce" not in kwargs:
            return None
        try:
            user = super().authenticate(request, **kwargs)
        except ProConnectRefused as exc:
            logger.warning("ProConnect sign-in refused: %s", exc.reason)
            request.session[REFUSAL_SESSION_KEY] = exc.reason
            user = None
        except ServiceError as exc:
            request.session[REFUSAL_SESSION_KEY] = exc.message
            user = None
        except (requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("ProConnect unreachable or answered badly: %r", exc)
            request.session[REFUSAL_SESSION_KEY] = _(
                "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes."
            )
            user = None
        if user is None:
            # mozilla-django-oidc stores the tokens before reading userinfo: a refused
            # sign-in must leave nothing behind (no logout through ProConnect with them).
            for key in ("oidc_id_token", "oidc_access_token"):
                request.session.pop(key, None)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        from essaim.accounts.services import user_sign_in_with_proconnect

        claims = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise ProConnectRefused(_("Les informations d’identité ne correspondent pas au jeton reçu."))
        outcome = user_sign_in_with_proconnect(claims=claims, issuer=str(payload["iss"]))
        if outcome.user is None:
            if outcome.link_token_id is not None:
                pending = list(self.request.session.get(LINK_PENDING_SESSION_KEY) or [])
                if outcome.link_token_id not in pending:
                    self.request.session[LINK_PENDING_SESSION_KEY] = [*pending[-9:], outcome.link_token_id]
            raise ProConnectRefused(
                _(
                    "Un compte Essaim existe déjà pour l’adresse que ProConnect nous a transmise. "
                    "Pour y relier votre identité ProConnect, ouvrez le lien que nous venons d’envoyer "
                    "à cette adresse, puis reconnectez-vous."
                )
            )
        return outcome.user


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
            error = str(request.GET["error"])[:100]
            logger.warning(
                "ProConnect sign-in refused by the provider: error=%r error_description=%r",
                error,
                str(request.GET.get("error_description", ""))[:500],
            )
            request.session[REFUSAL_SESSION_KEY] = authorization_error_message(error)
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        reason = self.request.session.pop(REFUSAL_SESSION_KEY, None) or _(
            "La connexion avec ProConnect a échoué. Réessayez."
        )
        messages.error(self.request, reason)
        return super().login_failure()


def proconnect_logout_url(request: HttpRequest) -> str:
    """Where to send the person so that ProConnect closes its session too.

    The `state` is kept so that the return page believes only the provider's own answer.
    """
    from django.urls import reverse

    id_token = request.session.get("oidc_id_token")
    if not id_token:
        return reverse(settings.LOGOUT_REDIRECT_URL)
    state = get_random_string(48)
    request.session[LOGOUT_STATE_SESSION_KEY] = state
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": settings.SITE_URL + reverse("accounts:logged-out"),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
