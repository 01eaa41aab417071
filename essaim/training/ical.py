"""iCalendar (RFC 5545) for sessions: iTIP invitations (RFC 5546), downloads and feeds.

The shape is in ADR 0055: every half-day of a session is its own event with its own
stable UID, and an iTIP message (REQUEST or CANCEL) carries exactly one of them, so that
Outlook, Gmail and Apple Calendar all show every half-day. Downloads and personal feeds
carry no METHOD and list the same UIDs, so an imported copy and an invitation are one
event in the person's calendar.

Safety lives in the writer, not in the callers: every value goes through `_content_line`,
which escapes TEXT, quotes parameters and drops every control character, so no input —
a lone CR in a venue, a LF in a title — can ever start a new property.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from essaim.training.models import Registration, RegistrationEvent, Session, SessionSlot

#: Every C0 control, DEL and the C1 controls; TEXT and parameter values allow none of them
#: (RFC 5545 §3.1, §3.3.11) except HTAB, which we turn into a space too.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Line breaks in every spelling, including a lone CR and Unicode line/paragraph separators.
_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): breaks become the two characters `\\n`."""
    value = _BREAKS.sub("\n", value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROLS.sub(lambda m: "\\n" if m.group() == "\n" else " ", value)


def _raw(value: str) -> str:
    """A value that is not TEXT (a date, a URI, an address): no control character survives."""
    return _CONTROLS.sub("", value or "")


_TOKEN = re.compile(r"[A-Z0-9-]+")


def _param(value: str) -> str:
    """A parameter value (RFC 5545 §3.2): a token stays bare, anything else is quoted, with
    DQUOTE and controls dropped."""
    if _TOKEN.fullmatch(value or ""):
        return value
    return '"' + _CONTROLS.sub(" ", value or "").replace('"', "'") + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a UTF-8 character."""
    if len(line.encode()) <= 75:
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


def _content_line(name: str, value: str, *, text: bool = True, **params: str) -> str:
    rendered = "".join(f";{key.replace('_', '-').upper()}={_param(val)}" for key, val in params.items())
    line = f"{name}{rendered}:{_text(value) if text else _raw(value)}"
    # The writer's own invariant: what the escaping above guarantees, checked once more.
    assert "\r" not in line and "\n" not in line  # nosec B101
    return _fold(line)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def slot_uid(slot: SessionSlot) -> str:
    """Stable for the life of the half-day: a reschedule moves the slot, it keeps its UID."""
    host = urlsplit(settings.SITE_URL).hostname or "essaim"
    return f"essaim-session-{slot.session_id}-slot-{slot.pk}@{host}"


def organiser_address() -> tuple[str, str]:
    """(name, address) of the From header: ORGANIZER must match it (RFC 6047 §3)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Essaim", address


def registration_sequence(registration: Registration) -> int:
    """SEQUENCE for one person's copy of a session's events.

    The session's counter goes up with every change the organiser makes; every status
    change of the registration (booked, cancelled, booked again…) adds one more. Both only
    grow, so each message a person receives has a higher SEQUENCE than the one before —
    their own cancellation and a re-registration after it included (RFC 5546 §2.1.4)."""
    changes = getattr(registration, "status_changes", None)  # annotated by calendar_registrations
    if changes is None:
        changes = RegistrationEvent.objects.filter(registration_id=registration.pk).count()
    return registration.session.ical_sequence + changes


def received_invitation(registration: Registration) -> bool:
    """Whether the person's calendar holds the event: they were booked just before the
    change being announced (a person waiting never received it, so gets no CANCEL)."""
    last = RegistrationEvent.objects.filter(registration_id=registration.pk).order_by("-created_at", "-id").first()
    return last is not None and last.from_status == Registration.Status.BOOKED


def _location(session: Session) -> str:
    if session.venue == Session.Venue.REMOTE:
        return session.remote_url or ""
    if session.venue == Session.Venue.LAB and session.lab:
        return ", ".join(part for part in (str(session.lab), session.address) if part)
    return session.address or ""


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""


def _vevent(
    *,
    session: Session,
    slot: SessionSlot,
    sequence: int,
    now: str,
    attendee: Attendee | None,
    partstat: str = "ACCEPTED",
    status: str | None = "CONFIRMED",
    comment: str = "",
    url: str = "",
) -> list[str]:
    organiser_name, organiser_email = organiser_address()
    lines = [
        "BEGIN:VEVENT",
        _content_line("UID", slot_uid(slot), text=False),
        _content_line("SEQUENCE", str(sequence), text=False),
        _content_line("DTSTAMP", now, text=False),
        _content_line("DTSTART", _utc(slot.starts_at), text=False),
        _content_line("DTEND", _utc(slot.ends_at), text=False),
        _content_line("SUMMARY", session.title),
        _content_line("LOCATION", _location(session)),
        _content_line("DESCRIPTION", session.description or session.course.summary),
        _content_line("ORGANIZER", f"mailto:{organiser_email}", text=False, cn=organiser_name),
    ]
    if url:
        lines.append(_content_line("URL", url, text=False))
    if attendee is not None:
        params = {"role": "REQ-PARTICIPANT", "partstat": partstat, "rsvp": "FALSE"}
        if attendee.name:
            params["cn"] = attendee.name
        lines.append(_content_line("ATTENDEE", f"mailto:{attendee.email}", text=False, **params))
    if status:
        lines.append(_content_line("STATUS", status, text=False))
    if comment:
        lines.append(_content_line("COMMENT", comment))
    lines.append("END:VEVENT")
    return lines


def _calendar(events: Iterable[list[str]], *, method: str | None, name: str = "") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//DITP//Essaim//FR", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(_content_line("X-WR-CALNAME", name))
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def invitation(
    *,
    session: Session,
    slot: SessionSlot,
    attendee: Attendee,
    sequence: int,
    method: str,
    whole_event_cancelled: bool = False,
    comment: str = "",
) -> str:
    """One iTIP message for one half-day: exactly one VEVENT, so one UID (RFC 5546 §3.2).

    A REQUEST confirms the seat (PARTSTAT=ACCEPTED: nothing to answer). A CANCEL carries
    STATUS:CANCELLED only when the session itself is cancelled; uninviting one person
    (their own cancellation, or the organiser's) names them and leaves the status out
    (RFC 5546 §3.2.5)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    now = _utc(dt.datetime.now(dt.UTC))
    if method == "REQUEST":
        event = _vevent(session=session, slot=slot, sequence=sequence, now=now, attendee=attendee)
    else:
        event = _vevent(
            session=session,
            slot=slot,
            sequence=sequence,
            now=now,
            attendee=attendee,
            partstat="DECLINED" if not whole_event_cancelled else "ACCEPTED",
            status="CANCELLED" if whole_event_cancelled else None,
            comment=comment,
        )
    return _calendar([event], method=method)


def calendar_file(*, registrations: Iterable[Registration], name: str = "") -> str:
    """A plain calendar (no METHOD) of people's own sessions: the « Ajouter à mon agenda »
    download and the personal feed. Same UIDs as the invitations; a cancelled session stays
    listed as cancelled so subscribed calendars drop it rather than keep a stale copy."""
    now = _utc(dt.datetime.now(dt.UTC))
    events = []
    for registration in registrations:
        session = registration.session
        cancelled = session.status == Session.Status.CANCELLED
        url = settings.SITE_URL + reverse("training:detail", args=[session.pk])
        for slot in session.slots.all():
            events.append(
                _vevent(
                    session=session,
                    slot=slot,
                    sequence=registration_sequence(registration),
                    now=now,
                    attendee=None,
                    status="CANCELLED" if cancelled else "CONFIRMED",
                    comment=session.cancellation_reason if cancelled else "",
                    url=url,
                )
            )
    return _calendar(events, method=None, name=name)
