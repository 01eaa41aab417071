"""Reads shared by every domain: the audit log and the health of the platform."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet

from essaim.core.models import AuditEntry


def audit_entry_list(*, action: str = "", actor_query: str = "", target_query: str = "") -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("target_type")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_query:
        qs = qs.filter(actor_label__icontains=actor_query)
    if target_query:
        qs = qs.filter(target_label__icontains=target_query)
    return qs.order_by("-created_at", "-id")


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:
        return {"status": "error", "error": exc.__class__.__name__}
    result: dict[str, Any] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    if isinstance(detail, dict):
        result.update(detail)
    return result


def _check_database() -> dict[str, Any]:
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_cache() -> None:
    cache.set("essaim:healthz", "1", 10)
    if cache.get("essaim:healthz") != "1":
        raise RuntimeError("cache did not return the value just written")


def _check_queue() -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    from essaim.core.queues import queues_pending

    # "pending" counts every queue (what a drain waits for); "queues" splits it per queue.
    queues = queues_pending()
    return {
        "backend": HUEY.__class__.__name__,
        "pending": sum(queues.values()),
        "queues": queues,
        "immediate": HUEY.immediate,
    }


#: An outbox message waiting longer than this while due means the workers are not keeping up.
OUTBOX_LATE_SECONDS = 60


def _check_outbox(*, failures: bool) -> dict[str, Any]:
    from essaim.core.outbox import outbox_figures

    figures = outbox_figures()
    if figures["oldest_pending_seconds"] > OUTBOX_LATE_SECONDS:
        raise RuntimeError(f"outbox late: {figures['oldest_pending_seconds']} s")
    if failures:  # the reasons name addresses: programme admins only
        figures["recent_failures"] = outbox_recent_failures()
    return figures


def outbox_recent_failures(*, limit: int = 10) -> list[dict[str, Any]]:
    from essaim.core.models import OutboxMessage

    rows = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by("-done_at", "-pk")[:limit]
    return [
        {"id": m.pk, "task": m.task, "ref": m.ref, "attempts": m.attempts, "error": m.last_error, "at": m.done_at}
        for m in rows
    ]


def platform_health(*, detail: bool = False) -> tuple[bool, dict[str, Any]]:
    """(database reachable, report). Cache, queue or outbox trouble degrades, the database
    fails. `detail` (programme admins) adds the outbox's latest dead letters."""
    checks = {
        "database": _timed(_check_database),
        "cache": _timed(_check_cache),
        "queue": _timed(_check_queue),
        "outbox": _timed(lambda: _check_outbox(failures=detail)),
    }
    database_ok = checks["database"]["status"] == "ok"
    if not database_ok:
        # Drop the broken connection so the next request reconnects once the database is back.
        connections["default"].close_if_unusable_or_obsolete()
    all_ok = all(check["status"] == "ok" for check in checks.values())
    status = "ok" if all_ok else ("degraded" if database_ok else "error")
    return database_ok, {"status": status, "checks": checks}
