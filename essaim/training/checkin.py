"""Self check-in with a QR code: the trainer shows a code for the half-day in progress, each
person with a seat scans it with their phone and is marked present (or late).

The code is a signed token for one half-day and a ten-minute window: the trainer's page
shows a fresh one every minute, so a photo passed around stops working within twenty
minutes, and the token is only accepted while the half-day is on. A trainer's own record
always wins: a self check-in never overwrites it.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.training.models import Attendance, Registration, SessionSlot

SALT = "essaim.training.checkin"
WINDOW_SECONDS = 600  # a code is valid for its ten-minute window and the one after
OPENS_BEFORE = dt.timedelta(minutes=30)  # check-in opens half an hour before the start
LATE_AFTER = dt.timedelta(minutes=15)  # arriving later than this is recorded as late


def _window(now: dt.datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def checkin_token(*, slot: SessionSlot, now: dt.datetime | None = None) -> str:
    return signing.dumps({"s": slot.pk, "w": _window(now or timezone.now())}, salt=SALT, compress=True)


def checkin_svg(*, url: str) -> str:
    """The QR code of `url` as an inline SVG (no script, no style element: CSP-safe)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def checkin_is_open(slot: SessionSlot, *, now: dt.datetime) -> bool:
    """From half an hour before the half-day starts until it ends."""
    return slot.starts_at - OPENS_BEFORE <= now <= slot.ends_at


def checkin_slot(*, token: str, now: dt.datetime | None = None) -> SessionSlot:
    """The half-day a scanned token opens, or a ServiceError saying why not."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SALT)
        slot_id, window = int(data["s"]), int(data["w"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ServiceError(_("Ce code de présence n’est pas valide."), code="invalid") from None
    if window not in (_window(now), _window(now) - 1):
        raise ServiceError(
            _("Ce code de présence a expiré : scannez celui qu’affiche le formateur en ce moment."), code="expired"
        )
    slot = SessionSlot.objects.select_related("session__course").filter(pk=slot_id).first()
    if slot is None:
        raise ServiceError(_("Ce code de présence n’est pas valide."), code="invalid")
    if not checkin_is_open(slot, now=now):
        raise ServiceError(_("Le pointage n’est ouvert que pendant la demi-journée."), code="closed")
    return slot


@transaction.atomic(durable=True)
def attendance_self_check_in(*, token: str, user: Any, now: dt.datetime | None = None) -> Attendance:
    """Mark `user` present (or late) for the half-day of `token`."""
    now = now or timezone.now()
    slot = checkin_slot(token=token, now=now)
    session = slot.session
    registration = Registration.objects.filter(session=session, user=user).first()
    if registration is None or registration.status != Registration.Status.BOOKED:
        raise ServiceError(
            _("Vous n’avez pas de place dans cette session : adressez-vous au formateur."), code="not_booked"
        )
    existing = Attendance.objects.select_for_update().filter(registration=registration, slot=slot).first()
    if existing is not None:
        if existing.status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
            return existing  # scanned twice: nothing to change
        raise ServiceError(
            _("Le formateur a déjà relevé votre présence pour cette demi-journée : adressez-vous à lui."),
            code="recorded",
        )
    status = Attendance.Status.LATE if now > slot.starts_at + LATE_AFTER else Attendance.Status.PRESENT
    attendance = Attendance.objects.create(registration=registration, slot=slot, status=status, recorded_by=user)
    audit_log(
        actor=user,
        role=acting_role(user, registration),
        action="training.attendance.self_check_in",
        target=session,
        summary=_("Pointage par QR code : %(slot)s") % {"slot": slot},
        changes={str(registration.pk): status},
    )
    return attendance
