"""iCalendar invitations (RFC 5545) for sessions: stable UIDs, SEQUENCE, METHOD:CANCEL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from essaim.training.models import Session, SessionSlot


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def slot_uid(slot: SessionSlot) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "essaim"
    return f"essaim-session-{slot.session_id}-slot-{slot.pk}@{host}"


def session_calendar(
    *, session: Session, slots: Iterable[SessionSlot], attendee_email: str, cancel: bool = False
) -> str:
    """One VEVENT per half-day slot; UIDs never change, SEQUENCE follows the session."""
    location = (
        session.remote_url if session.venue == Session.Venue.REMOTE else (session.address or str(session.lab or ""))
    )
    organiser = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    now = _utc(dt.datetime.now(dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//DITP//Essaim//FR",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancel else 'REQUEST'}",
    ]
    for slot in slots:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{slot_uid(slot)}",
            f"SEQUENCE:{session.ical_sequence}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(slot.starts_at)}",
            f"DTEND:{_utc(slot.ends_at)}",
            f"SUMMARY:{_escape(session.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(session.description or session.course.summary)}",
            f"ORGANIZER;CN=Essaim:mailto:{organiser}",
            f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{attendee_email}",
            f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
