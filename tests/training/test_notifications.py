from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from essaim.training.reminders import reminder_claim, reminders_due
from essaim.training.services import registration_create
from essaim.training.sessions import session_reschedule
from essaim.training.tasks import send_reminders
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _ics(message) -> str:
    return next(content.decode() for name, content, _mime in message.attachments if name == "invitation.ics")


def test_booking_mail_carries_an_invitation_with_a_stable_uid(
    intro_course, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry)
    agent = UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=agent, acting_user=agent)
    assert len(mailoutbox) == 2  # one iTIP message per half-day (ADR 0055)
    assert all(m.subject.startswith("Registration confirmed") for m in mailoutbox)  # in the person's language
    calendars = [_ics(m) for m in mailoutbox]
    assert all("METHOD:REQUEST" in ics and "SEQUENCE:1" in ics and ics.count("BEGIN:VEVENT") == 1 for ics in calendars)
    uids = [re.findall(r"UID:(.+)\r\n", ics)[0] for ics in calendars]
    assert len(set(uids)) == 2
    mailoutbox.clear()

    new_start = session.starts_at + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        session_reschedule(
            session=session,
            slots=[
                (new_start, new_start + dt.timedelta(hours=3)),
                (new_start + dt.timedelta(hours=4), new_start + dt.timedelta(hours=7)),
            ],
            acting_user=None,
        )
    changed = [_ics(m) for m in mailoutbox]
    assert [re.findall(r"UID:(.+)\r\n", ics)[0] for ics in changed] == uids
    assert all("SEQUENCE:2" in ics and "METHOD:REQUEST" in ics for ics in changed)


def test_reminders_go_out_once_and_follow_a_rescheduled_date(intro_course, ministry, mailoutbox):
    session = make_session(intro_course, ministry, days_ahead=5)
    agent = UserFactory()
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    due = reminders_due()
    assert [(r, k) for r, k, _key in due] == [(registration.pk, "reminder_7_days")]
    send_reminders.call_local()
    send_reminders.call_local()
    assert sum("Dans une semaine" in m.subject for m in mailoutbox) == 1

    # Moved three weeks later: no reminder now; the new date gets its own in time.
    later = session.starts_at + dt.timedelta(days=21)
    session_reschedule(
        session=session,
        slots=[(later, later + dt.timedelta(hours=3)), (later + dt.timedelta(hours=4), later + dt.timedelta(hours=7))],
        acting_user=None,
    )
    assert reminders_due() == []
    in_three_weeks = timezone.now() + dt.timedelta(days=20)
    (due_later,) = reminders_due(now=in_three_weeks)
    assert due_later[1] == "reminder_7_days" and due_later[2] != due[0][2]
    assert reminder_claim(registration_id=registration.pk, kind=due_later[1], key=due_later[2])
    assert not reminder_claim(registration_id=registration.pk, kind=due_later[1], key=due_later[2])


def test_reschedule_refuses_bad_dates(intro_course, ministry):
    from essaim.core.exceptions import ServiceError

    session = make_session(intro_course, ministry)
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ServiceError):
        session_reschedule(session=session, slots=[(past, past + dt.timedelta(hours=3))] * 2, acting_user=None)
    # The same half-days again: nothing changed, nobody is written to.
    same = [(slot.starts_at, slot.ends_at) for slot in session.slots.all()]
    with pytest.raises(ServiceError, match="inchangées"):
        session_reschedule(session=session, slots=same, acting_user=None)
