"""Pages of the delegation: the public page, « Ma candidature », and the programme admins'
back office (calls, selection with its balance, report).

Each view finds the object (404), checks the permission on it (403), parses the input,
calls one service and shows its refusals (ServiceError) as alerts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.shortcuts import require_or_404
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.delegation import selectors, services
from essaim.delegation.forms import ApplicationForm, CallForm, ReportForm, SelectionFilterForm
from essaim.delegation.models import Application, Call

MANAGE = "delegation.manage_call"


def _breadcrumb(current: str, *links: tuple[str, str]) -> dict[str, Any]:
    return {
        "links": [
            {"url": reverse("delegation:backoffice"), "title": _("Délégation aux Rencontres")},
            *({"url": url, "title": title} for url, title in links),
        ],
        "current": current,
        "root_dir": "",
    }


def _require_manager(request: AuthenticatedHttpRequest, call: Call | None = None) -> None:
    if call is not None:
        require_or_404(request.user, MANAGE, call)  # a call you do not manage answers as absent
    elif not request.user.has_perm(MANAGE, call):
        raise PermissionDenied


# Public and personal pages ------------------------------------------------------------------


def public(request: HttpRequest) -> HttpResponse:
    call = selectors.current_call()
    user: Any = request.user
    return render(
        request,
        "delegation/public.html",
        {
            "call": call,
            "window_open": bool(call and call.window_is_open()),
            "past": selectors.past_calls(exclude=call),
            "can_manage": user.is_authenticated and user.has_perm(MANAGE),
            "page_title": _("Délégation aux Rencontres Européennes de la Participation"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_application(request: AuthenticatedHttpRequest) -> HttpResponse:
    call = selectors.current_call()
    application = selectors.application_of(call=call, user=request.user) if call else None
    editable = bool(
        call and call.window_is_open() and (application is None or application.status == Application.Status.SUBMITTED)
    )
    initial = (
        {"motivation": application.motivation, "availability_note": application.availability_note}
        if application
        else None
    )
    form = ApplicationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if call is None or not editable:
            messages.error(request, _("Les candidatures ne sont pas ouvertes."))
            return redirect("delegation:mine")
        if form.is_valid():
            try:
                if application is None:
                    services.application_submit(call=call, user=request.user, **form.cleaned_data)
                    messages.success(request, _("Votre candidature est enregistrée."))
                else:
                    services.application_update(application=application, acting_user=request.user, **form.cleaned_data)
                    messages.success(request, _("Votre candidature est modifiée."))
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                return redirect("delegation:mine")
        else:
            status = 400
    return render(
        request,
        "delegation/my_application.html",
        {
            "call": call,
            "application": application,
            "outcome_public": bool(call and call.selection_is_public),
            "editable": editable,
            "is_trained": services.is_trained(request.user),
            "form": form,
            "page_title": _("Ma candidature à la délégation"),
        },
        status=status,
    )


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    if not request.user.has_perm("delegation.change_application", application):
        raise Http404  # other people's applications do not exist for you
    try:
        services.application_withdraw(application=application, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Votre candidature est retirée."))
    return redirect("delegation:mine")


# Back office ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def backoffice(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CallForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                call = services.call_create(data=form.to_data(), acting_user=request.user)
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                messages.success(request, _("L’appel %(year)s est créé (brouillon).") % {"year": call.year})
                return redirect("delegation:call", pk=call.pk)
        else:
            status = 400
    return render(
        request,
        "delegation/backoffice/list.html",
        {
            "calls": _calls(),
            "form": form,
            "page_title": _("Délégation aux Rencontres"),
        },
        status=status,
    )


def _calls() -> Any:
    return Call.objects.annotate(
        n_applications=Count("applications", filter=~Q(applications__status=Application.Status.WITHDRAWN)),
        n_selected=Count("applications", filter=Q(applications__status=Application.Status.SELECTED)),
    ).order_by("-year")


@login_required
@require_http_methods(["GET", "POST"])
def call_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("report"), pk=pk)
    _require_manager(request, call)
    form = CallForm.for_call(call, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.call_update(call=call, data=form.to_data(), acting_user=request.user)
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                messages.success(request, _("L’appel est enregistré."))
                return redirect("delegation:call", pk=call.pk)
        else:
            status = 400
    next_statuses = [
        Call.Status(s) for s in Call.TRANSITIONS[call.status] if s in (Call.Status.OPEN, Call.Status.CLOSED)
    ]
    return render(
        request,
        "delegation/backoffice/call.html",
        {
            "call": call,
            "form": form,
            "next_statuses": [(s.value, s.label) for s in next_statuses],
            "report_form": ReportForm() if call.status == Call.Status.SELECTION_PUBLISHED else None,
            "breadcrumb_data": _breadcrumb(str(call)),
            "page_title": str(call),
        },
        status=status,
    )


@login_required
@require_POST
def call_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    _require_manager(request, call)
    try:
        services.call_set_status(call=call, status=request.POST.get("status", ""), acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Statut de l’appel modifié."))
    return redirect("delegation:call", pk=pk)


@login_required
@require_POST
def call_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    _require_manager(request, call)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Le compte rendu est incomplet : titre et résumé sont obligatoires."))
        return redirect("delegation:call", pk=pk)
    try:
        services.call_report_publish(call=call, data=form.to_data(), acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Le compte rendu est publié dans la bibliothèque."))
    return redirect("delegation:call", pk=pk)


@login_required
def selection(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    _require_manager(request, call)
    form = SelectionFilterForm(request.GET or None, call=call)
    if form.is_bound:
        form.is_valid()
    applications = list(selectors.applications_for_selection(call=call, **form.filters()))
    return render(
        request,
        "delegation/backoffice/selection.html",
        {
            "call": call,
            "form": form,
            "applications": applications,
            "balance": selectors.selection_balance(call=call),
            "decisions": [
                (Application.Status.SELECTED, _("Sélectionner")),
                (Application.Status.RESERVE, _("Liste complémentaire")),
                (Application.Status.NOT_SELECTED, _("Ne pas retenir")),
            ],
            "can_decide": call.status in (Call.Status.OPEN, Call.Status.CLOSED, Call.Status.SELECTION_PUBLISHED)
            and not call.window_is_open(),
            "can_publish": call.status in (Call.Status.CLOSED, Call.Status.SELECTION_PUBLISHED),
            "query": request.GET.urlencode(),
            "breadcrumb_data": _breadcrumb(_("Sélection"), (reverse("delegation:call", args=[pk]), str(call))),
            "page_title": _("Sélection — %(call)s") % {"call": call},
        },
    )


def _selection_url(call_id: int, query: str) -> str:
    url = reverse("delegation:selection", args=[call_id])
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
    _require_manager(request, application.call)
    try:
        application = services.application_decide(
            application=application, decision=request.POST.get("decision", ""), acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Candidature de %(name)s : %(status)s.")
            % {"name": application.user.full_name, "status": application.get_status_display()},
        )
    return redirect(_selection_url(application.call_id, request.POST.get("query", "")))


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    _require_manager(request, call)
    try:
        sent = services.selection_publish(call=call, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sélection publiée : %(count)s personnes prévenues.") % {"count": sent})
    return redirect("delegation:selection", pk=pk)
