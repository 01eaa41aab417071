"""Public pages of sessions, and an agent's own registrations.

The registration rules live in services.py: these views only find the objects, call one
service, and show its refusals (ServiceError) as messages.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essaim.catalogue.selectors import course_eligibility
from essaim.core.exceptions import ServiceError
from essaim.core.pagination import CappedPaginator
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.calendar_feed import (
    calendar_feed_exists,
    calendar_feed_owner,
    calendar_feed_revoke,
    calendar_feed_rotate,
    calendar_registrations,
)
from essaim.training.forms import SessionFilterForm
from essaim.training.ical import calendar_file
from essaim.training.models import Registration, Session
from essaim.training.selectors import (
    course_validated_at,
    registration_list_for_user,
    session_detail,
    session_list_page,
)
from essaim.training.services import (
    registration_accept_offer,
    registration_cancel,
    registration_create,
    waitlist_position,
)

Status = Registration.Status
PAGE_SIZE = 20


def _seats_left(session: Any) -> int:
    return max(session.capacity - session.seats_held, 0)


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _registered_message(registration: Registration) -> str:
    if registration.status == Status.BOOKED:
        return _("Vous êtes inscrit à cette session. Une invitation pour votre agenda vous est envoyée par e-mail.")
    if registration.status == Status.WAITLISTED:
        return _("Session complète : vous êtes n° %(position)d sur la liste d’attente.") % {
            "position": waitlist_position(registration) or 1
        }
    if registration.status == Status.REQUESTED:
        return _("Votre demande d’inscription est transmise à l’organisateur, qui vous répondra par e-mail.")
    return _("Votre inscription est enregistrée : %(status)s.") % {"status": registration.get_status_display()}


ROW_CACHE_SECONDS = 600


def _session_rows(sessions: list[Session], *, my_status: dict[int, str]) -> list[dict[str, Any]]:
    """The rows of the session list, each with its `html`. A row's HTML is cached under a
    key made of everything it shows — dates, place, seats left, waiting list, the visitor's
    own status, the language — so a cached row is never stale: any change makes a new key.
    Seats are still counted live by the list query; only the template work is saved."""
    language = get_language()
    rows: dict[str, dict[str, Any]] = {}
    for session in sessions:
        row = {
            "session": session,
            "seats_left": _seats_left(session),
            "my_status": Status(my_status[session.pk]).label if session.pk in my_status else "",
        }
        shown = (
            language,
            session.pk,
            session.custom_title or session.course.title,
            session.starts_at,
            session.ends_at,
            session.venue,
            session.address,
            str(session.lab) if session.lab_id else "",
            str(session.region) if session.region_id else "",
            session.format,
            row["seats_left"],
            session.waiting,  # type: ignore[attr-defined]  # annotated by session_list
            row["my_status"],
        )
        rows[f"training:session-row:{hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()}"] = row
    fragments = caches["fragments"]
    cached = fragments.get_many(list(rows))
    missing = {key: row for key, row in rows.items() if key not in cached}
    if missing:
        template = get_template("training/includes/session_row.html")
        rendered = {key: template.render({"session": row["session"], "row": row}) for key, row in missing.items()}
        fragments.set_many(rendered, ROW_CACHE_SECONDS)
        cached.update(rendered)
    for key, row in rows.items():
        row["html"] = mark_safe(cached[key])  # noqa: S308 — our own template, rendered above # nosec B308 B703
    return list(rows.values())


def session_list_view(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the valid filters apply; errors are shown next to their field
    filters = form.filters()
    count_key = "training:session-count:" + hashlib.blake2b(repr(sorted(filters.items())).encode()).hexdigest()
    page = CappedPaginator(session_list_page(**filters), PAGE_SIZE, count_cache_key=count_key).get_page(
        request.GET.get("page")
    )
    page.pages_list = list(page.paginator.get_elided_page_range(page.number))  # type: ignore[attr-defined]
    sessions = list(page.object_list)
    my_status: dict[int, str] = {}
    if request.user.is_authenticated and sessions:
        my_status = dict(
            registration_list_for_user(user=request.user)
            .filter(session__in=sessions, status__in=Registration.ACTIVE)
            .values_list("session_id", "status")
        )
    rows = _session_rows(sessions, my_status=my_status)
    return render(
        request,
        "training/session_list.html",
        {"form": form, "page_obj": page, "rows": rows, "page_title": _("Sessions de formation")},
    )


def session_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = session_detail(session_id=pk)
    except Session.DoesNotExist:
        # The seats of an event live on the event's page (links in registration e-mails).
        event_slug = (
            Session.objects.visible()
            .filter(pk=pk, kind=Session.Kind.EVENT)
            .values_list("event__slug", flat=True)
            .first()
        )
        if event_slug:
            return redirect("events:detail", slug=event_slug)
        raise Http404 from None
    registration = None
    position = None
    reasons: list[str] = []
    can_register = False
    validated_at = None
    user = request.user
    if user.is_authenticated:
        registration = registration_list_for_user(user=user).filter(session=session).first()
        if registration is not None and registration.status == Status.WAITLISTED:
            position = waitlist_position(registration)
        active = registration is not None and registration.status in Registration.ACTIVE
        if not active and session.status == Session.Status.PUBLISHED:
            eligibility = course_eligibility(user=user, course=session.course)
            reasons = eligibility.reasons
            can_register = eligibility.eligible
            if can_register:
                validated_at = course_validated_at(user=user, course_id=session.course_id)
    show_remote_link = bool(session.remote_url) and (
        (registration is not None and registration.status == Status.BOOKED)
        or user.has_perm("training.take_attendance", session)
    )
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "slots": list(session.slots.all()),
            "trainers": list(session.trainers.all()),
            "partners": list(session.partners.all()),
            "next_url": "",
            "seats_left": _seats_left(session),
            "registration": registration,
            "is_active": registration is not None and registration.status in Registration.ACTIVE,
            "position": position,
            "reasons": reasons,
            "can_register": can_register,
            "validated_at": validated_at,
            "show_remote_link": show_remote_link,
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
            "page_title": session.title,
            "breadcrumb_data": {
                "links": [{"url": reverse("training:list"), "title": _("Sessions de formation")}],
                "current": session.title,
                "root_dir": "",
            },
        },
    )


@require_POST
def registration_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    detail_url = reverse("training:detail", args=[pk])
    if not request.user.is_authenticated:
        return redirect_to_login(detail_url)
    session = get_object_or_404(Session.objects.visible().select_related("course"), pk=pk)
    if request.POST.get("confirm") != "1" and course_validated_at(user=request.user, course_id=session.course_id):
        # Registering again for a validated course takes a seat someone else may need:
        # it happens only from the confirmation, whatever page or client posted.
        messages.warning(request, _("Vous avez déjà validé cette formation : confirmez votre nouvelle inscription."))
        return redirect(detail_url)
    try:
        registration = registration_create(session=session, agent=request.user, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _registered_message(registration))
    return redirect(detail_url)


def _own_registration(user: Any, pk: int) -> Registration:
    """Only the person's own registration: another person's id is a 404, nothing revealed."""
    return get_object_or_404(Registration.objects.select_related("session__course", "session__event"), pk=pk, user=user)


@require_POST
def registration_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("training:mine"))
    registration = _own_registration(request.user, pk)
    next_url = _safe_next(request, reverse("training:detail", args=[registration.session_id]))
    try:
        registration_cancel(registration=registration, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Votre inscription à « %(course)s » est annulée.") % {"course": registration.session.title}
        )
    return redirect(next_url)


@require_POST
def registration_accept_offer_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("training:mine"))
    registration = _own_registration(request.user, pk)
    next_url = _safe_next(request, reverse("training:detail", args=[registration.session_id]))
    try:
        registration_accept_offer(registration=registration, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Vous avez accepté la place : vous êtes inscrit à cette session."))
    return redirect(next_url)


def _my_registrations_context(user: Any) -> dict[str, Any]:
    now = timezone.now()
    upcoming: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for registration in registration_list_for_user(user=user):
        session = registration.session
        row = {
            "registration": registration,
            "session": session,
            "is_active": registration.status in Registration.ACTIVE,
            # The download is offered to people with a seat (a cancelled session stays in
            # their feed, marked cancelled, but is not something to add).
            "in_calendar": registration.status == Status.BOOKED and session.starts_at is not None,
            "position": registration.people_ahead + 1  # type: ignore[attr-defined]  # annotated by the selector
            if registration.status == Status.WAITLISTED
            else None,
        }
        ended = session.ends_at is not None and session.ends_at <= now
        (past if ended else upcoming).append(row)
    upcoming.reverse()  # soonest first; the past stays most recent first
    return {
        "upcoming": upcoming,
        "past": past,
        "has_feed": calendar_feed_exists(user=user),
        "page_title": _("Mes inscriptions"),
    }


@login_required
def my_registrations_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "training/my_registrations.html", _my_registrations_context(request.user))


def _calendar_response(text: str, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def registration_calendar_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """« Ajouter à mon agenda »: the session's half-days, for someone who has a seat. Anyone
    else gets the same 404 as for a session that does not exist."""
    registrations = list(calendar_registrations(user=request.user, session_id=pk))
    if not registrations:
        raise Http404
    return _calendar_response(calendar_file(registrations=registrations), filename=f"session-{pk}.ics")


def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed calendar apps subscribe to: no login, the address is the key."""
    owner = calendar_feed_owner(token=token)
    if owner is None:
        raise Http404
    with translation.override(owner.preferred_language):
        name = _("Mes sessions Essaim")
    return _calendar_response(calendar_file(registrations=calendar_registrations(user=owner), name=name))


@require_POST
@login_required
def calendar_feed_manage_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a new secret address (shown once, on this answer) or revoke the current one."""
    action = request.POST.get("action")
    if action == "revoke":
        calendar_feed_revoke(user=request.user, acting_user=request.user)
        messages.success(request, _("Votre adresse d’abonnement est révoquée : elle ne donne plus accès à rien."))
        return redirect("training:mine")
    if action != "rotate":
        messages.error(request, _("Action inconnue."))
        return redirect("training:mine")
    token = calendar_feed_rotate(user=request.user, acting_user=request.user)
    context = _my_registrations_context(request.user)
    context["feed_url"] = request.build_absolute_uri(reverse("training:calendar-feed", args=[token]))
    response = render(request, "training/my_registrations.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
