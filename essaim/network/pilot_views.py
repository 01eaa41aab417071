"""Pages of lab pilots: propose a solution to a lab, follow one's proposals, and — for the
lab's coordinators — decide, run the pilot (stages, team, methods, workshops, results) and
publish it as a case study."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.library.models import Resource
from essaim.network import pilots, selectors
from essaim.network.forms import (
    PilotDecisionForm,
    PilotDescribeForm,
    PilotMemberForm,
    PilotProposalForm,
    PilotWorkshopForm,
)
from essaim.network.models import Pilot, PilotWorkshop
from essaim.organisations.models import Organisation


def _lab(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.active().labs().select_related("region"), slug=slug)


def _pilot(request: AuthenticatedHttpRequest, slug: str, pk: int, *, manage: bool = False) -> Pilot:
    """The pilot of this lab, if the person may see it (404 otherwise) and, for an action,
    may manage it (403 for someone who sees it but does not coordinate this lab)."""
    pilot = get_object_or_404(Pilot.objects.select_related("lab"), pk=pk, lab__slug=slug)
    if not request.user.has_perm("network.view_pilot", pilot):
        raise Http404
    if manage and not request.user.has_perm("network.manage_pilot", pilot):
        raise PermissionDenied
    return pilot


def _run(request: AuthenticatedHttpRequest, pilot: Pilot, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("network:pilot", slug=pilot.lab.slug, pk=pilot.pk)


def lab_pilot_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    lab = _lab(slug)
    return render(
        request,
        "network/pilot_list.html",
        {
            "lab": lab,
            "pilots": selectors.lab_pilots(lab=lab, user=request.user),
            "page_title": _("Pilotes de %(lab)s") % {"lab": lab},
        },
    )


@login_required
def my_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "network/my_proposals.html",
        {
            "pilots": selectors.pilots_proposed_by(user=request.user),
            "page_title": _("Mes propositions aux laboratoires"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pilot_propose(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    lab = _lab(slug)
    form = PilotProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pilot = pilots.pilot_propose(lab=lab, proposer=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Votre proposition est transmise au laboratoire, qui vous répondra ici."))
            return redirect("network:pilot", slug=lab.slug, pk=pilot.pk)
    return render(
        request,
        "network/pilot_propose.html",
        {"lab": lab, "form": form, "page_title": _("Proposer une solution à %(lab)s") % {"lab": lab}},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def pilot_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    lab = _lab(slug)
    pilot = selectors.pilot_for_page(lab=lab, pk=pk)
    if pilot is None or not request.user.has_perm("network.view_pilot", pilot):
        raise Http404
    context: dict[str, object] = {"lab": lab, "pilot": pilot, "page_title": pilot.title}
    if request.user.has_perm("network.manage_pilot", pilot):
        team = [(m.user_id, str(m.user)) for m in pilot.team.all()]
        context.update(
            can_manage=True,
            decision_form=PilotDecisionForm(prefix="decision"),
            member_form=PilotMemberForm(prefix="member"),
            workshop_form=PilotWorkshopForm(prefix="workshop", team=team),
            describe_form=PilotDescribeForm(
                prefix="describe",
                method_choices=selectors.method_choices(),
                initial={
                    "methods": [m.pk for m in pilot.methods.all()],
                    "methods_text": pilot.methods_text,
                    "results": pilot.results,
                },
            ),
        )
    return render(request, "network/pilot_detail.html", context)


@login_required
@require_POST
def pilot_decide(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    form = PilotDecisionForm(request.POST, prefix="decision")
    if not form.is_valid():
        messages.error(request, _("Choisissez d’accepter ou de décliner la proposition."))
        return redirect("network:pilot", slug=slug, pk=pk)
    accept = form.cleaned_data["answer"] == "accept"
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_decide(
            pilot=pilot, acting_user=request.user, accept=accept, reason=form.cleaned_data["reason"]
        ),
        _("Proposition acceptée : le pilote commence par le cadrage.") if accept else _("Proposition déclinée."),
    )


@login_required
@require_POST
def pilot_advance(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_advance(pilot=pilot, acting_user=request.user),
        _("Le pilote passe à l’étape suivante."),
    )


@login_required
@require_POST
def pilot_member_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    form = PilotMemberForm(request.POST, prefix="member")
    if not form.is_valid():
        messages.error(request, _("Indiquez l’adresse électronique et le rôle de la personne."))
        return redirect("network:pilot", slug=slug, pk=pk)
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_member_add(pilot=pilot, acting_user=request.user, **form.cleaned_data),
        _("La personne rejoint l’équipe du pilote."),
    )


@login_required
@require_POST
def pilot_describe(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    form = PilotDescribeForm(request.POST, prefix="describe", method_choices=selectors.method_choices())
    if not form.is_valid():
        messages.error(request, _("Vérifiez les méthodes et les résultats."))
        return redirect("network:pilot", slug=slug, pk=pk)
    data = form.cleaned_data
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_describe(
            pilot=pilot,
            acting_user=request.user,
            methods=list(Resource.objects.filter(pk__in=data["methods"])),
            methods_text=data["methods_text"],
            results=data["results"],
        ),
        _("Méthodes et résultats enregistrés."),
    )


@login_required
@require_POST
def pilot_workshop_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    team = [(m.user_id, str(m.user)) for m in pilot.team.select_related("user")]
    form = PilotWorkshopForm(request.POST, prefix="workshop", team=team)
    if not form.is_valid():
        messages.error(request, _("Vérifiez l’atelier : intitulé, date, méthode, participants et animation."))
        return redirect("network:pilot", slug=slug, pk=pk)
    data = form.cleaned_data
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_workshop_add(
            pilot=pilot,
            acting_user=request.user,
            date=data["date"],
            title=data["title"],
            method=data["method"],
            participants=data["participants"],
            facilitator_ids=data["facilitators"],
        ),
        _("Atelier ajouté au pilote."),
    )


@login_required
@require_POST
def pilot_workshop_held(request: AuthenticatedHttpRequest, slug: str, pk: int, workshop_pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    workshop = get_object_or_404(PilotWorkshop, pk=workshop_pk, pilot=pilot)
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=request.user),
        _("Atelier tenu : il figure dans le journal de pratique des personnes qui l’ont animé."),
    )


@login_required
@require_POST
def pilot_publish(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    pilot = _pilot(request, slug, pk, manage=True)
    return _run(
        request,
        pilot,
        lambda: pilots.pilot_publish_case_study(pilot=pilot, acting_user=request.user),
        _("Le retour d’expérience est publié dans la bibliothèque."),
    )
