"""The side effects of a registration go through the outbox (core/outbox.py): delivered to
a real SMTP server (aiosmtpd) whatever dies, and when, and however the server refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from essaim.core import outbox
from essaim.core.models import OutboxMessage
from essaim.core.outbox import outbox_relay
from essaim.training.models import Registration
from essaim.training.services import registration_cancel, registration_create
from essaim.training.sessions import session_create
from tests.factories import UserFactory
from tests.smtpserver import free_port

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxMessage.Status


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: nothing after it runs, no except clause sees it."""


def _time_passes(seconds: float) -> None:
    """Move every pending message's clock back, as if `seconds` had gone by."""
    delta = dt.timedelta(seconds=seconds)
    for message in OutboxMessage.objects.filter(status=Status.PENDING):
        message.available_at -= delta
        if message.lease_until:
            message.lease_until -= delta
        message.save(update_fields=["available_at", "lease_until"])


def _subject(mail) -> str:
    return str(mail["Subject"]).strip()


def _relay_after(seconds: float) -> int:
    _time_passes(seconds)
    return outbox_relay(queues=["mail", "booking"])


@pytest.fixture
def hot_session(intro_course, ministry):
    # One half-day, so one e-mail per notice (invitations go one per half-day, ADR 0055):
    # each count below is one person's mail.
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=30)
    return session_create(
        course=intro_course,
        organiser=ministry,
        slots=[(start, start + dt.timedelta(hours=3))],
        capacity=1,
        acting_user=None,
        publish=True,
    )


def _register(session, *, web_dies_after_commit: bool = False) -> Registration:
    agent = UserFactory()
    if not web_dies_after_commit:
        return registration_create(session=session, agent=agent, acting_user=agent)
    callbacks = []
    # The process dies between COMMIT and the hand-over to the queue: the on-commit hook
    # never runs.
    original = transaction.on_commit
    transaction.on_commit = lambda func, *a, **k: callbacks.append(func)  # type: ignore[assignment]
    try:
        return registration_create(session=session, agent=agent, acting_user=agent)
    finally:
        transaction.on_commit = original  # type: ignore[assignment]


def test_a_confirmation_reaches_the_mailbox_once_with_its_outbox_message_id(hot_session, smtp_server):
    registration = _register(hot_session)
    (mail,) = smtp_server.received
    assert mail["To"] == registration.user.email
    assert _subject(mail).startswith("Inscription confirmée")
    row = OutboxMessage.objects.get(ref=f"training.registration:{registration.pk}")
    assert row.status == Status.SENT and row.attempts == 1
    assert mail["Message-ID"].startswith(f"<outbox-{row.pk}-1@")
    assert _relay_after(3600) == 0 and len(smtp_server.received) == 1


def test_a_write_that_rolls_back_leaves_no_side_effect(hot_session, smtp_server):
    agent = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_enqueue(task=_notify_task(), kwargs={"registration_id": 1, "kind": "registration_booked"})
        raise RuntimeError("the write failed after its side effect was recorded")
    assert not OutboxMessage.objects.exists()
    assert agent.pk and smtp_server.received == []


def _notify_task():
    from essaim.training.tasks import notify_registration

    return notify_registration


def test_web_killed_between_commit_and_hand_over_the_relay_delivers(hot_session, smtp_server):
    registration = _register(hot_session, web_dies_after_commit=True)
    assert smtp_server.received == []
    row = OutboxMessage.objects.get(ref=f"training.registration:{registration.pk}")
    assert row.status == Status.PENDING and row.attempts == 0
    assert _relay_after(3) == 1
    assert smtp_server.to() == [registration.user.email]
    assert _relay_after(3600) == 0 and len(smtp_server.received) == 1


def test_worker_killed_during_delivery_another_delivers_once_the_lease_expires(hot_session, smtp_server, monkeypatch):
    from django.core.mail.backends.smtp import EmailBackend

    def killed(self, messages):
        raise WorkerKilled

    monkeypatch.setattr(EmailBackend, "send_messages", killed)
    with pytest.raises(WorkerKilled):
        _register(hot_session)
    row = OutboxMessage.objects.get()
    assert row.status == Status.PENDING and row.attempts == 1 and row.lease_until
    monkeypatch.undo()
    assert _relay_after(5) == 0, "held by the dead worker until its lease expires"
    assert _relay_after(30) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert len(smtp_server.received) == 1


def test_worker_killed_after_the_smtp_server_accepted_before_marking(hot_session, smtp_server, monkeypatch):
    """At least once: the redelivery carries the same Message-ID, so a mail store that
    deduplicates (and the person's client) shows one message."""
    monkeypatch.setattr(outbox, "_mark_sent", lambda message: (_ for _ in ()).throw(WorkerKilled()))
    with pytest.raises(WorkerKilled):
        _register(hot_session)
    monkeypatch.undo()
    assert len(smtp_server.received) == 1
    assert _relay_after(30) == 1
    assert len(smtp_server.received) == 2
    assert len(set(smtp_server.message_ids())) == 1
    assert OutboxMessage.objects.get().status == Status.SENT


