"""The scaled-out shape on one machine, checked end to end (run by .ci/run).

Starts, against PostgreSQL (database `essaim_scaleout`, DROPPED and recreated) and Redis
(db 7, flushed): TWO application servers, each its own master on its own port with 2
worker processes (the server of deploy/, granian WSGI; SCALEOUT_SERVER=gunicorn for
gunicorn), and one worker per queue (`run_worker --queue default|mail|booking|reports`).
Then fires a burst of 300 agents, half through each server, through the HTTP API with an
API token each, at a 20-seat session, and checks:

- exactly 20 booked and 280 waitlisted (in the responses and in the database), positions
  1..280 in both, no duplicate, no 5xx, both servers answered;
- one confirmation e-mail per agent, sent by the mail worker (file backend in a temporary
  directory, counted once the mail queue is empty);
- a cancellation yields exactly one offer, to queue number 1, made by the booking worker,
  and that person's offer e-mail.

Prints its figures, exits 1 on a failed check; stops every process it started (even on
failure) and drops the database.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_registrations import Client, django_run, free_port

DB_NAME = "essaim_scaleout"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_DB = "7"
AGENTS = 300
CAPACITY = 20
CLIENT_THREADS = 30
QUEUES = ("default", "mail", "booking", "reports")
SERVER = os.environ.get("SCALEOUT_SERVER", "granian")
WAIT_S = 60.0

PREPARE = """
import datetime as dt, secrets
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from essaim.accounts.models import ApiToken, User, hash_secret
from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.organisations.models import Organisation
from essaim.training.sessions import session_create

now = timezone.now()
framework = FrameworkVersion.objects.create(version="scaleout.1", title="Référentiel (scaleout)",
                                            status=FrameworkVersion.Status.PUBLISHED, published_at=now)
course = Course.objects.create(code="scaleout-course", title="Formation scaleout", summary="Scaleout.",
                               duration_half_days=1, status=Course.Status.PUBLISHED, framework=framework)
