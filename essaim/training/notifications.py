"""E-mails about registrations, in the person's language, with the calendar invitation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from essaim.training.ical import Attendee, invitation, received_invitation, registration_sequence
from essaim.training.models import NotificationLog, Registration, SessionMessage
from essaim.training.services import waitlist_position

#: kind → (subject, the iTIP method of the invitation it carries, if any)
KINDS = {
    "registration_booked": (lambda: _("Inscription confirmée : %(course)s"), "REQUEST"),
    "registration_waitlisted": (lambda: _("Liste d’attente : %(course)s"), None),
    "registration_requested": (lambda: _("Demande d’inscription reçue : %(course)s"), None),
    "seat_offered": (lambda: _("Une place se libère : %(course)s"), None),
    "registration_declined": (lambda: _("Demande d’inscription refusée : %(course)s"), None),
    "offer_expired": (lambda: _("Place proposée expirée : %(course)s"), None),
    "registration_cancelled": (lambda: _("Inscription annulée : %(course)s"), "CANCEL"),
    "registration_moved": (lambda: _("Inscription transférée : %(course)s"), "CANCEL"),
    # A reminder re-sends nothing to the calendar: the event is already there.
    "reminder_7_days": (lambda: _("Dans une semaine : %(course)s"), None),
    "reminder_1_day": (lambda: _("Demain : %(course)s"), None),
    "session_changed": (lambda: _("Session modifiée : %(course)s"), "REQUEST"),
    "completed": (lambda: _("Formation validée : %(course)s"), None),
    "session_cancelled": (lambda: _("Session annulée : %(course)s"), "CANCEL"),
}


#: What a person may switch off in their profile. Everything else is transactional — about
#: a registration they made or a change to it — and is sent whatever the preference.
OPTIONAL_KINDS = frozenset({"reminder_7_days", "reminder_1_day"})


def _one_line(text: str) -> str:
    """A header value: a line break in a title must not make the mail unsendable (Django
    refuses it, rightly) nor split the header."""
    return " ".join(text.split())


def _cancellation_reason(registration: Registration, kind: str) -> str:
    """What the organiser typed: the session's reason, or the note of their cancellation."""
    if kind == "session_cancelled":
        return registration.session.cancellation_reason
    if kind == "registration_cancelled" and registration.status == Registration.Status.CANCELLED_BY_ORGANISER:
        last = registration.events.order_by("-created_at", "-id").first()
        return last.note if last else ""
    return ""


def _imip_message(
    *, subject: str, body: str, to: str, calendar: str | None, method: str | None
) -> EmailMultiAlternatives:
    """An iMIP message (RFC 6047) that Outlook and Gmail show as an invitation: the calendar
    inline as the last part of multipart/alternative, with one charset parameter, and the
    same calendar again as an .ics attachment for clients that only offer files."""
    message = EmailMultiAlternatives(
        subject=_one_line(subject), body=body, to=[to], from_email=settings.DEFAULT_FROM_EMAIL
    )
    if calendar is not None and method is not None:
        # Django adds the charset parameter itself: giving it here would write it twice.
        message.attach_alternative(calendar, f"text/calendar; method={method}")
        message.attach("invitation.ics", calendar.encode(), "application/ics")
    return message


def registration_notify(*, registration_id: int, kind: str) -> bool:
    """Send the e-mail(s) about a registration. Returns False when there is nothing to send.

    A kind that touches the person's calendar sends one iMIP message per half-day (one UID
    per iTIP object, ADR 0055); only someone booked gets a REQUEST, and only someone whose
    calendar holds the event gets a CANCEL."""
    if kind not in KINDS:
        return False
    registration = (
        Registration.objects.select_related("session__course", "session__lab", "session__event", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not registration.user.is_active:
        return False
    if kind in OPTIONAL_KINDS and registration.user.mute_optional_notifications:
        return False
    user = registration.user
    session = registration.session
    subject_factory, method = KINDS[kind]
    slots: list[Any] = list(session.slots.all()) if session.starts_at else []
    if method == "REQUEST" and registration.status != Registration.Status.BOOKED:
        method = None  # no seat, no event in the calendar
    if method == "CANCEL" and not received_invitation(registration):
        method = None  # never had the event: nothing to take out of their calendar
    if not slots:
        method = None
    reason = _cancellation_reason(registration, kind)
    sequence = registration_sequence(registration) if method else 0
    attendee = Attendee(email=user.email, name=user.get_full_name())
    parts: list[Any] = slots if method else [None]
    for index, slot in enumerate(parts, start=1):
        with translation.override(user.preferred_language):
            subject = subject_factory() % {"course": session.title}
            if slot is not None and len(parts) > 1:
                subject = _("%(subject)s (demi-journée %(number)d sur %(total)d)") % {
                    "subject": subject,
                    "number": index,
                    "total": len(parts),
                }
            body = render_to_string(
                "training/email/registration.txt",
                {
                    "kind": kind,
                    "registration": registration,
                    "session": session,
                    "user": user,
                    "position": waitlist_position(registration),
                    "reason": reason,
                    "slot": slot if len(parts) > 1 else None,
                    "slot_number": index,
                    "slot_total": len(parts),
                    "url": settings.SITE_URL + reverse("training:detail", args=[session.pk]),
                },
            )
        calendar = None
        if slot is not None and method is not None:
            calendar = invitation(
                session=session,
                slot=slot,
                attendee=attendee,
                sequence=sequence,
                method=method,
                whole_event_cancelled=kind == "session_cancelled",
                comment=reason,
            )
        _imip_message(subject=subject, body=body, to=user.email, calendar=calendar, method=method).send()
    return True


def session_message_deliver(*, message_id: int, registration_ids: list[int]) -> int:
    """Send an organiser's message to each registration once (NotificationLog), each in the
    person's language. Returns how many e-mails went out this time."""
    message = (
        SessionMessage.objects.select_related("session__course", "session__event", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return 0
    key = f"message-{message.pk}"
    done = set(
        NotificationLog.objects.filter(
            registration_id__in=registration_ids, kind="session_message", key=key
        ).values_list("registration_id", flat=True)
    )
    registrations = Registration.objects.select_related("user").filter(pk__in=registration_ids).exclude(pk__in=done)
    session = message.session
    reply_to = [message.author.email] if message.author and message.author.email else []
    sent = 0
    for registration in registrations.order_by("pk"):
        user = registration.user
        if not user.is_active:
            continue
        with translation.override(user.preferred_language):
            subject = _("[%(course)s] %(subject)s") % {"course": session.title, "subject": message.subject}
            body = render_to_string(
                "training/email/session_message.txt",
                {
                    "message": message,
                    "session": session,
                    "user": user,
                    "url": settings.SITE_URL + reverse("training:detail", args=[session.pk]),
                },
            )
        EmailMultiAlternatives(subject=_one_line(subject), body=body, to=[user.email], reply_to=reply_to).send()
        NotificationLog.objects.create(registration=registration, kind="session_message", key=key)
        sent += 1
    return sent
