from __future__ import annotations

import datetime as dt

import pytest

from essaim.core.exceptions import ServiceError
from essaim.training.attendance import attendance_record, session_close
from essaim.training.models import Completion, Registration, Session
from essaim.training.services import registration_create
from tests.factories import UserFactory, grant
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db
S = Registration.Status


@pytest.fixture
def past_session(intro_course, ministry):
    """A session whose half-days are over, with four booked people."""
    session = make_session(intro_course, ministry, capacity=4)
    people = [UserFactory() for _ in range(4)]
    registrations = [registration_create(session=session, agent=p, acting_user=p) for p in people]
    shift = dt.timedelta(days=31)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save()
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()
    return session, registrations


def test_attendance_then_closing_issues_completions_by_the_course_rule(past_session, programme_admin):
    session, (full, half, excused, noshow) = past_session
    morning, afternoon = session.slots.all()
    attendance_record(
        session=session,
        slot=morning,
        acting_user=programme_admin,
        marks={full.pk: "present", half.pk: "late", excused.pk: "excused", noshow.pk: "absent"},
    )
    attendance_record(
        session=session,
        slot=afternoon,
        acting_user=programme_admin,
        marks={full.pk: "present", half.pk: "absent", excused.pk: "excused"},
    )
    completions = session_close(session=session, acting_user=programme_admin)
    statuses = {r.pk: r.status for r in Registration.objects.filter(session=session)}
    assert statuses == {
        full.pk: S.COMPLETED,
        half.pk: S.PARTIALLY_ATTENDED,
        excused.pk: S.ABSENT,
        noshow.pk: S.NO_SHOW,
    }
    assert [c.user_id for c in completions] == [full.user_id]
    completion = Completion.objects.get()
    assert completion.attendance_rate == 100 and completion.framework_id == session.course.framework_id
    session.refresh_from_db()
    assert session.status == Session.Status.DONE
    with pytest.raises(ServiceError):
        session_close(session=session, acting_user=programme_admin)


def test_attendance_refuses_bad_input(past_session, intro_course, ministry, programme_admin):
    session, registrations = past_session
    slot = session.slots.first()
    with pytest.raises(ServiceError):
        attendance_record(
            session=session, slot=slot, marks={registrations[0].pk: "peut-être"}, acting_user=programme_admin
        )
    stranger = registration_create(
        session=make_session(intro_course, ministry, days_ahead=90), agent=UserFactory(), acting_user=None
    )
    with pytest.raises(ServiceError):
        attendance_record(session=session, slot=slot, marks={stranger.pk: "present"}, acting_user=programme_admin)
    future = make_session(intro_course, ministry, days_ahead=120)
    with pytest.raises(ServiceError):
        attendance_record(session=future, slot=future.slots.first(), marks={}, acting_user=programme_admin)


def test_who_may_take_attendance(past_session, organiser, other_agent, trainer):
    session, _registrations = past_session
    assert organiser.has_perm("training.take_attendance", session)  # organiser of the ministry running it
    assert not other_agent.has_perm("training.take_attendance", session)
    assert not trainer.has_perm("training.take_attendance", session)
    session.trainers.add(trainer)
    assert trainer.has_perm("training.take_attendance", session)
    assert not trainer.has_perm("training.manage_session", session)
    outsider = UserFactory()
    grant(outsider, "organiser", other_agent.organisation)
    assert not outsider.has_perm("training.take_attendance", session)
