"""Every message of a registration's life, read by two parsers nobody here wrote (`ical`
from PyPI, ical.js from npm), against RFC 5546 (iTIP) and RFC 6047 (iMIP)."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest
from django.conf import settings

from essaim.training.models import Registration, Session
from essaim.training.services import registration_cancel, registration_create
from essaim.training.sessions import session_cancel, session_change_venue, session_reschedule
from tests.calendar_tools import Invitation, invitations, parse_with_ical, parse_with_icaljs
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db

S = Registration.Status
FROM = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _read(mails: list[Invitation]) -> list[tuple[dict, dict]]:
    """Both parsers' view of each calendar; they must agree on what matters."""
    texts = [m.calendar for m in mails if m.calendar]
    by_js = parse_with_icaljs(texts)
    read = []
    for text, js in zip(texts, by_js, strict=True):
        py = parse_with_ical(text)
        assert py["method"] == js["method"]
        assert [e["uid"] for e in py["events"]] == [e["uid"] for e in js["events"]]
        assert [e["sequence"] for e in py["events"]] == [e["sequence"] for e in js["events"]]
        read.append((py, js))
    return read


def _one_event(mail: Invitation) -> dict:
    """RFC 5546 §3.2: one UID per iTIP object; here exactly one VEVENT, one attendee."""
    ((py, js),) = _read([mail])
    assert py["method"] == mail.method  # the MIME method parameter says what METHOD says
    (event,) = js["events"]
    (py_event,) = py["events"]
    assert event["properties"].count("attendee") == 1
    assert event["organizer"] == f"mailto:{FROM}" == py_event["organizer"] and mail.from_address == FROM
    assert event["attendees"][0]["value"] == f"mailto:{mail.to}"
    return event | {"py_status": py_event["status"], "py_comment": py_event["comment"]}


def _calendars(mailoutbox, to: str) -> list[Invitation]:
    return [m for m in invitations(mailoutbox) if m.to == to and m.calendar]


def test_a_registration_life_reads_right_in_two_independent_parsers(
    intro_course, ministry, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=1)
    alice = UserFactory(email="alice@exemple.gouv.fr", given_name="Alice", usual_name="Martin")
    bob = UserFactory(email="bob@exemple.gouv.fr")
    seen: dict[str, list[int]] = {}  # UID → every SEQUENCE Alice received, in order

    def alice_events(method: str, count: int = 2) -> list[dict]:
        mails = _calendars(mailoutbox, alice.email)
        assert len(mails) == count, [m.subject for m in invitations(mailoutbox)]
        events = []
        for mail in mails:
            assert mail.method == method
            assert mail.alternative == ["text/plain", "text/calendar"]  # an invitation, not a file
            assert mail.content_type.count("charset") == 1
            assert mail.attachment == mail.calendar.replace("\n", "\r\n").replace("\r\r", "\r")
            event = _one_event(mail)
            seen.setdefault(event["uid"], []).append(event["sequence"])
            events.append(event)
        mailoutbox.clear()
        return events

    # Booked: one message per half-day, each its own UID; the seat is confirmed.
    with django_capture_on_commit_callbacks(execute=True):
        alice_reg = registration_create(session=session, agent=alice, acting_user=alice)
    booked = alice_events("REQUEST")
    uids = [e["uid"] for e in booked]
    assert len(set(uids)) == 2
    assert {e["attendees"][0]["partstat"] for e in booked} == {"ACCEPTED"}
    assert {e["status"] for e in booked} == {"CONFIRMED"}
    slots = list(session.slots.order_by("starts_at"))
    assert [e["start"] for e in booked] == [s.starts_at.astimezone(dt.UTC).isoformat()[:19] + ".000Z" for s in slots]

    # Waitlisted: no event, so never a CANCEL later either.
    with django_capture_on_commit_callbacks(execute=True):
        bob_reg = registration_create(session=session, agent=bob, acting_user=bob)
    assert bob_reg.status == S.WAITLISTED
    assert mailoutbox and not _calendars(mailoutbox, bob.email)
    mailoutbox.clear()

    # Venue change: the same UIDs, a higher SEQUENCE, the new place.
    with django_capture_on_commit_callbacks(execute=True):
        session_change_venue(session=session, acting_user=programme_admin, address="20 avenue de Ségur, Paris")
    assert not _calendars(mailoutbox, bob.email)
    moved = alice_events("REQUEST")
    assert [e["uid"] for e in moved] == uids
    assert {e["location"] for e in moved} == {"20 avenue de Ségur, Paris"}

    # Reschedule: same UIDs, higher SEQUENCE, new dates.
    new_start = slots[0].starts_at + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        session_reschedule(
            session=session,
            slots=[
                (new_start, new_start + dt.timedelta(hours=3)),
                (new_start + dt.timedelta(hours=4), new_start + dt.timedelta(hours=7)),
            ],
            acting_user=programme_admin,
        )
    later = alice_events("REQUEST")
    assert [e["uid"] for e in later] == uids
    assert later[0]["start"].startswith(new_start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))

    # The person waiting leaves: they never had the event, they get no CANCEL.
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=bob_reg, acting_user=bob)
    assert mailoutbox and not _calendars(mailoutbox, bob.email)
    mailoutbox.clear()

    # Own cancellation: CANCEL names the person, SEQUENCE up, the event itself not cancelled.
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=alice_reg, acting_user=alice)
    own = alice_events("CANCEL")
    assert [e["uid"] for e in own] == uids
    assert {e["status"] for e in own} == {None} and {e["py_status"] for e in own} == {None}

    # Signing up again: a REQUEST with a SEQUENCE above the CANCEL's.
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=alice, acting_user=alice)
    again = alice_events("REQUEST")
    assert [e["uid"] for e in again] == uids

    # The session is cancelled: STATUS:CANCELLED, the organiser's reason in COMMENT and body.
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, acting_user=programme_admin, reason="Formateur indisponible, session reportée")
    cancelled_mails = _calendars(mailoutbox, alice.email)
    assert all("Formateur indisponible, session reportée" in m.body for m in cancelled_mails)
    cancelled = alice_events("CANCEL")
    assert {e["status"] for e in cancelled} == {"CANCELLED"} == {e["py_status"] for e in cancelled}
    assert {e["comment"] for e in cancelled} == {"Formateur indisponible, session reportée"}
    assert {tuple(e["py_comment"]) for e in cancelled} == {("Formateur indisponible, session reportée",)}

    # Every message Alice got for a half-day carried a strictly higher SEQUENCE (RFC 5546 §2.1.4).
    assert set(seen) == set(uids)
    for sequences in seen.values():
        assert len(sequences) == 6 and sequences == sorted(set(sequences)), sequences


