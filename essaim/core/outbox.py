"""The transactional outbox (ADR 0060): every side effect of a write is a row written in
the write's own transaction, then delivered at least once by the workers.

A call site converts in one line, inside the transaction::

    transaction.on_commit(lambda: notify_registration(registration_id, kind))      # before
    outbox_enqueue(task=notify_registration, kwargs={"registration_id": registration_id, "kind": kind})

The task stays the Huey task it was (its decorator names its queue); its keyword arguments
must be JSON. The path of one message:

1. `outbox_enqueue` inserts an `OutboxMessage` (pending) in the caller's transaction: the
   write and its side effect commit together or not at all.
2. On commit, the fast path hands the row's id to its queue's `outbox_deliver_<queue>` Huey
   task: delivered within moments when workers are healthy.
3. `outbox_deliver` claims the row with a conditional UPDATE (a lease of
   `OUTBOX_LEASE_SECONDS`: one worker at a time), runs the task, then marks it sent. A
   failure schedules a retry with exponential backoff; a permanent failure (SMTP 5xx) or the
   last attempt leaves it failed (the dead letter), with the reason.
4. `outbox_relay` (a thread of each queue's consumer, every `OUTBOX_RELAY_SECONDS`) hands
   over again what nobody holds: rows whose fast path was lost (the web process died
   between COMMIT and the enqueue, the queue was down), rows whose worker died (lease
   expired), retries that are due.

At least once, so each task must be idempotent: a task that writes re-reads the data
(a second seat offer finds no free seat), e-mails sent from a delivery carry a Message-ID
derived from the message (`outbox-<id>-<n>`, core/mail.py) so that a redelivery after the
SMTP server accepted but before the row was marked is recognisable as the same message.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import importlib
import logging
import smtplib
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from essaim.core.models import OutboxMessage
from essaim.core.queues import QUEUES, queue_of, queue_task

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

#: The message being delivered in this thread (its id), read by core/mail.py.
current_delivery: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar(
    "outbox_delivery", default=None
)


def is_last_attempt() -> bool:
    """Whether the delivery running in this thread is its message's last try (a task that
    must leave a trace before the dead letter asks this). True outside a delivery: a task
    called directly is not retried."""
    delivery = current_delivery.get()
    if delivery is None:
        return True
    attempts = OutboxMessage.objects.filter(pk=delivery["id"]).values_list("attempts", flat=True).first()
    return attempts is None or attempts >= settings.OUTBOX_MAX_ATTEMPTS


class PermanentFailure(Exception):
    """Raised by a task when retrying cannot help: the message goes straight to failed."""


def _task_path(task: Any) -> str:
    func = getattr(task, "call_local", None) or task
    return f"{func.__module__}.{func.__name__}"


def outbox_enqueue(
    *,
    task: Any,
    kwargs: dict[str, Any] | None = None,
    queue: str | None = None,
    topic: str = "",
    ref: str = "",
    sensitive: bool = False,
) -> OutboxMessage:
    """Record a side effect in the current transaction; it runs once this commits."""
    message = OutboxMessage.objects.create(
        queue=queue or queue_of(task),
        task=_task_path(task),
        kwargs=kwargs or {},
        topic=topic[:80],
        ref=ref[:80],
        sensitive=sensitive,
    )
    _hand_over_on_commit([message])
    return message


def outbox_enqueue_many(*, task: Any, items: Iterable[tuple[dict[str, Any], str]], topic: str = "") -> int:
    """One message per (kwargs, ref), in one INSERT: an organiser's message to everyone."""
    path, queue = _task_path(task), queue_of(task)
    now = timezone.now()
    rows = [
        OutboxMessage(
            queue=queue, task=path, kwargs=kwargs, topic=topic[:80], ref=ref[:80], created_at=now, available_at=now
        )
        for kwargs, ref in items
    ]
    created = OutboxMessage.objects.bulk_create(rows)  # ids come back (RETURNING) on both databases
    _hand_over_on_commit(created)
    return len(created)


def _hand_over_on_commit(messages: list[OutboxMessage]) -> None:
    by_queue: dict[str, list[int]] = {}
    for message in messages:
        by_queue.setdefault(message.queue, []).append(message.pk)

    def hand_over() -> None:
        for queue, ids in by_queue.items():
            for pk in ids:
                try:
                    DELIVER[queue](pk)
                except Exception:  # the queue is down: the relay hands it over later
                    logger.warning("outbox: could not hand message %s to queue %s", pk, queue, exc_info=True)
                    return

    transaction.on_commit(hand_over)


def _resolve(path: str) -> Any:
    module, _sep, name = path.rpartition(".")
    task = getattr(importlib.import_module(module), name)
    return getattr(task, "call_local", task)


def _backoff(attempts: int, queue: str) -> dt.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS_BY_QUEUE.get(queue, settings.OUTBOX_RETRY_BASE_SECONDS)
    seconds = base * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, PermanentFailure):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        details = "; ".join(f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values())
        return f"SMTP {details}"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code} {text}"[:500]
    return f"{exc.__class__.__name__}: {exc}"[:500]


