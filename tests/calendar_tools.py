"""Read iCalendar the way other people's software does: with `ical` (PyPI, a strict
pydantic model of RFC 5545) and with ical.js (npm, Mozilla's parser, js/calendar/).

Both return the same plain shape so tests can assert on what a client would show."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess  # nosec B404
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from ical.calendar_stream import IcsCalendarStream

from tests.nodetools import node_tool_dir


def parse_with_ical(text: str) -> dict[str, Any]:
    calendar = IcsCalendarStream.calendar_from_ics(text)
    return {
        "method": calendar.method,
        "events": [
            {
                "uid": event.uid,
                "sequence": event.sequence,
                "summary": event.summary,
                "location": event.location,
                "start": event.dtstart,
                "status": event.status.value if event.status else None,
                "comment": event.comment,
                "attendees": [(a.uri, a.status) for a in event.attendees],
                "organizer": event.organizer.uri if event.organizer else None,
            }
            for event in calendar.events
        ],
    }


def parse_with_icaljs(texts: list[str]) -> list[dict[str, Any]]:
    folder = node_tool_dir("calendar")
    result = subprocess.run(  # nosec B603 B607
        ["node", str(folder / "parse.mjs")],
        input=json.dumps(texts).encode(),
        capture_output=True,
        check=True,
        cwd=folder,
        timeout=60,
    )
    return json.loads(result.stdout)


@dataclass
class Invitation:
    """One iMIP e-mail as a mail client sees it."""

    to: str
    subject: str
    body: str
    method: str | None  # the method parameter of the inline text/calendar part
    calendar: str | None
    content_type: str
    from_address: str
    attachment: str | None
    alternative: list[str]  # content types inside multipart/alternative, in order


def invitations(mailoutbox: list[Any]) -> list[Invitation]:
    found = []
    for mail in mailoutbox:
        parsed = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        inline = None
        attachment = None
        alternative: list[str] = []
        for part in parsed.walk():
            if part.get_content_type() == "multipart/alternative":
                alternative = [child.get_content_type() for child in part.iter_parts()]
            if part.get_content_type() == "text/calendar":
                assert part.get_content_disposition() != "attachment"
                inline = part
            elif part.get_filename() == "invitation.ics":
                attachment = part.get_payload(decode=True).decode()
        found.append(
            Invitation(
                to=mail.to[0],
                subject=mail.subject,
                body=mail.body,
                method=inline.get_param("method") if inline is not None else None,
                calendar=inline.get_content() if inline is not None else None,
                content_type=str(inline["Content-Type"]) if inline is not None else "",
                from_address=parseaddr(str(parsed["From"]))[1],
                attachment=attachment,
                alternative=alternative,
            )
        )
    return found
