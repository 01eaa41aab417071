"""Prometheus metrics: requests by route and status, their duration, and the task queue.

With several server processes (gunicorn), set PROMETHEUS_MULTIPROC_DIR to an empty
directory shared by them: each process writes its samples there and /metrics adds them up.
/metrics answers only with `Authorization: Bearer <METRICS_TOKEN>` (404 when no token is
configured), so that nothing about the platform's traffic is public.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

logger = logging.getLogger(__name__)

REQUESTS = Counter("essaim_http_requests_total", "HTTP requests", ["method", "route", "status"])
DURATION = Histogram(
    "essaim_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class MetricsMiddleware:
    """Counts every request under its route name (never its raw path: ids would explode
    the number of series)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or "unnamed") if match else "unresolved"
        DURATION.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method or "", route, str(response.status_code)).inc()
        return response


def has_metrics_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(supplied.encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not has_metrics_token(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return HttpResponse(payload + _queue_gauges(), content_type=CONTENT_TYPE_LATEST)


def _queue_gauges() -> bytes:
    """Tasks waiting per worker queue, read at scrape time (one count per queue), in a
    registry of its own so that it is never summed across server processes."""
    from essaim.core.queues import queues_pending

    registry = CollectorRegistry()
    gauge = Gauge("essaim_queue_pending_tasks", "Tasks waiting in a worker queue", ["queue"], registry=registry)
    try:
        for queue, pending in queues_pending().items():
            gauge.labels(queue).set(pending)
    except Exception:  # a queue outage shows on /healthz; metrics still answer
        return b""
    try:
        _outbox_gauges(registry)
    except Exception:  # nor does a database outage stop the other figures (/healthz shows it)
        logger.warning("metrics: outbox figures unavailable", exc_info=True)
    return generate_latest(registry)


def _outbox_gauges(registry: CollectorRegistry) -> None:
    from essaim.core.outbox import outbox_figures

    figures = outbox_figures()
    messages = Gauge(
        "essaim_outbox_messages", "Outbox messages not yet delivered", ["queue", "status"], registry=registry
    )
    for queue, counts in figures["queues"].items():
        for status, count in counts.items():
            messages.labels(queue, status).set(count)
    Gauge("essaim_outbox_retrying", "Pending outbox messages that failed at least once", registry=registry).set(
        figures["retrying"]
    )
    Gauge("essaim_outbox_oldest_pending_seconds", "Age of the oldest due outbox message", registry=registry).set(
        figures["oldest_pending_seconds"]
    )
