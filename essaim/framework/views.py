from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.framework.forms import FrameworkImportForm, FrameworkNewDraftForm
from essaim.framework.models import FrameworkVersion
from essaim.framework.selectors import framework_current, framework_tree, framework_versions
from essaim.framework.services import (
    framework_export,
    framework_export_csv,
    framework_import,
    framework_import_csv,
    framework_new_draft,
    framework_publish,
)


def _visible_framework(request: HttpRequest, version: str) -> FrameworkVersion:
    """A published version, or a draft for those allowed to see drafts; otherwise 404
    (a draft's existence is not revealed)."""
    framework = get_object_or_404(FrameworkVersion.objects.select_related("based_on"), version=version)
    if not framework.is_frozen and not request.user.has_perm("framework.view_draft", framework):
        raise Http404
    return framework


def _render_framework(
    request: HttpRequest,
    framework: FrameworkVersion | None,
    *,
    is_current: bool,
    new_draft_form: FrameworkNewDraftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_create_draft = framework is not None and framework.is_frozen and user.has_perm("framework.create_draft")
    if can_create_draft and new_draft_form is None:
        new_draft_form = FrameworkNewDraftForm()
    return render(
        request,
        "framework/detail.html",
        {
            "framework": framework,
            "tree": framework_tree(framework=framework) if framework else None,
            "versions": framework_versions(include_drafts=user.has_perm("framework.view_draft")),
            "is_current": is_current,
            "can_import": user.has_perm("framework.import_framework"),
            "can_publish": framework is not None
            and not framework.is_frozen
            and user.has_perm("framework.publish_framework", framework),
            "new_draft_form": new_draft_form if can_create_draft else None,
            "page_title": _("Référentiel de compétences — version %(version)s") % {"version": framework.version}
            if framework
            else _("Référentiel de compétences"),
        },
        status=status,
    )


@require_GET
def framework_current_view(request: HttpRequest) -> HttpResponse:
    return _render_framework(request, framework_current(), is_current=True)


@require_GET
def framework_detail(request: HttpRequest, version: str) -> HttpResponse:
    framework = _visible_framework(request, version)
    current = framework_current() if framework.is_frozen else None
    return _render_framework(request, framework, is_current=current is not None and current.pk == framework.pk)


@require_GET
def framework_export_json(request: HttpRequest, version: str) -> HttpResponse:
    framework = _visible_framework(request, version)
    body = json.dumps(framework_export(framework=framework), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referentiel-essaim-{framework.version}.json"'
    return response


@require_GET
def framework_export_csv_view(request: HttpRequest, version: str) -> HttpResponse:
    framework = _visible_framework(request, version)
    response = HttpResponse(framework_export_csv(framework=framework), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referentiel-essaim-{framework.version}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def framework_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("framework.import_framework"):
        raise PermissionDenied
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["format"] == "json":
                framework = framework_import(data=data["data"], acting_user=request.user)
            else:
                framework = framework_import_csv(
                    text=data["text"], version=data["version"], title=data["title"], acting_user=request.user
                )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("La version %(version)s est importée en brouillon. Relisez-la avant de la publier.")
                % {"version": framework.version},
            )
            return redirect("framework:detail", version=framework.version)
    return render(
        request,
        "framework/import.html",
        {"form": form, "page_title": _("Importer une version du référentiel")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def framework_publish_view(request: AuthenticatedHttpRequest, version: str) -> HttpResponse:
    framework = get_object_or_404(FrameworkVersion, version=version)
    if not request.user.has_perm("framework.publish_framework", framework):
        raise PermissionDenied
    try:
        framework_publish(framework=framework, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("La version %(version)s est publiée.") % {"version": framework.version})
    return redirect("framework:detail", version=framework.version)


@login_required
@require_POST
def framework_new_draft_view(request: AuthenticatedHttpRequest, version: str) -> HttpResponse:
    source = get_object_or_404(FrameworkVersion.objects.select_related("based_on"), version=version)
    if not request.user.has_perm("framework.create_draft", source):
        raise PermissionDenied
    form = FrameworkNewDraftForm(request.POST)
    if form.is_valid():
        try:
            draft = framework_new_draft(source=source, version=form.cleaned_data["version"], acting_user=request.user)
        except ServiceError as exc:
            form.add_error("version", exc.message)
        else:
            messages.success(
                request,
                _("Le brouillon %(version)s est créé à partir de la version %(source)s.")
                % {"version": draft.version, "source": source.version},
            )
            return redirect("framework:detail", version=draft.version)
    return _render_framework(request, source, is_current=False, new_draft_form=form, status=400)
