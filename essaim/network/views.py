"""Pages of the network: directory, my entry, trainers, facilitation requests, labs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.accounts.models import Role, User
from essaim.core.exceptions import ServiceError
from essaim.core.pagination import CappedPaginator
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.network import matching, selectors, services
from essaim.network.forms import (
    CoFacilitationForm,
    ContactForm,
    DirectoryFilterForm,
    DirectoryProfileForm,
    FacilitationRequestForm,
    MarkDoneForm,
)
from essaim.network.models import (
    CoFacilitation,
    DirectoryProfile,
    FacilitationRequest,
    Invitation,
    TrainerCertification,
)
from essaim.organisations.models import Organisation
from essaim.reporting.selectors import threshold
from essaim.training.models import Session

PAGE_SIZE = 20


@login_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page = CappedPaginator(
        selectors.directory_search(**form.filters()), PAGE_SIZE, cap=selectors.DIRECTORY_COUNT_CAP
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    names = selectors.level_names()
    for profile in page:
        for skill in profile.skills.all():
            skill.level_name = names.get(skill.level_rank, str(skill.level_rank))  # type: ignore[attr-defined]
    return render(
        request,
        "network/directory.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "page_title": _("Annuaire du réseau")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = selectors.directory_profile_visible(profile_id=pk)
    if profile is None:
        raise Http404
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_message_send(sender=request.user, recipient_profile=profile, **form.cleaned_data)
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 429 if exc.code == "rate_limited" else 400
            else:
                messages.success(request, _("Votre message est envoyé. La réponse arrivera dans votre messagerie."))
                return redirect("network:person", pk=pk)
        else:
            status = 400
    return render(
        request,
        "network/person.html",
        {
            "profile": profile,
            "form": form,
            "affiliations": selectors.affiliation_history(user=profile.user),
            "page_title": profile.display_name,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = DirectoryProfile.objects.filter(user=request.user).first()
    initial = (
        {
            "consent": profile.consent,
            "availability": profile.availability,
            "languages": profile.languages,
            "bio": profile.bio,
        }
        if profile
        else {}
    )
    form = DirectoryProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_profile_update(user=request.user, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if form.cleaned_data["consent"]:
                messages.success(request, _("Votre fiche est enregistrée et visible dans l’annuaire."))
            else:
                messages.success(request, _("Vous ne figurez pas dans l’annuaire."))
            return redirect("network:my-profile")
    to_confirm = list(
        CoFacilitation.objects.filter(mentor=request.user, confirmed_at__isnull=True).select_related(
            "trainee", "session__course"
        )
    )
    return render(
        request,
        "network/my_profile.html",
        {
            "form": form,
            "profile": profile,
            "track": services.trainer_track_status(user=request.user),
            "to_confirm": to_confirm,
            "cofacilitation_form": CoFacilitationForm(choices=selectors.cofacilitation_choices()),
            "declared": list(
                CoFacilitation.objects.filter(trainee=request.user).select_related("session__course", "mentor")
            ),
            "page_title": _("Ma fiche dans l’annuaire"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def cofacilitation_declare(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CoFacilitationForm(request.POST, choices=selectors.cofacilitation_choices())
    if not form.is_valid():
        messages.error(request, _("Choisissez une session et son formateur dans la liste."))
        return redirect("network:my-profile")
    session_id, mentor_id = form.session_and_mentor()
    session = get_object_or_404(Session, pk=session_id)
    mentor = get_object_or_404(User, pk=mentor_id, is_active=True)
    try:
        services.cofacilitation_declare(trainee=request.user, session=session, mentor=mentor)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Co-animation enregistrée : votre mentor doit la confirmer."))
    return redirect("network:my-profile")


@login_required
@require_POST
def cofacilitation_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(CoFacilitation, pk=pk, mentor=request.user)
    try:
        certification = services.cofacilitation_confirm(record=record, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Co-animation confirmée."))
        if certification is not None:
            messages.info(request, _("%(name)s a achevé le parcours de formateur.") % {"name": record.trainee})
    return redirect("network:my-profile")


@login_required
def trainer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    certification = TrainerCertification.objects.filter(user=person).first()
    is_trainer = person.role_assignments.active().filter(role=Role.TRAINER).exists()
    if certification is None and not is_trainer:
        raise Http404
    # Opt-in: a trainer outside the directory (never joined, or withdrew) is shown only to
    # themself and to those who schedule sessions (programme admins, organisers).
    listed = DirectoryProfile.objects.listed().filter(user=person).exists()
    if not listed and person.pk != request.user.pk and not request.user.has_perm("network.view_unlisted_trainer"):
        raise Http404
    return render(
        request,
        "network/trainer.html",
        {
            "person": person,
            "certification": certification,
            "courses": selectors.courses_a_trainer_may_deliver(user=person),
            "sessions": selectors.trainer_sessions(user=person),
            "page_title": _("Formateur ou formatrice : %(name)s") % {"name": person},
        },
    )


# Facilitation requests ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FacilitationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = matching.facilitation_request_create(
                requester=request.user,
                topic=data["topic"],
                date=data["date"],
                competency_code=data["competency_code"],
                audience_size=data["audience_size"],
                is_remote=data["is_remote"],
                departement=data["departement"],
                place=data["place"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Votre demande est enregistrée : voici les personnes proposées."))
            return redirect("network:request", pk=created.pk)
    return render(
        request,
        "network/requests.html",
        {
            "form": form,
            "requests": list(selectors.requests_of(user=request.user)[:50]),
            "page_title": _("Mes demandes d’animation"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(FacilitationRequest.objects.select_related("region", "departement"), pk=pk)
    if not request.user.has_perm("network.view_request", need):
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm("network.invite", need):
            raise Http404
        ids = [int(v) for v in request.POST.getlist("facilitator") if v.isdigit()]
        try:
            matching.invitation_send(request=need, facilitator_ids=ids, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invitations envoyées."))
        return redirect("network:request", pk=pk)
    invitations = list(need.invitations.select_related("facilitator").order_by("-score", "id"))
    candidates = selectors.request_candidates(request=need) if need.status == FacilitationRequest.Status.OPEN else []
    return render(
        request,
        "network/request_detail.html",
        {"need": need, "candidates": candidates, "invitations": invitations, "page_title": need.topic},
    )


@login_required
def invitations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "network/invitations.html",
        {
            "invitations": list(selectors.invitations_of(user=request.user)[:100]),
            "done_form": MarkDoneForm(),
            "page_title": _("Mes invitations à animer"),
        },
    )


@login_required
@require_POST
def invitation_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, facilitator=request.user)
    accept = request.POST.get("answer") == "accept"
    try:
        matching.invitation_respond(invitation=invitation, acting_user=request.user, accept=accept)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation acceptée.") if accept else _("Invitation déclinée."))
    return redirect("network:invitations")


@login_required
@require_POST
def invitation_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, facilitator=request.user)
    form = MarkDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le nombre de participants (au moins 1)."))
        return redirect("network:invitations")
    try:
        matching.invitation_mark_done(invitation=invitation, acting_user=request.user, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("L’atelier est ajouté à votre journal de pratique."))
    return redirect("network:invitations")


@login_required
def gaps(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("network.view_gaps"):
        raise PermissionDenied
    exact = request.user.has_perm("network.view_exact_gaps")
    data = selectors.skill_gaps(exact=exact)
    tables = [(_("Par région"), data["regions"]), (_("Par ministère"), data["ministries"])]
    return render(
        request,
        "network/gaps.html",
        {"tables": tables, "exact": exact, "threshold": threshold(), "page_title": _("Lacunes du réseau")},
    )


@login_required
def turnover(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("network.view_turnover"):
        raise PermissionDenied
    return render(
        request,
        "network/turnover.html",
        {"rows": selectors.turnover(), "page_title": _("Mobilité des personnes formées")},
    )


# Labs -----------------------------------------------------------------------------------
def labs(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "network/labs.html", {"groups": selectors.labs_by_region(), "page_title": _("Laboratoires régionaux")}
    )


def lab(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.active().labs().select_related("region", "departement"), slug=slug
    )
    # Members are read for signed-in viewers only: the directory is for civil servants.
    detail = selectors.lab_detail(lab=organisation, user=request.user)
    return render(
        request,
        "network/lab.html",
        {
            "lab": organisation,
            **detail,
            # Its coordinators manage the lab's page (description, region) in the organisations app.
            "can_edit": request.user.has_perm("organisations.change_organisation", organisation),
            "page_title": str(organisation),
        },
    )
