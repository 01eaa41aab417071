"""The task queue runs in separate worker processes: embedded (SQLite) and with Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"HUEY_IMMEDIATE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "ESSAIM_ENV": "development",
            "ESSAIM_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "essaim.settings",
            "HUEY_IMMEDIATE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DATABASE_URL": "",
            **extra,
        }
    )
    return env


ENQUEUE = """
import django; django.setup()
from essaim.core.queues import QUEUES, queues_pending
from essaim.core.tasks import send_email
assert not QUEUES["mail"].immediate
send_email(subject="Essai de file", body="corps", to=["a@exemple.gouv.fr"])
pending = queues_pending()
print(type(QUEUES["mail"]).__name__, pending.pop("mail"), sum(pending.values()))
"""


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_separate_worker_sends_the_queued_email(tmp_path, backend):
    extra = {}
    if backend == "redis":
        if not _redis_available():
            if os.environ.get("ESSAIM_REQUIRE_REDIS") == "1":
                pytest.fail("Redis is required (ESSAIM_REQUIRE_REDIS=1) but 127.0.0.1:6379 does not answer")
            pytest.skip("no Redis on 127.0.0.1:6379")
        extra["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    env = _env(tmp_path, **extra)
    if backend == "redis":
        import redis

        redis.Redis.from_url(extra["REDIS_URL"]).flushdb()

    queued = subprocess.run([sys.executable, "-c", ENQUEUE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert queued.returncode == 0, queued.stderr
    huey_class, pending, elsewhere = queued.stdout.split()
    assert huey_class == ("PriorityRedisHuey" if backend == "redis" else "SqliteHuey")
    assert (pending, elsewhere) == ("1", "0"), "the e-mail waits in the mail queue, and only there"
    mail_dir = tmp_path / "mail"
    assert not mail_dir.exists() or not any(mail_dir.iterdir()), "nothing is sent before a worker runs"

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queue", "mail", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
            time.sleep(0.2)
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=15)
    files = list(mail_dir.iterdir()) if mail_dir.exists() else []
    assert len(files) == 1, err[-2000:]
    assert "Essai de file" in files[0].read_text()
