"""Back-office pages that change a session itself: publish or take back, its details, its
timetable (half-days on any days and hours) and its trainers.

Someone who may not manage the session gets the same 404 as for a session that does not
exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.backoffice_views import MANAGE, _breadcrumb, _detail_url, _session_or_404
from essaim.training.models import Session
from essaim.training.scheduling import schedulable_organisations
from essaim.training.session_edit import (
    DETAIL_FIELDS,
    session_publish,
    session_set_trainers,
    session_unpublish,
    session_update,
)
from essaim.training.session_edit_forms import SessionDetailsForm, TimetableFormSet, TrainersForm, timetable_initial
from essaim.training.sessions import session_reschedule


def _managed_or_404(request: AuthenticatedHttpRequest, pk: int) -> Session:
    session = _session_or_404(pk)
    if not request.user.has_perm(MANAGE, session):
        raise Http404
    return session


def _page(
    request: AuthenticatedHttpRequest, template: str, session: Session, title: str, status: int, **context: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "session": session,
            "page_title": title,
            "breadcrumb_data": _breadcrumb(title, (_detail_url(session.pk), str(session))),
            **context,
        },
        status=status,
    )


@require_POST
@login_required
def session_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_or_404(request, pk)
    try:
        session_publish(session=session, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("La session est publiée : les agents la voient et peuvent s’inscrire."))
    return redirect(_detail_url(session.pk))


@require_POST
@login_required
def session_unpublish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_or_404(request, pk)
    try:
        session_unpublish(session=session, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("La session est repassée en brouillon : elle n’est plus visible des agents."))
    return redirect(_detail_url(session.pk))


@login_required
@require_http_methods(["GET", "POST"])
def session_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_or_404(request, pk)
    initial = {name: getattr(session, name) for name in DETAIL_FIELDS}
    form = SessionDetailsForm(
        request.POST or None,
        initial=initial,
        session=session,
        organisations=schedulable_organisations(request.user),
        prefix="details",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                session_update(session=session, acting_user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 409
            else:
                messages.success(request, _("La session est modifiée."))
                return redirect(_detail_url(session.pk))
    return _page(request, "training/backoffice/edit.html", session, _("Modifier la session"), status, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def session_timetable_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_or_404(request, pk)
    formset = TimetableFormSet(request.POST or None, initial=timetable_initial(session), prefix="slots")
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            try:
                session_reschedule(session=session, slots=formset.slots(), acting_user=request.user)  # type: ignore[attr-defined]
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("Le calendrier est modifié ; les personnes inscrites reçoivent l’invitation mise à jour.")
                    if session.status == Session.Status.PUBLISHED
                    else _("Le calendrier est modifié."),
                )
                return redirect(_detail_url(session.pk))
    return _page(
        request, "training/backoffice/timetable.html", session, _("Modifier le calendrier"), status, formset=formset
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_trainers_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_or_404(request, pk)
    form = TrainersForm(request.POST or None, initial={"trainers": list(session.trainers.all())}, prefix="trainers")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                session_set_trainers(
                    session=session, trainers=list(form.cleaned_data["trainers"]), acting_user=request.user
                )
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 409
            else:
                messages.success(request, _("Les formateurs de la session sont enregistrés."))
                return redirect(_detail_url(session.pk))
    return _page(
        request, "training/backoffice/trainers.html", session, _("Formateurs de la session"), status, form=form
    )
