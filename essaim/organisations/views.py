from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from essaim.accounts.roles import is_programme_admin
from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.organisations.forms import OrganisationFilterForm, OrganisationForm
from essaim.organisations.models import Organisation
from essaim.organisations.selectors import organisation_children, organisation_list, organisation_members
from essaim.organisations.services import organisation_update


def organisation_list_view(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = {"kind": "", "region": "", "query": ""}
    if form.is_valid():
        region = form.cleaned_data["region"]
        filters = {
            "kind": form.cleaned_data["kind"],
            "region": region.pk if region else "",
            "query": form.cleaned_data["q"].strip(),
        }
    page = Paginator(organisation_list(**filters), 30).get_page(request.GET.get("page"))
    # django-dsfr's pagination names each page link only when it has this list.
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/list.html",
        {"form": form, "page_obj": page, "page_title": _("Organisations")},
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("parent", "region"), slug=slug)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "children": organisation_children(organisation=organisation),
            "can_edit": request.user.has_perm("organisations.change_organisation", organisation),
            "can_view_members": request.user.has_perm("organisations.view_members", organisation),
            "page_title": organisation.name,
        },
    )


@login_required
def organisation_members_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("organisations.view_members", organisation):
        raise PermissionDenied
    page = Paginator(organisation_members(organisation=organisation), 50).get_page(request.GET.get("page"))
    # django-dsfr's pagination names each page link only when it has this list.
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/members.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "page_title": _("Membres — %(org)s") % {"org": organisation},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("organisations.change_organisation", organisation):
        raise PermissionDenied
    initial = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "siret": organisation.siret,
        "region": organisation.region_id,
        "website": organisation.website,
        "description": organisation.description,
    }
    siret_editable = is_programme_admin(request.user)
    form = OrganisationForm(request.POST or None, initial=initial, siret_editable=siret_editable)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=organisation, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("La fiche de l’organisation est enregistrée."))
            return redirect("organisations:detail", slug=organisation.slug)
    return render(
        request,
        "organisations/edit.html",
        {
            "organisation": organisation,
            "form": form,
            "siret_editable": siret_editable,
            "page_title": _("Modifier — %(org)s") % {"org": organisation},
        },
        status=400 if request.method == "POST" else 200,
    )
