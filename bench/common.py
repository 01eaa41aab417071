"""Helpers shared by the load, fault and backup benchmarks (bench_load.py, bench_faults.py,
bench_backup.py): a private PostgreSQL instance that may be killed, the Essaim stack
(gunicorn + Huey consumer) that may be killed and restarted, the seed data (sessions,
agents with API tokens) and a registration load that records every acknowledgement.

The HTTP client, `django_run` and `free_port` come from bench_registrations.py."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from bench_registrations import Client, django_run, free_port

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
SHARED_PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]

__all__ = ["Client", "django_run", "free_port"]


# --- A private PostgreSQL cluster: the shared system one must never be stopped ----------
class PrivatePostgres:
    """initdb into a temporary directory, served on a free port (TCP on loopback and a
    socket in the directory); run as the `postgres` user when this process is root."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="essaim-bench-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.getuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> float:
        """Start and wait until it accepts connections; returns the seconds it took."""
        started = time.perf_counter()
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "start")
        return time.perf_counter() - started

    def kill(self) -> None:
        """Immediate stop: every backend is killed, no checkpoint; recovery from the WAL."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def createdb(self, dbname: str) -> None:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", dbname], check=True)


# /healthz gives its details (queue depths, the outbox) only with the operators' token.
METRICS_TOKEN = secrets.token_urlsafe(24)


def base_env(workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "LOG_LEVEL": "WARNING",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    env.pop("HUEY_IMMEDIATE", None)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def pg_env(workdir: Path, url: str, redis_db: int) -> dict[str, str]:
    """PostgreSQL for the data, Redis (its own db number, flushed) for cache and queue."""
    env = base_env(workdir)
    env["DATABASE_URL"] = url
    env["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    subprocess.run(["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True)
    return env


# --- Direct database access for the checks ------------------------------------------
class Db:
    def __init__(self, env: dict[str, str]) -> None:
        url = env.get("DATABASE_URL", "")
        self.vendor = "postgresql" if url.startswith("postgres") else "sqlite"
        self.path = Path(env["ESSAIM_VAR_DIR"]) / "essaim.sqlite3"
        self.url = url

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.vendor == "sqlite":
            conn = sqlite3.connect(str(self.path), timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


# --- Seed data --------------------------------------------------------------------
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
framework = FrameworkVersion.objects.create(version="bench.1", title="Référentiel (bench)",
                                            status=FrameworkVersion.Status.PUBLISHED, published_at=now)
course = Course.objects.create(code="bench-course", title="Formation de bench", summary="Bench.",
                               duration_half_days=1, status=Course.Status.PUBLISHED, framework=framework)
ministry = Organisation.objects.ministries().order_by("pk").first()
groups = {{}}
offset = 30
for name, count, capacity in {groups!r}:
    ids = []
    for _ in range(count):
        start = (now + dt.timedelta(days=offset)).replace(hour=8, minute=0, second=0, microsecond=0)
        offset += 1
        ids.append(session_create(course=course, organiser=ministry, slots=[(start, start + dt.timedelta(hours=3))],
                                  capacity=capacity, acting_user=None, publish=True).pk)
    groups[name] = ids
User.objects.bulk_create(
    [User(email=f"agent{{i}}@bench.gouv.fr", given_name="Agent", usual_name=str(i), organisation=ministry,
          password="!") for i in range({agents})], batch_size=1000)
users = list(User.objects.filter(email__endswith="@bench.gouv.fr").order_by("pk"))
raws, tokens = [], []
for user in users:
    prefix = secrets.token_hex(4)
    raw = f"essaim_{{prefix}}_{{secrets.token_urlsafe(32)}}"
    raws.append(raw)
    tokens.append(ApiToken(user=user, name="bench", prefix=prefix, token_hash=hash_secret(raw)))
ApiToken.objects.bulk_create(tokens, batch_size=1000)
print(json.dumps({{"groups": groups, "tokens": raws, "user_ids": [u.pk for u in users]}}))
"""


def prepare(env: dict[str, str], *, groups: list[tuple[str, int, int]], agents: int) -> dict[str, Any]:
    """Migrate, then create the session groups [(name, sessions, capacity)] and the agents."""
    return django_run(env, PREPARE.format(groups=groups, agents=agents))


