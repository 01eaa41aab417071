"""Back-office pages whose action reaches the registrants: writing to them, and moving the
session to another place (which sends everyone the updated invitation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.backoffice_forms import SessionMessageForm, VenueForm
from essaim.training.backoffice_views import MANAGE, _breadcrumb, _detail_url, _require, _session_or_404
from essaim.training.delivery import session_deliveries
from essaim.training.models import Session, SessionMessage
from essaim.training.sessions import session_change_venue, session_message_send

HISTORY = 20


def _managed_session(request: AuthenticatedHttpRequest, pk: int) -> Session:
    session = _session_or_404(pk)
    _require(request, MANAGE, session)
    return session


def _breadcrumb_to(session: Session, current: str) -> dict:
    return _breadcrumb(current, (_detail_url(session.pk), str(session)))


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
                # Not « envoyé »: it is on its way; the table below says when it is delivered.
                messages.success(
                    request,
                    ngettext(
                        "Message enregistré : il part vers %(count)d personne. Suivez sa remise ci-dessous.",
                        "Message enregistré : il part vers %(count)d personnes. Suivez sa remise ci-dessous.",
                        sent.recipients,
                    )
                    % {"count": sent.recipients},
                )
                return redirect("training_admin:message", pk=session.pk)
        else:
            status = 400
    history = list(SessionMessage.objects.filter(session=session).select_related("author")[:HISTORY])
    deliveries, automatic = session_deliveries(session=session, messages=history)
    for message in history:
        message.delivery = deliveries[message.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "training/backoffice/message.html",
        {
            "session": session,
            "form": form,
            "history": history,
            "notifications": automatic,
            "page_title": _("Écrire aux inscrits"),
            "breadcrumb_data": _breadcrumb_to(session, _("Écrire aux inscrits")),
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
            "breadcrumb_data": _breadcrumb_to(session, _("Changer le lieu")),
        },
        status=status,
    )
