"""« Mes données » : download everything Essaim holds about me, or have my account erased."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from essaim.core.exceptions import ServiceError
from essaim.core.forms import EssaimForm
from essaim.core.personal_data import personal_data_erase, personal_data_export
from essaim.core.typing import AuthenticatedHttpRequest


class ErasureForm(EssaimForm):
    email = forms.EmailField(
        label=gettext_lazy("Pour confirmer, saisissez votre adresse électronique"),
        help_text=gettext_lazy("Format attendu : prenom.nom@exemple.gouv.fr"),
    )
    understood = forms.BooleanField(
        label=gettext_lazy(
            "J’ai compris : mon compte est anonymisé définitivement ; mes inscriptions et formations "
            "validées restent comptées dans les statistiques, sans mon nom."
        )
    )

    def __init__(self, *args: object, user_email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user_email = user_email

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email != self.user_email:
            raise forms.ValidationError(_("Cette adresse n’est pas celle de votre compte."))
        return email


@login_required
def my_data_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/my_data.html",
        {"form": ErasureForm(user_email=request.user.email), "page_title": _("Mes données personnelles")},
    )


@login_required
def my_data_download_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    document = personal_data_export(user=request.user, acting_user=request.user)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="essaim-mes-donnees-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def my_data_erase_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ErasureForm(request.POST, user_email=user.email)
    if not form.is_valid():
        return render(
            request, "accounts/my_data.html", {"form": form, "page_title": _("Mes données personnelles")}, status=400
        )
    try:
        personal_data_erase(user=user, acting_user=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:my-data")
    logout(request)
    messages.success(request, _("Votre compte est anonymisé. Merci d’avoir participé au réseau."))
    return redirect("core:home")
