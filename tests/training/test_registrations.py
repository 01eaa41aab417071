from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from essaim.catalogue.models import Course, Prerequisite
from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.practice.models import PracticeEntry
from essaim.training.models import Completion, Registration, Session
from essaim.training.services import (
    registration_accept_offer,
    registration_cancel,
    registration_create,
    session_offer_freed_seats,
    waitlist_position,
)
from essaim.training.sessions import session_cancel, session_set_capacity
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db
S = Registration.Status


def _agents(n):
    return [UserFactory() for _ in range(n)]


def _register(session, user):
    return registration_create(session=session, agent=user, acting_user=user)


def test_seats_then_waiting_list_in_order(session):
    a, b, c, d = _agents(4)
    assert _register(session, a).status == S.BOOKED
    assert _register(session, b).status == S.BOOKED
    rc, rd = _register(session, c), _register(session, d)
    assert (rc.status, rd.status) == (S.WAITLISTED, S.WAITLISTED)
    assert (waitlist_position(rc), waitlist_position(rd)) == (1, 2)
    history = list(rc.events.values_list("from_status", "to_status"))
    assert history == [("", S.WAITLISTED)]
    assert AuditEntry.objects.filter(action="training.registration.create").count() == 4


def test_a_cancellation_offers_the_seat_to_the_first_in_line_once_committed(
    session, django_capture_on_commit_callbacks, mailoutbox
):
    a, b, c, d = _agents(4)
    ra = _register(session, a)
    _register(session, b)
    rc, rd = _register(session, c), _register(session, d)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=ra, acting_user=a)
    rc.refresh_from_db()
    rd.refresh_from_db()
    assert rc.status == S.OFFERED and rc.offered_until is not None
    assert rd.status == S.WAITLISTED and waitlist_position(rd) == 1
    # The person in second place does not jump the queue by registering again.
    e = UserFactory()
    assert _register(session, e).status == S.WAITLISTED
    registration_accept_offer(registration=rc, acting_user=c)
    rc.refresh_from_db()
    assert rc.status == S.BOOKED
    assert [e.to_status for e in rc.events.all()] == [S.WAITLISTED, S.OFFERED, S.BOOKED]
    assert any("Une place se libère" in m.subject for m in mailoutbox)


def test_an_unanswered_offer_expires_and_passes_to_the_next(session, django_capture_on_commit_callbacks):
    a, b, c, d = _agents(4)
    ra = _register(session, a)
    _register(session, b)
    rc, rd = _register(session, c), _register(session, d)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=ra, acting_user=a)
    later = timezone.now() + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        session_offer_freed_seats(session_id=session.pk, now=later)
    rc.refresh_from_db()
    rd.refresh_from_db()
    assert rc.status == S.OFFER_EXPIRED
    assert rd.status == S.OFFERED
    with pytest.raises(ServiceError):
        registration_accept_offer(registration=rc, acting_user=c)


def test_double_submission_is_refused_and_changes_nothing(session):
    a = UserFactory()
    _register(session, a)
    with pytest.raises(ServiceError) as error:
        _register(session, a)
    assert error.value.code == "duplicate"
    assert Registration.objects.filter(session=session, user=a).count() == 1


def test_database_refuses_a_second_registration_row(session):
    a = UserFactory()
    _register(session, a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(session=session, user=a, status=S.BOOKED)


def test_re_registering_after_cancelling_goes_to_the_back(session, django_capture_on_commit_callbacks):
    a, b, c = _agents(3)
    ra = _register(session, a)
    _register(session, b)
    rc = _register(session, c)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=ra, acting_user=a)
    again = _register(session, a)
    assert again.pk == ra.pk and again.status == S.WAITLISTED
    rc.refresh_from_db()
    assert rc.status == S.OFFERED


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"signup_closes_at": "past"}, "window_closed"),
        ({"signup_opens_at": "future"}, "window_not_open"),
        ({"status": Session.Status.CANCELLED}, "session_cancelled"),
        ({"status": Session.Status.DRAFT}, "not_published"),
    ],
)
def test_closed_or_cancelled_sessions_refuse_with_a_reason(session, change, code):
    now = timezone.now()
    values = {
        key: (
            now - dt.timedelta(hours=1)
            if value == "past"
            else now + dt.timedelta(days=1)
            if value == "future"
            else value
        )
        for key, value in change.items()
    }
    if "signup_opens_at" in values:
        values["signup_closes_at"] = now + dt.timedelta(days=2)
    Session.objects.filter(pk=session.pk).update(**values)
    session.refresh_from_db()
    with pytest.raises(ServiceError) as error:
        _register(session, UserFactory())
    assert error.value.code == code and error.value.message
    assert not Registration.objects.filter(session=session).exists()