def test_a_freed_seat_is_offered_once_even_if_the_offer_task_runs_twice(hot_session, smtp_server, monkeypatch):
    holder = _register(hot_session)
    waiting = _register(hot_session)
    assert waiting.status == Registration.Status.WAITLISTED
    real_mark = outbox._mark_sent
    calls = []

    def dies_once_after_the_offer(message):
        if message.task.endswith("offer_freed_seats") and not calls:
            calls.append(message.pk)
            raise WorkerKilled
        real_mark(message)

    monkeypatch.setattr(outbox, "_mark_sent", dies_once_after_the_offer)
    with pytest.raises(WorkerKilled):
        registration_cancel(registration=holder, acting_user=holder.user)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert _relay_after(30) >= 1  # the offer task again, and whatever mail it left behind
    _relay_after(30)
    offer_mails = [m for m in smtp_server.received if _subject(m).startswith("Une place se libère")]
    assert [m["To"] for m in offer_mails] == [waiting.user.email], [
        (_subject(m), m["To"]) for m in smtp_server.received
    ]
    assert not OutboxMessage.objects.filter(status=Status.PENDING).exists()


def test_temporary_refusals_are_retried_with_backoff_then_delivered(hot_session, smtp_server):
    smtp_server.answer, smtp_server.refusals_left = "451 4.3.0 Mailbox busy, try again", 2
    registration = _register(hot_session)
    row = OutboxMessage.objects.get()
    assert row.status == Status.PENDING and row.attempts == 1 and "451" in row.last_error
    assert _relay_after(1) == 0, "not before the backoff"
    assert _relay_after(10) == 1
    row.refresh_from_db()
    # The second wait is twice the first (5 s, then 10 s).
    assert row.attempts == 2 and row.available_at > timezone.now() + dt.timedelta(seconds=7)
    assert _relay_after(60) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 3 and row.last_error == ""
    assert smtp_server.to() == [registration.user.email]


def test_a_permanent_refusal_is_a_dead_letter_with_the_reason(hot_session, smtp_server):
    smtp_server.answer, smtp_server.refusals_left = "550 5.1.1 No such user here", -1
    _register(hot_session)
    row = OutboxMessage.objects.get()
    assert row.status == Status.FAILED and row.attempts == 1
    assert row.last_error.startswith("SMTP 550") and "No such user" in row.last_error
    assert _relay_after(3600) == 0 and smtp_server.received == []


def test_connection_refused_is_retried_until_the_last_attempt_then_failed(hot_session, smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.EMAIL_PORT = free_port()  # nobody listens there
    _register(hot_session)
    for _attempt in range(3):
        row = OutboxMessage.objects.get()
        assert row.status == Status.PENDING and "ConnectionRefused" in row.last_error
        _relay_after(3600)
    row = OutboxMessage.objects.get()
    assert row.status == Status.FAILED and row.attempts == 4 and "ConnectionRefused" in row.last_error


def test_server_back_after_refusing_connections_everything_waiting_goes_out_once(hot_session, smtp_server, settings):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    registrations = [_register(hot_session) for _ in range(3)]
    assert smtp_server.received == []
    settings.EMAIL_PORT = port
    _relay_after(60)
    assert sorted(smtp_server.to()) == sorted(r.user.email for r in registrations)
    assert len(set(smtp_server.message_ids())) == 3


# What the organiser sees ----------------------------------------------------------------


def test_the_organiser_sees_which_messages_were_delivered_and_why_one_was_not(
    client, organiser, hot_session, smtp_server
):
    holder = _register(hot_session)
    waiting = _register(hot_session)
    smtp_server.unknown = {waiting.user.email}
    client.force_login(organiser)
    url = reverse("training_admin:message", args=[hot_session.pk])
    data = {"message-audience": "active", "message-subject": "Salle 4", "message-body": "Rendez-vous salle 4."}
    page = client.post(url, data, follow=True).content.decode()
    assert "Message envoyé" not in page  # it was on its way, and one did not arrive
    assert "Message enregistré : il part vers 2 personnes." in page
    assert "1 remis" in page and "1 échec" in page
    name = waiting.user.get_full_name()
    assert f"Non remis à {name} : adresse refusée par le serveur de messagerie (SMTP 550" in page
    assert smtp_server.to().count(holder.user.email) == 2  # the confirmation, then the message

    # The delivery state costs the same queries however many messages the page lists.
    before = _queries(client, url)
    client.post(url, data | {"message-subject": "Salle 5"})
    client.post(url, data | {"message-subject": "Salle 6"})
    assert _queries(client, url) == before


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)