def outbox_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Claim one message, run its task, record the outcome. Returns what happened."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    # The claim is one conditional UPDATE: of two workers handed the same row, one wins.
    claimed = (
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.PENDING, available_at__lte=now + dt.timedelta(seconds=2)
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:  # sent, failed, not yet due, or held by another worker's lease
        logger.info("outbox: message %s not claimed (already done, not due or leased)", message_id)
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    token = current_delivery.set({"id": message.pk, "sent": 0})
    try:
        _resolve(message.task)(**message.kwargs)
    except Exception as exc:
        return _record_failure(message, exc)
    finally:
        current_delivery.reset(token)
    _mark_sent(message)
    return "sent"


def _mark_sent(message: OutboxMessage) -> None:
    fields: dict[str, Any] = {"status": Status.SENT, "done_at": timezone.now(), "lease_until": None, "last_error": ""}
    if message.sensitive:
        fields["kwargs"] = {}
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)


def _record_failure(message: OutboxMessage, exc: BaseException) -> str:
    reason = _reason(exc)
    if _is_permanent(exc) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error("outbox: message %s (%s) failed for good: %s", message.pk, message.task, reason)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED, done_at=timezone.now(), lease_until=None, last_error=reason
        )
        return "failed"
    logger.warning("outbox: message %s (%s) will be retried: %s", message.pk, message.task, reason)
    OutboxMessage.objects.filter(pk=message.pk).update(
        available_at=timezone.now() + _backoff(message.attempts, message.queue), lease_until=None, last_error=reason
    )
    return "retrying"


def outbox_relay(*, queues: Iterable[str], now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Hand over again what nobody holds and is due. Returns how many were handed over.

    A queue whose Huey storage still holds tasks is left alone: its workers are busy and
    will get to what was handed over; what a dead worker held waits for the queue to drain
    (its lease has expired by then) instead of being queued twice.
    """
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    handed = 0
    for queue in queues:
        huey = QUEUES[queue]
        if not huey.immediate and huey.pending_count():
            continue
        due = (
            OutboxMessage.objects.filter(status=Status.PENDING, queue=queue, available_at__lte=grace)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .order_by("available_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in list(due):
            DELIVER[queue](pk)
            handed += 1
    return handed


@transaction.atomic(durable=True)
def outbox_retry(*, message: OutboxMessage, acting_user: Any = None) -> bool:
    """Give a failed message another round of attempts (programme admins, Django admin)."""
    from essaim.core.services import audit_log

    updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, available_at=timezone.now(), done_at=None
    )
    if updated:
        audit_log(
            actor=acting_user,
            role="programme_admin" if acting_user else "system",
            action="core.outbox.retry",
            target=message,
            summary=message.last_error,
        )
        _hand_over_on_commit([message])
    return bool(updated)


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Drop delivered messages past OUTBOX_KEEP_DAYS, and failed ones that hold a secret
    (a magic link, a survey link: an address too); other failed ones stay for inspection."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    done = Q(status=Status.SENT) | Q(status=Status.FAILED, sensitive=True)
    deleted, _rows = OutboxMessage.objects.filter(done, done_at__lt=cutoff).delete()
    return deleted


def outbox_figures() -> dict[str, Any]:
    """Depth and failures for /healthz and /metrics, in one aggregate."""
    rows = (
        OutboxMessage.objects.exclude(status=Status.SENT)
        .values("queue", "status")
        .annotate(n=Count("pk"), oldest=Min("available_at"))
    )
    now = timezone.now()
    figures: dict[str, Any] = {"pending": 0, "failed": 0, "retrying": 0, "oldest_pending_seconds": 0.0, "queues": {}}
    for row in rows:
        per_queue = figures["queues"].setdefault(row["queue"], {"pending": 0, "failed": 0})
        per_queue[row["status"]] += row["n"]
        figures[row["status"]] += row["n"]
        if row["status"] == Status.PENDING and row["oldest"]:
            age = max((now - row["oldest"]).total_seconds(), 0.0)
            figures["oldest_pending_seconds"] = round(max(figures["oldest_pending_seconds"], age), 1)
    figures["retrying"] = OutboxMessage.objects.filter(status=Status.PENDING, attempts__gt=0).count()
    return figures


def _deliver_task(queue: str) -> Any:
    def deliver(message_id: int) -> str:
        return outbox_deliver(message_id=message_id)

    deliver.__name__ = f"outbox_deliver_{queue}"
    deliver.__qualname__ = deliver.__name__
    return queue_task(queue, name=f"outbox_deliver_{queue}")(deliver)


#: One delivery task per worker queue, so a message runs in the consumers of its task's queue.
DELIVER: dict[str, Any] = {queue: _deliver_task(queue) for queue in QUEUES}


def start_relay_thread(*, queues: list[str], interval: float | None = None) -> threading.Thread:
    """Run `outbox_relay` every few seconds in the consumer process (run_worker)."""
    period = interval or settings.OUTBOX_RELAY_SECONDS
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(period):
            try:
                outbox_relay(queues=queues)
            except Exception:  # the database is down: try again next round
                logger.warning("outbox relay round failed", exc_info=True)
            finally:
                close_old_connections()
                connection.close()

    thread = threading.Thread(target=loop, name="outbox-relay", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