def test_prerequisites_and_practice_are_explained(intro_course, ministry, framework):
    advanced = Course.objects.create(
        code="facilitation-graphique",
        title="Facilitation graphique",
        summary="…",
        duration_half_days=2,
        framework=framework,
        status=Course.Status.PUBLISHED,
        min_practice_entries=2,
        practice_window_months=12,
    )
    Prerequisite.objects.create(course=advanced, required_course=intro_course)
    session = make_session(advanced, ministry)
    agent = UserFactory()
    with pytest.raises(ServiceError) as error:
        _register(session, agent)
    assert "Facilitation : les fondamentaux" in error.value.message and "2 ateliers" in error.value.message

    intro_session = make_session(intro_course, ministry, days_ahead=60)
    Completion.objects.create(
        user=agent,
        course=intro_course,
        session=intro_session,
        framework=framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    for days in (10, 40):
        PracticeEntry.objects.create(
            user=agent,
            date=timezone.localdate() - dt.timedelta(days=days),
            title="Atelier",
            method="World café",
            participants=12,
        )
    assert _register(session, agent).status == S.BOOKED


def test_overlapping_sessions_are_refused(intro_course, ministry, session):
    other = make_session(intro_course, ministry)  # same dates
    agent = UserFactory()
    _register(session, agent)
    with pytest.raises(ServiceError) as error:
        _register(other, agent)
    assert error.value.code == "overlap"


def test_audience_restricted_to_an_organisation(intro_course, ministry, other_ministry, directorate):
    session = make_session(
        intro_course, ministry, audience=Session.Audience.ORGANISATION, audience_organisation=ministry
    )
    inside = UserFactory(organisation=directorate)
    outside = UserFactory(organisation=other_ministry)
    assert _register(session, inside).status == S.BOOKED
    with pytest.raises(ServiceError) as error:
        _register(session, outside)
    assert error.value.code == "audience"


def test_cancellation_cutoff(intro_course, ministry):
    session = make_session(intro_course, ministry, days_ahead=1, cancellation_cutoff_hours=48)
    agent = UserFactory()
    registration = _register(session, agent)
    with pytest.raises(ServiceError) as error:
        registration_cancel(registration=registration, acting_user=agent)
    assert error.value.code == "cutoff"
    registration.refresh_from_db()
    assert registration.status == S.BOOKED


def test_capacity_cannot_go_below_the_seats_taken(session, programme_admin):
    a, b = _agents(2)
    _register(session, a)
    _register(session, b)
    with pytest.raises(ServiceError) as error:
        session_set_capacity(session=session, capacity=1, acting_user=programme_admin)
    assert error.value.code == "below_booked"
    session.refresh_from_db()
    assert session.capacity == 2


def test_session_cancellation_cancels_everyone_and_bumps_the_calendar_sequence(
    session, programme_admin, django_capture_on_commit_callbacks, mailoutbox
):
    a, b, c = _agents(3)
    for agent in (a, b, c):
        _register(session, agent)
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, acting_user=programme_admin, reason="Formateur indisponible")
    session.refresh_from_db()
    assert session.ical_sequence == 1
    assert set(Registration.objects.filter(session=session).values_list("status", flat=True)) == {S.SESSION_CANCELLED}
    cancel_mails = [m for m in mailoutbox if "annulée" in m.subject]
    # Two booked people, one message per half-day each; the person waiting gets one, with no CANCEL.
    assert len(cancel_mails) == 5
    assert sum(1 for m in cancel_mails if not m.attachments) == 1
    calendars = [a[1].decode() for m in cancel_mails for a in m.attachments if a[0] == "invitation.ics"]
    # Above the booking's SEQUENCE (1): the session's change (+1) and the cancellation (+1).
    assert calendars and "METHOD:CANCEL" in calendars[0] and "SEQUENCE:3" in calendars[0]
    with pytest.raises(ServiceError):
        _register(session, UserFactory())