ministry = Organisation.objects.ministries().order_by("pk").first()
start = (now + dt.timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
session = session_create(course=course, organiser=ministry, slots=[(start, start + dt.timedelta(hours=3))],
                         capacity={capacity}, acting_user=None, publish=True)
User.objects.bulk_create(
    [User(email=f"agent{{i}}@scaleout.gouv.fr", given_name="Agent", usual_name=str(i), organisation=ministry,
          password="!") for i in range({agents})])
raws, tokens = [], []
for user in User.objects.filter(email__endswith="@scaleout.gouv.fr").order_by("pk"):
    prefix = secrets.token_hex(4)
    raw = f"essaim_{{prefix}}_{{secrets.token_urlsafe(32)}}"
    raws.append(raw)
    tokens.append(ApiToken(user=user, name="scaleout", prefix=prefix, token_hash=hash_secret(raw)))
ApiToken.objects.bulk_create(tokens)
print(json.dumps({{"session": session.pk, "tokens": raws}}))
"""

failures: list[str] = []


def check(label: str, value: Any, ok: bool) -> None:
    print(f"  [{'PASS' if ok else 'FAIL'}] {label}: {value}", flush=True)
    if not ok:
        failures.append(label)


def server_command(port: int) -> list[str]:
    if SERVER == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "essaim.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--log-level", "warning"]  # fmt: skip
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "2", "--blocking-threads", "4", "--no-ws", "--log-level", "warning",
            "essaim.wsgi:application"]  # fmt: skip


def fire(jobs: list[tuple[Client, str, str]]) -> tuple[list[tuple[int, Any, bytes]], float]:
    """POST every (client, path, token) from CLIENT_THREADS threads released together."""
    out: list[Any] = [None] * len(jobs)
    barrier = threading.Barrier(CLIENT_THREADS + 1)

    def worker(k: int) -> None:
        barrier.wait()
        for i in range(k, len(jobs), CLIENT_THREADS):
            client, path, token = jobs[i]
            try:
                out[i] = client.json("POST", path, token)
            except Exception as exc:  # a refused connection is a failure to count, not a crash
                out[i] = (0, None, repr(exc).encode())

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return out, time.perf_counter() - started


# /healthz shows its details (queue depths, the outbox) only to the operators' token.
METRICS_TOKEN = secrets.token_urlsafe(24)


def pending(client: Client) -> dict[str, int]:
    """Tasks waiting in each Huey queue, and side effects not yet delivered by the outbox."""
    _status, data, _body = client.json("GET", "/healthz", METRICS_TOKEN)
    checks = (data or {}).get("checks")
    if not checks:  # no details: never take that for « drained »
        return {"healthz details": 1}
    queues = dict(checks.get("queue", {}).get("queues", {}))
    queues["outbox"] = int(checks.get("outbox", {}).get("pending", 0))
    return queues


def wait_drained(client: Client) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    queues = pending(client)
    while any(queues.values()) and time.perf_counter() - started < WAIT_S:
        time.sleep(0.3)
        queues = pending(client)
    return queues, time.perf_counter() - started


def mails(mail_dir: Path) -> Counter[str]:
    """Messages per recipient in the file backend's directory."""
    recipients: Counter[str] = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        recipients.update(re.findall(r"^To: (\S+)$", path.read_text(errors="replace"), flags=re.MULTILINE))
    return recipients


def main() -> int:
    started_all = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="essaim-scaleout-"))
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": PG_URL,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "HUEY_IMMEDIATE": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    (workdir / "prometheus").mkdir()
    env.pop("EMAIL_HOST", None)
    pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=True, capture_output=True)
    subprocess.run(["dropdb", *pg, "--if-exists", DB_NAME], check=True, capture_output=True)
    subprocess.run(["createdb", *pg, DB_NAME], check=True)
    processes: dict[str, subprocess.Popen] = {}
    logs = []
    import psycopg

    db = None
    try:
        prep = django_run(env, PREPARE.format(capacity=CAPACITY, agents=AGENTS))
        tokens: list[str] = prep["tokens"]
        session = prep["session"]
        print(f"prepared in {time.perf_counter() - started_all:.1f} s: {AGENTS} agents, {CAPACITY} seats", flush=True)

        ports = [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            log = open(workdir / f"web{n}.log", "w")  # noqa: SIM115
            logs.append(log)
            processes[f"web{n}"] = subprocess.Popen(server_command(port), cwd=ROOT, env=env, stdout=log, stderr=log)
        for queue in QUEUES:
            log = open(workdir / f"worker-{queue}.log", "w")  # noqa: SIM115
            logs.append(log)
            processes[f"worker-{queue}"] = subprocess.Popen(
                ["nice", "-n", "10", sys.executable, "manage.py", "run_worker", "--queue", queue, "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        clients = [Client(port) for port in ports]
        for client in clients:
            for _ in range(300):
                try:
                    if client.request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            else:
                raise RuntimeError(f"server on port {client.port} did not answer /healthz")
        print(f"{SERVER}: 2 servers (2 processes each) on ports {ports}; workers: {', '.join(QUEUES)}", flush=True)

        jobs = [(clients[i % 2], f"/api/v1/sessions/{session}/registrations", tokens[i]) for i in range(AGENTS)]
        out, elapsed = fire(jobs)
        statuses = Counter(status for status, _d, _b in out)
        per_server = Counter(jobs[i][0].port for i, (status, _d, _b) in enumerate(out) if status == 201)
        bodies = [d if isinstance(d, dict) else {} for _s, d, _b in out]
        booked = sum(1 for d in bodies if d.get("status") == "booked")
        positions = sorted(d["waiting_list_position"] for d in bodies if d.get("status") == "waitlisted")
        print(f"burst: {AGENTS} in {elapsed:.2f} s = {AGENTS / elapsed:.1f} registrations/s; HTTP {dict(statuses)}")

        db = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}", autocommit=True)
        rows = db.execute(
            "SELECT id, user_id, status, queue_number FROM training_registration WHERE session_id = %s", (session,)
        ).fetchall()
        db_booked = [r for r in rows if r[2] == "booked"]
        db_wait = sorted((r for r in rows if r[2] == "waitlisted"), key=lambda r: r[3])
        db_positions = sorted(1 + sum(1 for o in db_wait if o[3] < r[3]) for r in db_wait)
        expected = list(range(1, AGENTS - CAPACITY + 1))
        five_xx = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
        duplicates = len(rows) - len({r[1] for r in rows})
        check("201 responses", f"{statuses.get(201, 0)}/{AGENTS}", statuses.get(201, 0) == AGENTS)
        check("both servers answered", dict(per_server), len(per_server) == 2)
        check("booked (responses / DB)", f"{booked} / {len(db_booked)}", booked == len(db_booked) == CAPACITY)
        check("waitlisted (responses / DB)", f"{len(positions)} / {len(db_wait)}", len(db_wait) == AGENTS - CAPACITY)
        check(
            "waiting-list positions sorted == 1..280 (responses / DB)",
            f"{positions == expected} / {db_positions == expected}",
            positions == expected and db_positions == expected,
        )
        check("duplicates", duplicates, duplicates == 0)
        check("5xx or connection errors", five_xx, five_xx == 0)

        queues, waited = wait_drained(clients[0])
        recipients = mails(workdir / "mail")
        agents = {f"agent{i}@scaleout.gouv.fr" for i in range(AGENTS)}
        check(f"queues drained ({waited:.1f} s after the burst)", queues, not any(queues.values()))
        check(
            "one confirmation e-mail per agent, sent by the mail worker",
            f"{sum(recipients.values())} e-mails to {len(recipients)} agents",
            set(recipients) == agents and set(recipients.values()) == {1},
        )

        canceller = next(i for i, d in enumerate(bodies) if d.get("status") == "booked")
        first_in_line = db_wait[0]
        (first_email,) = db.execute("SELECT email FROM accounts_user WHERE id = %s", (first_in_line[1],)).fetchone()
        t0 = time.perf_counter()
        status, _data, _body = clients[1].json(
            "DELETE", f"/api/v1/registrations/{bodies[canceller]['id']}", tokens[canceller]
        )
        offered: list[tuple] = []
        while time.perf_counter() - t0 < 10 and not offered:
            offered = db.execute(
                "SELECT id FROM training_registration WHERE session_id = %s AND status = 'offered'", (session,)
            ).fetchall()
            time.sleep(0.05)
        latency = time.perf_counter() - t0
        wait_drained(clients[0])
        offered = db.execute(
            "SELECT id FROM training_registration WHERE session_id = %s AND status = 'offered'", (session,)
        ).fetchall()
        check("cancel: HTTP 200", status, status == 200)
        check(
            "cancel: one offer, to queue number 1, by the booking worker",
            f"{len(offered)} offered after {latency:.2f} s",
            [o[0] for o in offered] == [first_in_line[0]],
        )
        recipients = mails(workdir / "mail")
        check("offer e-mail to the first in line", recipients[first_email], recipients[first_email] == 2)
        for name, process in processes.items():
            check(f"{name} still running", process.poll() is None, process.poll() is None)
    finally:
        if db is not None:
            db.close()
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        tracebacks = {p.name: p.read_text(errors="replace").count("Traceback") for p in sorted(workdir.glob("*.log"))}
        print(f"tracebacks in process logs: {tracebacks}")
        if any(tracebacks.values()):
            failures.append("tracebacks")
            for p in sorted(workdir.glob("*.log")):
                if "Traceback" in (text := p.read_text(errors="replace")):
                    print(f"--- {p.name}\n{text[-3000:]}")
        shutil.rmtree(workdir, ignore_errors=True)
        subprocess.run(["dropdb", *pg, "--if-exists", DB_NAME], check=False, capture_output=True)
        subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=False, capture_output=True)
    print(
        f"scale-out check {'PASSED' if not failures else 'FAILED: ' + ', '.join(failures)} "
        f"in {time.perf_counter() - started_all:.0f} s",
        flush=True,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
