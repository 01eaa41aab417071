"""Pages of the resource library. Views parse, check the permission on the object, call
one selector or service, render. A resource a person may not see answers 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.library.forms import CollectionForm, FeedbackForm, ReportForm, ResourceForm, ReviewForm
from essaim.library.models import Collection, Resource, ResourceFile
from essaim.library.selectors import (
    FACETS,
    clean_filters,
    collection_resources,
    collections_for,
    contributions_of,
    moderation_queue,
    open_reports,
    related_resources,
    resource_for_viewer,
    resource_search,
)
from essaim.library.services import (
    collection_add,
    collection_create,
    resource_count,
    resource_create,
    resource_feedback_give,
    resource_report,
    resource_review,
    resource_update,
)

FACET_TITLES = {
    "type": gettext_lazy("Type"),
    "competency": gettext_lazy("Compétence"),
    "licence": gettext_lazy("Licence"),
    "organisation": gettext_lazy("Organisation"),
    "audience": gettext_lazy("Public"),
    "language": gettext_lazy("Langue"),
}


def _page_number(raw: str | None) -> int:
    try:
        return int(raw or 1)
    except ValueError:
        return 1


def resource_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    sort = request.GET.get("tri", "relevance")
    error = ""
    try:
        filters = clean_filters({name: request.GET.getlist(name) for name in FACETS})
        result = resource_search(
            user=request.user, query=query, filters=filters, sort=sort, page=_page_number(request.GET.get("page"))
        )
    except ServiceError as exc:
        error = exc.message
        result = resource_search(user=request.user, query="", filters={}, sort="date")
    base = [(k, v) for k in ("q", "tri", *FACETS) for v in request.GET.getlist(k) if v]
    facets = [(name, FACET_TITLES[name], result.facets.get(name, [])) for name in FACETS]
    return render(
        request,
        "library/list.html",
        {
            "result": result,
            "facets": facets,
            "error": error,
            "query": query[:200],
            "sort": sort,
            "previous_url": "?" + urlencode([*base, ("page", result.page - 1)]),
            "next_url": "?" + urlencode([*base, ("page", result.page + 1)]),
            "can_moderate": request.user.has_perm("library.moderate_resource"),
            "page_title": _("Ressources"),
        },
        status=400 if error else 200,
    )


def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_for_viewer(user=request.user, pk=pk)
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    if resource.status == Resource.Status.PUBLISHED:
        resource_count(resource=resource, what="view")
    return render(
        request,
        "library/detail.html",
        {
            "resource": resource,
            "can_change": request.user.has_perm("library.change_resource", resource),
            "can_moderate": request.user.has_perm("library.moderate_resource", resource)
            and resource.status == Resource.Status.SUBMITTED,
            "can_report": request.user.has_perm("library.report_resource", resource),
            "can_give_feedback": resource.feedback_enabled
            and resource.status == Resource.Status.PUBLISHED
            and request.user.has_perm("library.give_feedback", resource),
            "feedback": resource.feedback.select_related("user")[:20] if resource.feedback_enabled else [],
            "versions": resource.versions.select_related("author")[:20],
            "report_form": ReportForm(),
            "my_collections": list(Collection.objects.filter(owner=request.user))
            if request.user.is_authenticated
            else [],
            "feedback_form": FeedbackForm(),
            "related": related_resources(user=request.user, resource=resource),
            "page_title": resource.title,
        },
    )


def resource_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Files are served only here, after the same permission as the resource: never from a
    raw storage URL."""
    resource = resource_for_viewer(user=request.user, pk=pk)
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    stored = get_object_or_404(ResourceFile, pk=file_pk, resource=resource)
    resource_count(resource=resource, what="download")
    response = FileResponse(
        default_storage.open(str(stored.file.name), "rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def resource_submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = resource_create(data=form.to_data(), uploads=form.uploads(), acting_user=request.user)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Merci ! Votre ressource est proposée : l’équipe la relira avant publication."))
            return redirect(resource)
    return render(
        request,
        "library/form.html",
        {"form": form, "page_title": _("Proposer une ressource"), "resource": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.prefetch_related("links", "competencies"), pk=pk)
    if not request.user.has_perm("library.change_resource", resource):
        if not request.user.has_perm("library.view_resource", resource):
            raise Http404(_("Ressource introuvable."))
        raise PermissionDenied
    form = ResourceForm(request.POST or None, request.FILES or None, initial=ResourceForm.initial_for(resource))
    if request.method == "POST" and form.is_valid():
        try:
            resource_update(
                resource=resource,
                data=form.to_data(),
                uploads=form.uploads(),
                acting_user=request.user,
                submit="submit" in request.POST,
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Modifications enregistrées : une nouvelle version est créée."))
            return redirect(resource)
    return render(
        request,
        "library/form.html",
        {"form": form, "resource": resource, "page_title": _("Modifier la ressource")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_contributions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "library/mine.html",
        {"resources": contributions_of(request.user)[:200], "page_title": _("Mes contributions")},
    )


@login_required
def moderation(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("library.moderate_resource"):
        raise PermissionDenied
    return render(
        request,
        "library/moderation.html",
        {
            "resources": moderation_queue()[:200],
            "reports": open_reports()[:200],
            "page_title": _("Modération des ressources"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.select_related("contributor", "organisation"), pk=pk)
    if not request.user.has_perm("library.view_resource", resource):
        raise Http404  # a hidden resource is not revealed by a 403
    if not request.user.has_perm("library.moderate_resource", resource):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource_review(
                resource=resource,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Décision enregistrée."))
            return redirect("library:moderation")
    return render(
        request,
        "library/review.html",
        {"form": form, "resource": resource, "page_title": _("Examiner une ressource")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = resource_for_viewer(user=request.user, pk=pk)
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    form = ReportForm(request.POST)
    if form.is_valid():
        resource_report(resource=resource, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Merci, votre signalement est transmis à l’équipe."))
    else:
        messages.error(request, _("Choisissez le motif du signalement."))
    return redirect(resource)


@login_required
@require_POST
def feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = resource_for_viewer(user=request.user, pk=pk)
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    if not request.user.has_perm("library.give_feedback", resource):
        raise PermissionDenied
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            resource_feedback_give(resource=resource, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Merci pour votre avis."))
    else:
        messages.error(request, _("Choisissez une note de 1 à 5."))
    return redirect(resource)


@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                collection = collection_create(owner=request.user, acting_user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Collection créée."))
                return redirect("library:collection", collection.pk)
    return render(
        request,
        "library/collections.html",
        {**collections_for(request.user), "form": form, "page_title": _("Collections")},
        status=400 if request.method == "POST" else 200,
    )


def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collection = get_object_or_404(Collection.objects.select_related("owner"), pk=pk)
    if not request.user.has_perm("library.view_collection", collection):
        raise Http404(_("Collection introuvable."))
    return render(
        request,
        "library/collection_detail.html",
        {
            "collection": collection,
            "resources": collection_resources(collection=collection, user=request.user),
            "page_title": collection.title,
        },
    )


@login_required
@require_POST
def collection_add_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = resource_for_viewer(user=request.user, pk=pk)
    if resource is None:
        raise Http404(_("Ressource introuvable."))
    collection = Collection.objects.filter(pk=_page_number(request.POST.get("collection")), owner=request.user).first()
    if collection is None:
        messages.error(request, _("Choisissez une de vos collections."))
        return redirect(resource)
    try:
        collection_add(collection=collection, resource=resource, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ajoutée à la collection « %(title)s ».") % {"title": collection.title})
    return redirect(resource)
