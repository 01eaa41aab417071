from __future__ import annotations

import datetime as dt
import logging
from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.accounts import roles
from essaim.accounts.forms import (
    AffiliationForm,
    ApiTokenForm,
    MagicLinkRequestForm,
    PasswordLoginForm,
    ProfileForm,
)
from essaim.accounts.models import ApiToken
from essaim.accounts.proconnect import LINK_PENDING_SESSION_KEY, LOGOUT_STATE_SESSION_KEY, proconnect_logout_url
from essaim.accounts.services import (
    affiliation_change,
    api_token_create,
    api_token_revoke,
    magic_link_consume,
    magic_link_request,
    proconnect_link_confirm,
    user_update_profile,
)
from essaim.core.client_ip import client_ip
from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.organisations.selectors import affiliation_history

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or "core:home")
    magic_form = MagicLinkRequestForm(prefix="magic")
    password_form = PasswordLoginForm(prefix="password")
    if request.method == "POST" and request.POST.get("method") == "magic":
        magic_form = MagicLinkRequestForm(request.POST, prefix="magic")
        if magic_form.is_valid():
            try:
                magic_link_request(
                    email=magic_form.cleaned_data["email"], ip_address=client_ip(request), next_url=next_url
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("accounts:magic-link-sent")
    elif request.method == "POST" and request.POST.get("method") == "password" and settings.PASSWORD_LOGIN_ENABLED:
        password_form = PasswordLoginForm(request.POST, prefix="password")
        if password_form.is_valid():
            user = authenticate(
                request,
                username=password_form.cleaned_data["email"],
                password=password_form.cleaned_data["password"],
            )
            if user is not None:
                login(request, user, backend="essaim.accounts.backends.LockoutModelBackend")
                return redirect(next_url or "core:home")
            if getattr(request, "essaim_login_locked", False):
                password_form.add_error(
                    None,
                    _(
                        "Trop d’essais infructueux depuis cette connexion : la connexion par mot de passe est "
                        "bloquée pendant 15 minutes. Vous pouvez recevoir un lien de connexion par courriel."
                    ),
                )
            else:
                password_form.add_error(None, _("Adresse électronique ou mot de passe incorrect."))
    return render(
        request,
        "accounts/login.html",
        {
            "magic_form": magic_form,
            "password_form": password_form,
            "next": next_url,
            "page_title": _("Se connecter"),
        },
        status=400 if request.method == "POST" else 200,
    )


def magic_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/magic_link_sent.html", {"page_title": _("Vérifiez votre messagerie")})


@require_http_methods(["GET", "POST"])
def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST uses the link, so mail scanners that follow
    links cannot burn it."""
    if request.method == "POST":
        try:
            user, next_url = magic_link_consume(secret=token, ip_address=client_ip(request))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:login")
        login(request, authenticate(request, magic_link_user=user))
        messages.success(request, _("Vous êtes connecté."))
        return redirect(_safe_next(request, next_url) or "core:home")
    return render(request, "accounts/magic_link_confirm.html", {"page_title": _("Se connecter")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_authenticated and request.session.get("oidc_id_token")):
        logout(request)
        messages.info(request, _("Vous êtes déconnecté."))
        return redirect("core:home")
    end_session_url = proconnect_logout_url(request)
    state = request.session[LOGOUT_STATE_SESSION_KEY]
    logout(request)
    request.session[LOGOUT_STATE_SESSION_KEY] = state
    # A page, not a redirect: ProConnect hops through the agent's identity provider on an
    # origin we cannot list, and browsers apply our CSP form-action to every redirect that
    # follows this form submission. A navigation from a page is not a form submission.
    return render(
        request,
        "accounts/logout_proconnect.html",
        {"end_session_url": end_session_url, "page_title": _("Déconnexion de ProConnect")},
    )


def logged_out(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop(LOGOUT_STATE_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if request.user.is_authenticated or not expected or not constant_time_compare(str(state), str(expected)):
        # Not the answer to our own logout request: claim nothing.
        logger.warning("ProConnect post-logout return with an unknown state, ignored")
        return redirect("core:home")
    messages.info(request, _("Vous êtes déconnecté de Essaim et de ProConnect."))
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def proconnect_link(request: HttpRequest, token: str) -> HttpResponse:
    """The proof link mailed to an account's address: GET shows a button, POST binds."""
    if request.method == "POST":
        try:
            proconnect_link_confirm(
                secret=token,
                presented_token_ids=request.session.get(LINK_PENDING_SESSION_KEY) or [],
                ip_address=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:login")
        if request.user.is_authenticated:
            logout(request)
        messages.success(
            request,
            _("Votre identité ProConnect est reliée à votre compte. Connectez-vous maintenant avec ProConnect."),
        )
        return redirect("accounts:login")
    return render(
        request, "accounts/proconnect_link_confirm.html", {"page_title": _("Relier votre identité ProConnect")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    profile_form = ProfileForm(
        initial={
            "given_name": user.given_name,
            "usual_name": user.usual_name,
            "preferred_language": user.preferred_language,
            "region": user.region_id,
            "mute_optional_notifications": user.mute_optional_notifications,
        },
        prefix="profile",
    )
    affiliation_form = AffiliationForm(prefix="affiliation")
    status = 200
    if request.method == "POST" and "profile-preferred_language" in request.POST:
        profile_form = ProfileForm(request.POST, prefix="profile")
        if profile_form.is_valid():
            user_update_profile(user=user, acting_user=user, **profile_form.cleaned_data)
            language = profile_form.cleaned_data["preferred_language"]
            with translation.override(language):
                messages.success(request, _("Votre profil est enregistré."))
            response = redirect("accounts:profile")
            # The new preference wins over an earlier choice made with the language switch.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            return response
        status = 400
    elif request.method == "POST" and "affiliation-organisation" in request.POST:
        affiliation_form = AffiliationForm(request.POST, prefix="affiliation")
        if affiliation_form.is_valid():
            try:
                affiliation_change(
                    user=user,
                    organisation=affiliation_form.cleaned_data["organisation"],
                    unit=affiliation_form.cleaned_data["unit"],
                    start_date=affiliation_form.cleaned_data["start_date"],
                    acting_user=user,
                )
            except ServiceError as exc:
                affiliation_form.add_service_error(exc)
                status = 400
            else:
                messages.success(request, _("Votre nouvelle affectation est enregistrée."))
                return redirect("accounts:profile")
        else:
            status = 400
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_form": profile_form,
            "affiliation_form": affiliation_form,
            "affiliations": affiliation_history(user=user),
            "role_assignments": user.role_assignments.active().select_related("organisation"),
            "role_labels": roles.role_labels(user),
            "page_title": _("Mon compte"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm()
    created_secret = None
    status = 200
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            expires = form.cleaned_data["expires_at"]
            expires_at = timezone.make_aware(dt.datetime.combine(expires, dt.time(23, 59, 59))) if expires else None
            try:
                _token, created_secret = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=expires_at,
                    acting_user=request.user,
                )
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "created_secret": created_secret, "page_title": _("Jetons d’API")},
        status=status,
    )


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    if not request.user.has_perm("accounts.revoke_apitoken", token):
        raise PermissionDenied
    api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("accounts:api-tokens")
