"""Back-office pages whose action reaches the registrants: writing to them, and moving the
session to another place (which sends everyone the updated invitation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.backoffice_forms import SessionMessageForm, VenueForm
from essaim.training.backoffice_selectors import backoffice_session
from essaim.training.models import Session, SessionMessage
from essaim.training.sessions import session_change_venue, session_message_send

MANAGE = "training.manage_session"
HISTORY = 20


def _managed_session(request: AuthenticatedHttpRequest, pk: int) -> Session:
    try:
        session = backoffice_session(session_id=pk)
    except Session.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm(MANAGE, session):
        raise PermissionDenied
    return session


def _breadcrumb(session: Session, current: str) -> dict:
    return {
        "links": [
            {"url": reverse("training_admin:list"), "title": _("Pilotage des sessions")},
            {"url": reverse("training_admin:detail", args=[session.pk]), "title": str(session)},
        ],
        "current": current,
        "root_dir": "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_message_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    form = SessionMessageForm(request.POST or None, prefix="message")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = session_message_send(session=session, acting_user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(
                    request,
                    ngettext(
                        "Message envoyé à %(count)d personne.", "Message envoyé à %(count)d personnes.", sent.recipients
                    )
                    % {"count": sent.recipients},
                )
                return redirect("training_admin:message", pk=session.pk)
        else:
            status = 400
    history = SessionMessage.objects.filter(session=session).select_related("author")[:HISTORY]
    return render(
        request,
        "training/backoffice/message.html",
        {
            "session": session,
            "form": form,
            "history": list(history),
            "page_title": _("Écrire aux inscrits"),
            "breadcrumb_data": _breadcrumb(session, _("Écrire aux inscrits")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_venue_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _managed_session(request, pk)
    initial = {
        "venue": session.venue,
        "address": session.address,
        "lab": session.lab_id,
        "remote_url": session.remote_url,
        "region": session.region_id,
    }
    form = VenueForm(request.POST or None, initial=initial, prefix="venue")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                session_change_venue(session=session, acting_user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(
                    request, _("Le lieu est modifié ; les personnes inscrites reçoivent l’invitation mise à jour.")
                )
                return redirect("training_admin:detail", pk=session.pk)
        else:
            status = 400
    return render(
        request,
        "training/backoffice/venue.html",
        {
            "session": session,
            "form": form,
            "page_title": _("Changer le lieu"),
            "breadcrumb_data": _breadcrumb(session, _("Changer le lieu")),
        },
        status=status,
    )
