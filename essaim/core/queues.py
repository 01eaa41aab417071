"""Separate worker queues: `mail`, `booking`, `reports`, and `default` for the rest.

Each queue is its own Huey instance with the storage of the default one (settings.HUEY):
the same Redis under its own key prefix, or its own SQLite file without Redis. A queue
has its own consumers (`manage.py run_worker --queue mail`), so that a flood of e-mails
never delays a seat offer, and a long open-data export never delays either.

Route a task by its decorator::

    from essaim.core.queues import mail_task, booking_periodic_task

    @mail_task(retries=3, retry_delay=30)
    def send_something(...): ...

A task declared with `huey.contrib.djhuey.db_task` keeps running on the `default` queue
(`manage.py run_huey`, or `run_worker --queue default`). Periodic tasks run in the consumer
of their own queue: start one consumer per queue with periodic tasks, the others of the
same queue with `--no-periodic`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import Huey
from huey.contrib import djhuey
from huey.utils import load_class

DEFAULT = "default"
MAIL = "mail"
BOOKING = "booking"
REPORTS = "reports"


def _build(config: dict[str, Any]) -> Huey:
    """A Huey instance from a settings dict, as huey.contrib.djhuey builds settings.HUEY."""
    options = {k: v for k, v in config.items() if k not in {"huey_class", "name", "consumer", "connection"}}
    options.update(config.get("connection", {}))
    return load_class(config["huey_class"])(config["name"], **options)


QUEUES: dict[str, Huey] = {DEFAULT: djhuey.HUEY}
QUEUES.update({name: _build(config) for name, config in settings.HUEY_QUEUES.items()})


def queue_config(queue: str) -> dict[str, Any]:
    """The settings dict of a queue (its consumer options in particular)."""
    return settings.HUEY if queue == DEFAULT else settings.HUEY_QUEUES[queue]


def _close_db(huey: Huey, fn: Callable[..., Any]) -> Callable[..., Any]:
    """As djhuey's close_db: a worker thread never reuses a connection past its age."""

    @wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if not huey.immediate:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not huey.immediate:
                close_old_connections()

    return inner


def queue_task(queue: str, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """`db_task` on the named queue."""
    huey = QUEUES[queue]

    def decorator(fn: Callable[..., Any]) -> Any:
        wrapper = huey.task(*args, **kwargs)(_close_db(huey, fn))
        wrapper.call_local = fn
        return wrapper

    return decorator


def queue_periodic_task(queue: str, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """`db_periodic_task` on the named queue."""
    huey = QUEUES[queue]

    def decorator(fn: Callable[..., Any]) -> Any:
        wrapper = huey.periodic_task(*args, **kwargs)(_close_db(huey, fn))
        wrapper.call_local = fn
        return wrapper

    return decorator


def mail_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_task(MAIL, *args, **kwargs)


def mail_periodic_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_periodic_task(MAIL, *args, **kwargs)


def booking_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_task(BOOKING, *args, **kwargs)


def booking_periodic_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_periodic_task(BOOKING, *args, **kwargs)


def reports_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_task(REPORTS, *args, **kwargs)


def reports_periodic_task(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    return queue_periodic_task(REPORTS, *args, **kwargs)


def queue_of(task: Any) -> str:
    """The name of the queue a task (as decorated) is enqueued on."""
    return next(name for name, huey in QUEUES.items() if huey is task.huey)


def queues_pending() -> dict[str, int]:
    """Tasks waiting in each queue (one LLEN/ZCARD or COUNT per queue)."""
    return {name: huey.pending_count() for name, huey in QUEUES.items()}
