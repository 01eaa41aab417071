"""QR self check-in: the trainer's code page (back office) and the page a scanned code opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.training.checkin import (
    attendance_self_check_in,
    checkin_is_open,
    checkin_slot,
    checkin_svg,
    checkin_token,
)
from essaim.training.models import Attendance, Session, SessionSlot

TAKE_ATTENDANCE = "training.take_attendance"


@login_required
def checkin_code_view(request: AuthenticatedHttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """The code to show on a screen; the page fetches a fresh one every minute (htmx)."""
    slot = SessionSlot.objects.select_related("session__course", "session__organiser").filter(pk=slot_pk).first()
    if slot is None or slot.session_id != pk:
        raise Http404
    session: Session = slot.session
    if not request.user.has_perm(TAKE_ATTENDANCE, session):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("training:check-in", args=[checkin_token(slot=slot)]))
    checked_in = Attendance.objects.filter(
        slot=slot, status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE]
    ).count()
    context = {
        "session": session,
        "slot": slot,
        "url": url,
        "svg": mark_safe(checkin_svg(url=url)),  # noqa: S308 — segno's own SVG of our URL # nosec B308 B703
        "checked_in": checked_in,
        "is_open": checkin_is_open(slot, now=timezone.now()),
        "page_title": _("Pointage par QR code"),
    }
    template = "training/backoffice/checkin_code.html"
    if getattr(request, "htmx", False):
        template = "training/backoffice/includes/checkin_code.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_view(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """A scanned code: confirm (POST) to be marked present. GET changes nothing."""
    try:
        slot = checkin_slot(token=token)
    except ServiceError as exc:
        return render(
            request,
            "training/checkin.html",
            {"error": exc.message, "page_title": _("Pointage de présence")},
            status=400,
        )
    if request.method == "POST":
        try:
            attendance = attendance_self_check_in(token=token, user=request.user)
        except ServiceError as exc:
            return render(
                request,
                "training/checkin.html",
                {"error": exc.message, "slot": slot, "page_title": _("Pointage de présence")},
                status=409,
            )
        if attendance.status == Attendance.Status.LATE:
            messages.success(request, _("Votre présence est enregistrée (arrivée en retard). Bonne session !"))
        else:
            messages.success(request, _("Votre présence est enregistrée. Bonne session !"))
        return redirect("training:detail", pk=slot.session_id)
    return render(
        request,
        "training/checkin.html",
        {"slot": slot, "token": token, "page_title": _("Pointage de présence")},
    )
