from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from essaim.accounts import roles
from essaim.core.home import home_page
from essaim.core.selectors import audit_entry_list, platform_health
from essaim.core.typing import AuthenticatedHttpRequest


def home(request: HttpRequest) -> HttpResponse:
    context: dict = {"home": home_page(user=request.user)}
    if request.user.is_authenticated:
        context["role_labels"] = roles.role_labels(request.user)
        context["organisation"] = request.user.organisation
    return render(request, "core/home.html", context)


def static_page(request: HttpRequest, *, template: str, title: str) -> HttpResponse:
    return render(request, template, {"page_title": title})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: only "ok", "degraded" or "error". With the metrics token (Prometheus, the
    operators) or as a programme admin: each check, its timing, error class and queue
    depths; the outbox's latest dead letters with their reason for programme admins only."""
    from essaim.core.metrics import has_metrics_token

    is_admin = request.user.has_perm("core.view_auditlog")
    database_ok, report = platform_health(detail=is_admin)
    body = report if is_admin or has_metrics_token(request) else {"status": report["status"]}
    return JsonResponse(body, status=200 if database_ok else 503)


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_auditlog"):
        raise PermissionDenied
    filters = {
        "action": request.GET.get("action", "").strip()[:80],
        "actor_query": request.GET.get("actor", "").strip()[:100],
        "target_query": request.GET.get("target", "").strip()[:100],
    }
    page = Paginator(audit_entry_list(**filters), 50).get_page(request.GET.get("page"))
    # django-dsfr's pagination names each page link only when it has this list.
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    return render(
        request,
        "core/audit_log.html",
        {"page_obj": page, "filters": filters, "page_title": _("Journal d’audit")},
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


DATABASE_RETRY_AFTER_S = 5


def error_500(request: HttpRequest) -> HttpResponse:
    """An unexpected error answers 500; the database being out of reach (stopped,
    restarting, a lock or statement timeout) answers 503 with Retry-After, so that clients
    and load balancers retry instead of reporting a bug. Rendered without the request
    context: the context processors would query the database again."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        message = _("Le service est momentanément indisponible. Réessayez dans quelques secondes.")
        response: HttpResponse
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render({"message": message}), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
