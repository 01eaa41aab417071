"""The e-mail that removes half-days from a person's calendar when the timetable shrinks.

The updated invitation (session_changed) lists the half-days that remain; a calendar
keeps an event it is no longer sent, so each removed half-day is cancelled by its own UID
(RFC 5546 §3.2.5). The invitation writer itself is training/ical.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from essaim.training.ical import Attendee, invitation, registration_sequence
from essaim.training.models import Registration, SessionSlot


def slots_removed_notify(*, registration_id: int, removed: list[dict[str, Any]]) -> bool:
    registration = (
        Registration.objects.select_related("session__course", "session__lab", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not removed or not registration.user.is_active:
        return False
    session, user = registration.session, registration.user
    # The removed rows are gone: rebuilt unsaved, they keep the UID the calendar knows.
    slots = [
        SessionSlot(
            pk=item["pk"],
            session=session,
            starts_at=dt.datetime.fromisoformat(item["starts_at"]),
            ends_at=dt.datetime.fromisoformat(item["ends_at"]),
        )
        for item in removed
    ]
    with translation.override(user.preferred_language):
        subject = _("Demi-journée supprimée : %(course)s") % {"course": session.title}
        body = render_to_string(
            "training/email/slots_removed.txt",
            {
                "user": user,
                "session": session,
                "slots": slots,
                "url": settings.SITE_URL + reverse("training:detail", args=[session.pk]),
            },
        )
    from essaim.training.notifications import _imip_message

    # One iTIP CANCEL per removed half-day (one UID per message, ADR 0055): that event is
    # gone for everyone, so STATUS:CANCELLED; SEQUENCE follows the person's copy.
    attendee = Attendee(email=user.email, name=user.get_full_name())
    sequence = registration_sequence(registration)
    for slot in slots:
        calendar = invitation(
            session=session,
            slot=slot,
            attendee=attendee,
            sequence=sequence,
            method="CANCEL",
            whole_event_cancelled=True,
        )
        _imip_message(subject=subject, body=body, to=user.email, calendar=calendar, method="CANCEL").send()
    return True
