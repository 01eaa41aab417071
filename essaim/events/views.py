"""Public pages of events and civil-society partners; organisers' event pages.

Registering, cancelling and accepting an offered seat call the training services — the
one registration engine (ADR 0050); cancel and accept post to the training URLs and come
back here through their `next` parameter.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.shortcuts import get_object_for_user_or_404
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.events.forms import EventForm, SpeakerFormSet
from essaim.events.models import Event
from essaim.events.selectors import event_detail, event_list, managed_event_list, partner_detail, partner_list
from essaim.events.services import event_create, event_update
from essaim.organisations.models import Organisation
from essaim.training.models import Registration, Session
from essaim.training.scheduling import schedulable_organisations
from essaim.training.selectors import registration_list_for_user
from essaim.training.services import registration_create, waitlist_position
from essaim.training.views import _registered_message

LIST_LIMIT = 50


def event_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/list.html",
        {
            "upcoming": list(event_list(upcoming=True)[:LIST_LIMIT]),
            "past": list(event_list(upcoming=False)[:LIST_LIMIT]),
            "can_manage": request.user.has_perm("events.add_event"),
            "page_title": _("Événements"),
        },
    )


def event_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = event_detail(slug=slug, user=request.user)
    except Event.DoesNotExist:
        raise Http404 from None
    session = event.session
    registration = None
    position = None
    user = request.user
    if user.is_authenticated:
        registration = registration_list_for_user(user=user).filter(session=session).first()
        if registration is not None and registration.status == Registration.Status.WAITLISTED:
            position = waitlist_position(registration)
    is_active = registration is not None and registration.status in Registration.ACTIVE
    is_open = session.status == Session.Status.PUBLISHED and bool(
        session.starts_at and session.starts_at > timezone.now()
    )
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "session": session,
            "speakers": list(event.speakers.all()),
            "partners": list(session.partners.all()),
            "resources": event.visible_resources,  # type: ignore[attr-defined]  # prefetched by the selector
            "is_past": bool(session.ends_at and session.ends_at < timezone.now()),
            "is_open": is_open,
            "seats_left": max(session.capacity - session.seats_held, 0),  # type: ignore[attr-defined]
            "registration": registration,
            "is_active": is_active,
            "position": position,
            "reasons": [],
            "can_register": is_open,
            "show_remote_link": bool(session.remote_url)
            and registration is not None
            and registration.status == Registration.Status.BOOKED,
            "can_manage": user.has_perm("events.manage_event", event),
            "register_url": reverse("events:register", args=[event.slug]),
            "next_url": request.path,
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
            "page_title": event.title,
            "breadcrumb_data": {
                "links": [{"url": reverse("events:list"), "title": _("Événements")}],
                "current": event.title,
                "root_dir": "",
            },
        },
    )


@require_POST
def event_register_view(request: HttpRequest, slug: str) -> HttpResponse:
    detail_url = reverse("events:detail", args=[slug])
    if not request.user.is_authenticated:
        return redirect_to_login(detail_url)
    event = get_object_or_404(Event.objects.visible().select_related("session__course"), slug=slug)
    try:
        registration = registration_create(session=event.session, agent=request.user, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _registered_message(registration))
    return redirect(detail_url)


def partner_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/partner_list.html",
        {"partners": list(partner_list()), "page_title": _("Partenaires de la société civile")},
    )


def partner_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = partner_detail(slug=slug, user=request.user)
    except Organisation.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "events/partner_detail.html",
        {
            "page": page,
            "partner": page.partner,
            "can_edit": request.user.has_perm("organisations.change_organisation", page.partner),
            "page_title": page.partner.name,
            "breadcrumb_data": {
                "links": [{"url": reverse("partners:list"), "title": _("Partenaires")}],
                "current": page.partner.name,
                "root_dir": "",
            },
        },
    )


# Back office ----------------------------------------------------------------------------


@login_required
def event_manage_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("events.add_event"):
        raise PermissionDenied
    return render(
        request,
        "events/backoffice/list.html",
        {"events": list(managed_event_list(user=request.user)[:200]), "page_title": _("Événements — pilotage")},
    )


def _speakers(formset: Any) -> list[dict[str, str]]:
    return [
        {
            "name": form.cleaned_data["name"],
            "affiliation": form.cleaned_data["affiliation"],
            "kind": form.cleaned_data["kind"],
        }
        for form in formset
        if form.cleaned_data.get("name")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def event_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisers = schedulable_organisations(request.user)
    if not request.user.has_perm("events.add_event") or not organisers.exists():
        raise PermissionDenied
    # Only organisations within the person's scope are offered: another one is a
    # validation error, which is this page's object permission.
    form = EventForm(request.POST or None, organisers=organisers, creating=True)
    speakers = SpeakerFormSet(request.POST or None, prefix="speakers")
    if request.method == "POST" and form.is_valid() and speakers.is_valid():
        data = form.cleaned_data
        try:
            event = event_create(
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                organiser=data["organiser"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data["capacity"],
                venue=data["venue"],
                address=data["address"] or "",
                remote_url=data["remote_url"] or "",
                region=data["region"],
                partners=list(data["partners"]),
                speakers=_speakers(speakers),  # type: ignore[arg-type]
                publish=data["publish"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("L’événement est créé."))
            return redirect("events:detail", slug=event.slug) if data["publish"] else redirect("events_admin:list")
    return render(
        request,
        "events/backoffice/form.html",
        {"form": form, "speakers": speakers, "event": None, "page_title": _("Créer un événement")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_for_user_or_404(
        Event.objects.select_related("session__organiser"), user=request.user, perm="events.manage_event", pk=pk
    )
    initial = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "partners": list(event.session.partners.all()),
        "replay_url": event.replay_url,
        "resources": "\n".join(event.resources.values_list("slug", flat=True)),
        "publish": event.session.status != Session.Status.DRAFT,
    }
    form = EventForm(request.POST or None, initial=initial, creating=False)
    speakers = SpeakerFormSet(
        request.POST or None,
        prefix="speakers",
        initial=[{"name": s.name, "affiliation": s.affiliation, "kind": s.kind} for s in event.speakers.all()],
    )
    if request.method == "POST" and form.is_valid() and speakers.is_valid():
        data = form.cleaned_data
        try:
            event_update(
                event=event,
                acting_user=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                replay_url=data["replay_url"] or "",
                resources=data["resources"],
                partners=list(data["partners"]),
                speakers=_speakers(speakers),  # type: ignore[arg-type]
                publish=data["publish"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("L’événement est enregistré."))
            return redirect("events_admin:list")
    return render(
        request,
        "events/backoffice/form.html",
        {"form": form, "speakers": speakers, "event": event, "page_title": _("Modifier l’événement")},
        status=400 if request.method == "POST" else 200,
    )
