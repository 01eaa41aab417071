from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.practice.forms import PracticeEntryForm
from essaim.practice.models import PracticeEntry
from essaim.practice.services import practice_entry_create, practice_entry_delete, practice_entry_update


@login_required
@require_http_methods(["GET", "POST"])
def practice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PracticeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice_entry_create(user=request.user, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Votre atelier est ajouté à votre journal de pratique."))
            return redirect("practice:list")
    entries = PracticeEntry.objects.filter(user=request.user).select_related("confirmed_by")
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    # django-dsfr's pagination names each page link only when it has this list.
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    return render(
        request,
        "practice/list.html",
        {"form": form, "page_obj": page, "page_title": _("Mon journal de pratique")},
        status=400 if request.method == "POST" else 200,
    )


def _own_entry(request: AuthenticatedHttpRequest, pk: int) -> PracticeEntry:
    """Only the author's own entry: someone else's id is the same 404 as a missing one."""
    return get_object_or_404(PracticeEntry, pk=pk, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    initial = {name: getattr(entry, name) for name in PracticeEntryForm.base_fields}
    form = PracticeEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            practice_entry_update(entry=entry, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("L’atelier est corrigé."))
            return redirect("practice:list")
    return render(
        request,
        "practice/edit.html",
        {"form": form, "entry": entry, "page_title": _("Corriger un atelier")},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def practice_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    practice_entry_delete(entry=entry, acting_user=request.user)
    messages.success(request, _("L’atelier est supprimé de votre journal."))
    return redirect("practice:list")