def test_organiser_approves_and_declines_requests(
    intro_course, ministry, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    from essaim.training.services import registration_approve, registration_decline

    session = make_session(intro_course, ministry, capacity=1, approval_mode=Session.ApprovalMode.ORGANISER)
    a, b, c = _agents(3)
    ra, rb, rc = (_register(session, p) for p in (a, b, c))
    assert {ra.status, rb.status, rc.status} == {S.REQUESTED}
    with django_capture_on_commit_callbacks(execute=True):
        assert registration_approve(registration=ra, acting_user=organiser).status == S.BOOKED
        assert registration_approve(registration=rb, acting_user=organiser).status == S.WAITLISTED
        with pytest.raises(ServiceError):
            registration_decline(registration=rc, acting_user=organiser, reason=" ")
        assert (
            registration_decline(registration=rc, acting_user=organiser, reason="Public non prioritaire").status
            == S.DECLINED
        )
    with pytest.raises(ServiceError):
        registration_approve(registration=rc, acting_user=organiser)
    assert any("refusée" in m.subject for m in mailoutbox)


def test_moving_someone_frees_their_seat_for_the_next_person(
    intro_course, ministry, organiser, django_capture_on_commit_callbacks
):
    from essaim.training.services import registration_move

    first = make_session(intro_course, ministry, capacity=1)
    second = make_session(intro_course, ministry, capacity=1, days_ahead=90)
    a, b = _agents(2)
    ra, rb = _register(first, a), _register(first, b)
    with django_capture_on_commit_callbacks(execute=True):
        moved = registration_move(registration=ra, to_session=second, acting_user=organiser)
    assert moved.session == second and moved.status == S.BOOKED
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert ra.status == S.MOVED and rb.status == S.OFFERED


def test_a_move_that_cannot_land_changes_nothing(intro_course, ministry, organiser):
    from essaim.training.services import registration_move

    first = make_session(intro_course, ministry, capacity=1)
    closed = make_session(intro_course, ministry, capacity=1, days_ahead=90)
    Session.objects.filter(pk=closed.pk).update(signup_closes_at=timezone.now() - dt.timedelta(minutes=1))
    closed.refresh_from_db()
    agent = UserFactory()
    registration = _register(first, agent)
    with pytest.raises(ServiceError):
        registration_move(registration=registration, to_session=closed, acting_user=organiser)
    registration.refresh_from_db()
    assert registration.status == S.BOOKED
    assert not Registration.objects.filter(session=closed).exists()


def test_the_sweep_only_visits_sessions_it_can_fill(intro_course, ministry):
    from essaim.training.services import sessions_with_pending_offers

    full = make_session(intro_course, ministry, capacity=1)
    _register(full, UserFactory())
    _register(full, UserFactory())  # waiting, but no seat to give
    assert sessions_with_pending_offers() == []
    Session.objects.filter(pk=full.pk).update(capacity=2)  # a seat appears outside the services
    assert sessions_with_pending_offers() == [full.pk]


def test_practice_window_clamps_to_the_end_of_shorter_months():
    from essaim.catalogue.selectors import _months_ago

    assert _months_ago(1, today=dt.date(2027, 3, 31)) == dt.date(2027, 2, 28)
    assert _months_ago(12, today=dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert _months_ago(12, today=dt.date(2027, 1, 15)) == dt.date(2026, 1, 15)
