from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.practice.forms import PracticeEntryForm
from essaim.practice.models import PracticeEntry
from essaim.practice.services import practice_entry_create


@login_required
@require_http_methods(["GET", "POST"])
def practice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PracticeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice_entry_create(user=request.user, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
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
