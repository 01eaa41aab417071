"""A real consumer (`run_worker`, as `make run` and production start it) relays an outbox
message whose hand-over was lost — the web process died between COMMIT and the enqueue —
and one a dead worker held, once its lease has run out: embedded (SQLite) and with Redis."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.core.test_task_queue import ROOT, _env, _redis_available

WRITE = """
import datetime as dt, django; django.setup()
from django.core.management import call_command
from django.utils import timezone
from essaim.core.models import OutboxMessage
call_command("migrate", verbosity=0)
kwargs = {"subject": "Perdu en route", "body": "corps", "to": ["a@exemple.gouv.fr"]}
# Committed, never handed to the queue (what a kill right after COMMIT leaves):
OutboxMessage.objects.create(queue="mail", task="essaim.core.tasks.send_email", kwargs=kwargs)
# Held by a worker that died mid-delivery: attempts 1, lease expired.
held = dict(kwargs, subject="Tenu par un mort")
OutboxMessage.objects.create(queue="mail", task="essaim.core.tasks.send_email", kwargs=held, attempts=1,
                             lease_until=timezone.now() - dt.timedelta(seconds=1))
"""

READ = """
import django; django.setup()
from essaim.core.models import OutboxMessage
print(sorted((m.status, m.attempts) for m in OutboxMessage.objects.all()))
"""


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_consumer_relays_what_was_committed_but_never_handed_over(tmp_path, backend):
    extra = {"OUTBOX_RELAY_SECONDS": "1", "OUTBOX_RELAY_GRACE_SECONDS": "0"}
    if backend == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        extra["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        import redis

        redis.Redis.from_url(extra["REDIS_URL"]).flushdb()
    env = _env(tmp_path, **extra)
    written = subprocess.run([sys.executable, "-c", WRITE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert written.returncode == 0, written.stderr[-2000:]
    mail_dir = tmp_path / "mail"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queue", "mail", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""
            if "Perdu en route" in text and "Tenu par un mort" in text:
                break
            time.sleep(0.3)
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=15)
    text = "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""
    assert text.count("Subject: Perdu en route") == 1, err[-2000:]
    assert text.count("Subject: Tenu par un mort") == 1, err[-2000:]
    read = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True)
    assert read.stdout.strip() == "[('sent', 1), ('sent', 2)]", read.stderr[-2000:]