# --- The stack: gunicorn + Huey consumer, each killable ----------------------------------
class Stack:
    def __init__(self, env: dict[str, str], workdir: Path, *, workers: int = 4, api_workers: int = 0) -> None:
        """`api_workers` > 0: a second gunicorn pool, at nice 10, serves /api/ on `api_port`
        (deploy/nginx.conf routes /api/ to its own upstream): the pages keep their CPU while a
        burst of sign-ups queues in the API pool."""
        self.env = env
        self.workdir = workdir
        self.workers = workers
        self.api_workers = api_workers
        self.port = free_port()
        self.client = Client(self.port)
        self.api_port = free_port() if api_workers else self.port
        self.api_client = Client(self.api_port)
        self.api_server: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None
        self.consumer: subprocess.Popen | None = None
        self.logs: list[Any] = []

    def _log(self, name: str) -> Any:
        fh = open(self.workdir / name, "a")  # noqa: SIM115
        self.logs.append(fh)
        return fh

    def start_server(self) -> None:
        log = self._log("gunicorn.log")
        if self.api_workers:
            self.api_server = subprocess.Popen(
                ["nice", "-n", "10", *self._gunicorn(self.api_port, self.api_workers)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.server = subprocess.Popen(
            self._gunicorn(self.port, self.workers),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def _gunicorn(self, port: int, workers: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "essaim.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            os.environ.get("BENCH_GUNICORN_THREADS", "1"),
            "--log-level",
            "warning",
        ]

    def start_consumer(self) -> None:
        log = self._log("huey.log")
        self.consumer = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, "manage.py", "run_worker", "--queue", "all"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: a crash takes every consumer at once
        )

    def start(self) -> None:
        self.start_server()
        self.start_consumer()
        self.wait_healthy(30)

    def wait_healthy(self, timeout: float) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            try:
                clients = (self.client, self.api_client) if self.api_workers else (self.client,)
                if all(c.request("GET", "/healthz")[0] == 200 for c in clients):
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Essaim not healthy after {timeout} s")

    @staticmethod
    def _tree(root: int) -> list[int]:
        """root and its children (gunicorn workers), read from /proc."""
        pids = [root]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == root:
                    pids.append(int(entry))
        return pids

    def kill_server(self) -> int:
        """SIGKILL the gunicorn master and every worker at once; returns how many died."""
        assert self.server is not None
        pids = self._tree(self.server.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.server.wait()
        return len(pids)

    def kill_consumer(self) -> int:
        assert self.consumer is not None
        # The supervisor and one consumer per queue, SIGKILLed together (a crash of the
        # worker host), not the supervisor alone: its children would get SIGTERM, a clean stop.
        pids = self._tree(self.consumer.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.consumer.pid, signal.SIGKILL)
        self.consumer.wait()
        return len(pids)

    def stop(self) -> None:
        for proc in (self.server, self.api_server, self.consumer):
            if proc and proc.poll() is None:
                proc.terminate()
        for proc in (self.server, self.api_server, self.consumer):
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for fh in self.logs:
            fh.close()

    def log_text(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text(errors="replace") if path.exists() else ""


# --- A registration load that keeps every acknowledgement -------------------------------
@dataclass
class Outcome:
    session: int
    agent: int  # index into the tokens
    status: int = 0  # final HTTP status
    body: Any = None
    attempts: list[tuple[float, int]] = field(default_factory=list)  # (time, status) of each try


class RegistrationLoad:
    """Threads POSTing registrations at a steady overall rate. A try that fails with a
    5xx or a connection error is retried (like a careful client) until it is answered or
    RETRY_FOR seconds pass; a 409 `duplicate` after such a failure reveals a registration
    committed but never acknowledged."""

    RETRY_FOR = 30.0
    TIMEOUT = 10.0  # a request that takes longer counts as a hang

    def __init__(self, client: Client, tokens: list[str], jobs: list[tuple[int, int]], *, rate: float, threads: int):
        self.client = client
        self.tokens = tokens
        self.outcomes = [Outcome(session=s, agent=a) for s, a in jobs]
        self.rate = rate
        self.threads = threads
        self.t0 = 0.0
        self.next = 0
        self.lock = threading.Lock()
        self.pool: list[threading.Thread] = []

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= len(self.outcomes):
                return None
            i = self.next
            self.next += 1
        due = self.t0 + i / self.rate
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        return i

    def _post(self, outcome: Outcome) -> tuple[int, Any]:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.client.port, timeout=self.TIMEOUT)
        try:
            headers = {
                "Accept": "application/json",
                "Content-Length": "0",
                "Authorization": f"Bearer {self.tokens[outcome.agent]}",
            }
            conn.request("POST", f"/api/v1/sessions/{outcome.session}/registrations", headers=headers)
            response = conn.getresponse()
            body = response.read()
            try:
                return response.status, json.loads(body)
            except ValueError:
                return response.status, body[:200]
        except TimeoutError:
            return -1, "timeout"
        except OSError as exc:
            return 0, repr(exc)
        finally:
            conn.close()

    def _worker(self) -> None:
        while (i := self._take()) is not None:
            outcome = self.outcomes[i]
            first = time.perf_counter()
            while True:
                status, body = self._post(outcome)
                outcome.attempts.append((time.perf_counter() - self.t0, status))
                outcome.status, outcome.body = status, body
                if 0 < status < 500 or time.perf_counter() - first > self.RETRY_FOR:
                    break
                time.sleep(0.25)

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.pool = [threading.Thread(target=self._worker, daemon=True) for _ in range(self.threads)]
        for t in self.pool:
            t.start()

    def join(self) -> float:
        for t in self.pool:
            t.join()
        return time.perf_counter() - self.t0

    def acknowledged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 201 and isinstance(o.body, dict) and "id" in o.body]

    def failed_tries(self) -> Counter:
        """Every try that was not answered: 503, other 5xx, connection error (0), hang (-1)."""
        return Counter(s for o in self.outcomes for _t, s in o.attempts if s >= 500 or s <= 0)


def check_registrations(
    db: Db,
    load: RegistrationLoad,
    sessions: list[int],
    *,
    cancelled: set[int] = frozenset(),  # type: ignore[assignment]
) -> dict[str, int]:
    """Compare what the clients were told with what the database holds. Registrations the
    bench cancelled itself, and a waiting one since offered a freed seat, have moved on."""
    placeholders = ",".join(["%s"] * len(sessions))
    rows = db.rows(
        f"SELECT r.id, r.user_id, r.session_id, r.status FROM training_registration r "  # noqa: S608
        f"WHERE r.session_id IN ({placeholders})",
        tuple(sessions),
    )
    by_id = {r[0]: r for r in rows}
    acked = load.acknowledged()
    lost = sum(1 for o in acked if o.body["id"] not in by_id)
    moved_on = {("waitlisted", "offered")}
    changed = sum(
        1
        for o in acked
        if o.body["id"] in by_id
        and o.body["id"] not in cancelled
        and by_id[o.body["id"]][3] != o.body["status"]
        and (o.body["status"], by_id[o.body["id"]][3]) not in moved_on
    )
    active = [r for r in rows if r[3] in ("booked", "waitlisted", "offered")]
    duplicates = len(active) - len({(r[1], r[2]) for r in active})
    capacity = dict(db.rows(f"SELECT id, capacity FROM training_session WHERE id IN ({placeholders})", tuple(sessions)))  # noqa: S608
    booked = Counter(r[2] for r in rows if r[3] in ("booked", "offered"))  # seats held
    over = sum(1 for s, n in booked.items() if n > capacity[s])
    full = sum(1 for s in sessions if booked.get(s, 0) == capacity[s])  # booked or offered
    acked_ids = {o.body["id"] for o in acked}
    unacknowledged = len(rows) - len(acked_ids & set(by_id))
    revealed = sum(
        1 for o in load.outcomes if o.status == 409 and isinstance(o.body, dict) and o.body.get("code") == "duplicate"
    )
    return {
        "registrations in DB": len(rows),
        "acknowledged (201)": len(acked),
        "acknowledged but missing": lost,
        "acknowledged with another status": changed,
        "duplicates (same agent, same session)": duplicates,
        "sessions over capacity": over,
        "sessions full": full,
        "committed, not acknowledged": unacknowledged,
        "  of which revealed by a retry (409 duplicate)": revealed,
    }


def count_mails(workdir: Path) -> int:
    """Messages written by the file e-mail backend (one file per connection)."""
    folder = workdir / "mail"
    if not folder.exists():
        return 0
    return sum(p.read_text(errors="replace").count("\nMessage-ID: ") for p in folder.iterdir())


def mail_recipients(workdir: Path) -> Counter:
    """Messages per recipient address."""
    folder = workdir / "mail"
    counts: Counter = Counter()
    if folder.exists():
        for p in folder.iterdir():
            for line in p.read_text(errors="replace").splitlines():
                if line.startswith("To: "):
                    counts[line[4:].strip()] += 1
    return counts


def wait_mails(workdir: Path, expected: int, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    count = count_mails(workdir)
    while count < expected and time.perf_counter() - started < timeout:
        time.sleep(0.5)
        count = count_mails(workdir)
    return count, time.perf_counter() - started


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


# --- A real SMTP server for the benches (aiosmtpd) ------------------------------------
class SmtpSink:
    """An SMTP server in this process, on a free loopback port: counts what it accepts by
    Message-ID (a redelivery of the same outbox message is a duplicate, not a new e-mail)
    and can refuse every recipient with a 4xx for a while."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.lock = threading.Lock()
        self.message_ids: Counter = Counter()
        self.recipients: Counter = Counter()
        self.refused = 0
        self.refuse_until = 0.0
        # Message-IDs are counted per run: each database's outbox numbers its messages from 1,
        # so the same Message-ID in two runs is two e-mails, not a duplicate.
        self.run = ""
        # server_hostname given: otherwise aiosmtpd calls socket.getfqdn() for every
        # connection, which can take seconds without a resolver and slows every delivery.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")

    def env(self, env: dict[str, str]) -> dict[str, str]:
        return {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "false"}

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if time.perf_counter() < self.refuse_until:
            with self.lock:
                self.refused += 1
            return "451 4.3.2 Service busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email

        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.message_ids[(self.run, message["Message-ID"])] += 1
            for address in envelope.rcpt_tos:
                self.recipients[address] += 1
        return "250 Message accepted for delivery"

    def distinct(self) -> int:
        with self.lock:
            return len(self.message_ids)

    def duplicates(self) -> int:
        """Copies beyond the first of the same Message-ID (a redelivery after the server
        accepted and before the outbox row was marked sent)."""
        with self.lock:
            return sum(n - 1 for n in self.message_ids.values())

    def wait(self, expected: int, timeout: float) -> tuple[int, float]:
        started = time.perf_counter()
        while self.distinct() < expected and time.perf_counter() - started < timeout:
            time.sleep(0.5)
        return self.distinct(), time.perf_counter() - started