@pytest.mark.parametrize(
    "hostile",
    [
        "Salle 2\rATTENDEE:mailto:intrus@exemple.com",
        "Salle 2\nATTENDEE:mailto:intrus@exemple.com",
        "Salle 2\r\nATTENDEE:mailto:intrus@exemple.com",
        "Salle 2\u2028ATTENDEE:mailto:intrus@exemple.com",
        "Salle 2\x0bATTENDEE:mailto:intrus@exemple.com\x1b",
        "Salle 2\x85ATTENDEE:mailto:intrus@exemple.com",
    ],
)
def test_no_line_break_anywhere_can_start_a_property(
    hostile, intro_course, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    """Written straight into the database, past any form: the writer alone must hold."""
    session = make_session(intro_course, ministry)
    Session.objects.filter(pk=session.pk).update(address=hostile, description=hostile)
    type(intro_course).objects.filter(pk=intro_course.pk).update(title=hostile)
    agent = UserFactory(email="alice@exemple.gouv.fr", given_name='Al"ice\r', usual_name="X\nATTENDEE:mailto:b@c.d")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=Session.objects.get(pk=session.pk), agent=agent, acting_user=agent)
    mails = _calendars(mailoutbox, agent.email)
    assert len(mails) == 2
    for mail in mails:
        event = _one_event(mail)  # still exactly one attendee: the person
        assert "intrus" not in "".join(a["value"] for a in event["attendees"])
        for text in (event["location"], event["summary"]):
            assert text.startswith("Salle 2") and "ATTENDEE:mailto:intrus@exemple.com" in text
        for line in mail.calendar.replace("\r\n ", "").split("\r\n"):
            assert not line.startswith("ATTENDEE:"), line


def test_an_organiser_removing_or_moving_someone_updates_only_their_calendar(
    intro_course, ministry, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    from essaim.training.services import registration_move

    first = make_session(intro_course, ministry, capacity=3)
    second = make_session(intro_course, ministry, capacity=3, days_ahead=60)
    alice, bob = UserFactory(email="alice@exemple.gouv.fr"), UserFactory(email="bob@exemple.gouv.fr")
    with django_capture_on_commit_callbacks(execute=True):
        alice_reg = registration_create(session=first, agent=alice, acting_user=alice)
        bob_reg = registration_create(session=first, agent=bob, acting_user=bob)
    mailoutbox.clear()

    # Removed by the organiser with a reason: a CANCEL naming her, no STATUS, the reason shown.
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=alice_reg, acting_user=organiser, by_organiser=True, note="Doublon de dossier")
    mails = _calendars(mailoutbox, alice.email)
    assert len(mails) == 2 and all("Doublon de dossier" in m.body for m in mails)
    for mail in mails:
        assert mail.method == "CANCEL"
        event = _one_event(mail)
        assert event["status"] is None and event["comment"] == "Doublon de dossier"
    assert not _calendars(mailoutbox, bob.email)  # the others' calendars are untouched
    mailoutbox.clear()

    # Moved to another session: the old half-days leave the calendar, the new ones arrive.
    old_uids = {_one_event(m)["uid"] for m in mails}
    with django_capture_on_commit_callbacks(execute=True):
        registration_move(registration=bob_reg, to_session=second, acting_user=organiser)
    moved = _calendars(mailoutbox, bob.email)
    cancels = [m for m in moved if m.method == "CANCEL"]
    requests = [m for m in moved if m.method == "REQUEST"]
    assert len(cancels) == 2 and len(requests) == 2
    assert {_one_event(m)["uid"] for m in cancels}.isdisjoint({_one_event(m)["uid"] for m in requests})
    assert len(old_uids) == 2
