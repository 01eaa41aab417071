"""Organisers schedule sessions of catalogue courses (they cannot change a course's content)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.organisations.models import Organisation
from essaim.training.backoffice_views import MANAGE, _breadcrumb, _detail_url, _require, _session_or_404
from essaim.training.scheduling_forms import SessionPartnersForm, SessionScheduleForm, half_day_slots
from essaim.training.sessions import session_create, session_set_partners


def schedulable_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations the person may schedule for: all public ones for programme admins,
    else those within their organiser or lab-coordinator scopes."""
    if roles.is_programme_admin(user):
        return Organisation.objects.active().order_by("name")
    paths = [
        held.organisation_path
        for held in roles.held_roles(user)
        if held.role in (Role.ORGANISER, Role.LAB_COORDINATOR) and held.organisation_path
    ]
    if not paths:
        return Organisation.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Organisation.objects.active().filter(condition).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def session_schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisers = schedulable_organisations(request.user)
    if not organisers.exists():
        raise PermissionDenied
    # The organiser field only offers organisations within the person's scope: choosing
    # another one is a validation error, which is this page's object permission.
    form = SessionScheduleForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        course = data.pop("course")
        organiser = data.pop("organiser")
        moved = form.moved_first_day()
        slots = half_day_slots(data.pop("first_day"), course.duration_half_days)
        publish = data.pop("publish")
        capacity = data.pop("capacity")
        partners = list(data.pop("partners"))
        text_fields = {"address", "remote_url", "description"}
        fields: dict[str, Any] = {
            key: ("" if value is None and key in text_fields else value) for key, value in data.items()
        }
        try:
            session = session_create(
                course=course,
                organiser=organiser,
                slots=slots,
                capacity=capacity,
                acting_user=request.user,
                partners=partners,
                publish=publish,
                format=course.format,
                **fields,
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if moved:
                messages.info(request, moved)
            messages.success(
                request,
                _("La session est publiée.")
                if publish
                else _("La session est enregistrée en brouillon : publiez-la quand elle est prête."),
            )
            # The organiser continues on the session's back-office page: timetable, trainers, publishing.
            return redirect("training_admin:detail", pk=session.pk)
    return render(
        request,
        "training/schedule.html",
        {"form": form, "page_title": _("Programmer une session")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_partners_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organiser names the partners co-running a session, also after it was held."""
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    form = SessionPartnersForm(request.POST or None, initial={"partners": list(session.partners.all())})
    if request.method == "POST" and form.is_valid():
        try:
            session_set_partners(
                session=session, partners=list(form.cleaned_data["partners"]), acting_user=request.user
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Les partenaires qui co-animent la session sont enregistrés."))
            return redirect("training_admin:detail", pk=session.pk)
    return render(
        request,
        "training/backoffice/partners.html",
        {
            "session": session,
            "form": form,
            "page_title": _("Partenaires qui co-animent"),
            "breadcrumb_data": _breadcrumb(_("Partenaires qui co-animent"), (_detail_url(session.pk), str(session))),
        },
        status=400 if request.method == "POST" else 200,
    )
