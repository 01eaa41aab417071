"""E-mails about registrations, in the person's language, with the calendar invitation."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from essaim.training.ical import session_calendar
from essaim.training.models import NotificationLog, Registration, SessionMessage
from essaim.training.services import waitlist_position

#: kind → (subject, whether the invitation is attached, whether it cancels)
KINDS = {
    "registration_booked": (lambda: _("Inscription confirmée : %(course)s"), True, False),
    "registration_waitlisted": (lambda: _("Liste d’attente : %(course)s"), False, False),
    "registration_requested": (lambda: _("Demande d’inscription reçue : %(course)s"), False, False),
    "seat_offered": (lambda: _("Une place se libère : %(course)s"), False, False),
    "registration_declined": (lambda: _("Demande d’inscription refusée : %(course)s"), False, False),
    "offer_expired": (lambda: _("Place proposée expirée : %(course)s"), False, False),
    "registration_cancelled": (lambda: _("Inscription annulée : %(course)s"), True, True),
    "reminder_7_days": (lambda: _("Dans une semaine : %(course)s"), True, False),
    "reminder_1_day": (lambda: _("Demain : %(course)s"), True, False),
    "session_changed": (lambda: _("Session modifiée : %(course)s"), True, False),
    "completed": (lambda: _("Formation validée : %(course)s"), False, False),
    "session_cancelled": (lambda: _("Session annulée : %(course)s"), True, True),
}


#: What a person may switch off in their profile. Everything else is transactional — about
#: a registration they made or a change to it — and is sent whatever the preference.
OPTIONAL_KINDS = frozenset({"reminder_7_days", "reminder_1_day"})


def registration_notify(*, registration_id: int, kind: str) -> bool:
    """Send one e-mail about a registration. Returns False when there is nothing to send."""
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
    subject_factory, with_invitation, cancel = KINDS[kind]
    with translation.override(user.preferred_language):
        subject = subject_factory() % {"course": session.title}
        body = render_to_string(
            "training/email/registration.txt",
            {
                "kind": kind,
                "registration": registration,
                "session": session,
                "user": user,
                "position": waitlist_position(registration),
                "url": settings.SITE_URL + reverse("training:detail", args=[session.pk]),
            },
        )
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
    # Only people holding a seat get an event in their calendar (or its cancellation).
    if with_invitation and session.starts_at and (cancel or registration.status in Registration.HOLDING):
        calendar = session_calendar(
            session=session, slots=session.slots.all(), attendee_email=user.email, cancel=cancel
        )
        message.attach(
            "invitation.ics", calendar, f"text/calendar; method={'CANCEL' if cancel else 'REQUEST'}; charset=utf-8"
        )
    message.send()
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
        EmailMultiAlternatives(subject=subject, body=body, to=[user.email], reply_to=reply_to).send()
        NotificationLog.objects.create(registration=registration, kind="session_message", key=key)
        sent += 1
    return sent
