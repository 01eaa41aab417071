"""Registrations benchmark: a burst of agents for the last seats of one session, the cost
of a hot session against the same load spread over many, and the session list over
100,000 sessions — on SQLite, then on PostgreSQL.

For each database: prepare it in a subprocess (temp ESSAIM_VAR_DIR), serve Essaim with
gunicorn (4 worker processes of BENCH_GUNICORN_THREADS threads, default 1: on 2 cores, a
second thread per process only adds GIL hand-offs to CPU-bound requests) and the Huey
consumers (`manage.py run_worker --queue all`: one per queue, as in production, at nice 10 so that e-mails yield the CPU
to sign-ups; the queue's drain time is printed) on loopback, then load it from this
process with plain http.client threads.

Prints every figure and PASS/FAIL per target, then a summary table. Exits 1 when a
correctness count is wrong (booked/waitlisted counts, positions, duplicates, 5xx,
"database is locked", the offer to the first in line); performance targets that are
missed print FAIL but do not change the exit code.

PostgreSQL: the database `essaim_bench` on 127.0.0.1:5432 (user postgres) is DROPPED and
recreated at start. Set BENCH_DATABASES=sqlite (or postgresql) to run only one, and
BENCH_PARTS=burst,throughput,pages (any subset) to run only some parts.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# BENCH_PG_DB / BENCH_REDIS_DB: another database name and Redis db when several people
# bench on one machine.
PG_DB = os.environ.get("BENCH_PG_DB", "essaim_bench")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "14")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"

AGENTS = 1_000  # distinct agents of the burst, each with an API token
HOT_CAPACITY = 50  # seats of the burst session
SPREAD_SESSIONS = 200  # sessions of 5 seats for the spread test
SPREAD_CAPACITY = 5
THROUGHPUT_AGENTS = 400  # registrations in each of the hot and spread runs
THROUGHPUT_CAPACITY = 400  # seats of the fresh hot session
CLIENT_THREADS = 100  # load generator threads for the burst and throughput runs
PAGE_SESSIONS = 100_000
PAGE_CLIENTS = 8
PAGE_REQUESTS = 300  # per client, cut short after PAGE_SECONDS
PAGE_SECONDS = 20.0
OFFER_WAIT_S = 5.0
DRAIN_WAIT_S = 90.0

results: list[dict[str, Any]] = []  # summary rows
METER: Any = None  # CpuMeter of the database being measured


def record(db: str, target: str, value: str, ok: bool, *, correctness: bool) -> None:
    results.append({"db": db, "target": target, "value": value, "ok": ok, "correctness": correctness})
    print(f"  [{'PASS' if ok else 'FAIL'}] {target}: {value}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_run(env: dict[str, str], code: str) -> Any:
    """Run `code` after django.setup() in a subprocess; it prints one JSON line last."""
    prelude = "import django, json\ndjango.setup()\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- Preparation ----------------------------------------------------------------------
PREPARE = """
import datetime as dt, secrets
from django.core.management import call_command
from django.utils import timezone
t0 = __import__("time").perf_counter()
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

def day(offset):  # one half-day, on its own day: sessions never overlap each other
    start = (now + dt.timedelta(days=offset)).replace(hour=8, minute=0, second=0, microsecond=0)
    return [(start, start + dt.timedelta(hours=3))]

def make(offset, capacity):
    return session_create(course=course, organiser=ministry, slots=day(offset), capacity=capacity,
                          acting_user=None, publish=True).pk

hot = make(30, {HOT_CAPACITY})
throughput = make(31, {THROUGHPUT_CAPACITY})
spread = [make(40 + i, {SPREAD_CAPACITY}) for i in range({SPREAD_SESSIONS})]

users = User.objects.bulk_create(
    [User(email=f"agent{{i}}@bench.gouv.fr", given_name="Agent", usual_name=str(i), organisation=ministry,
          password="!") for i in range({AGENTS})], batch_size=1000)
users = list(User.objects.filter(email__endswith="@bench.gouv.fr").order_by("pk"))
raws, tokens = [], []
for user in users:
    prefix = secrets.token_hex(4)
    raw = f"essaim_{{prefix}}_{{secrets.token_urlsafe(32)}}"
    raws.append(raw)
    tokens.append(ApiToken(user=user, name="bench", prefix=prefix, token_hash=hash_secret(raw)))
ApiToken.objects.bulk_create(tokens, batch_size=1000)
with open({tokens_file!r}, "w") as fh:
    json.dump({{"tokens": raws, "user_ids": [u.pk for u in users]}}, fh)
print(json.dumps({{"hot": hot, "throughput": throughput, "spread": spread, "ministry": ministry.name,
                  "seconds": round(__import__("time").perf_counter() - t0, 1)}}))
"""

CREATE_PAGES = """
import datetime as dt, random, time
from django.utils import timezone
from essaim.catalogue.models import Course
from essaim.organisations.models import Organisation
from essaim.training.models import Session, SessionSlot
t0 = time.perf_counter()
course = Course.objects.get(code="bench-course")
ministry = Organisation.objects.ministries().order_by("pk").first()
rng = random.Random(42)
start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
minutes = 3 * 365 * 24 * 60
total, batch = {PAGE_SESSIONS}, 5000
created = 0
for first in range(0, total, batch):
    sessions = []
    for _ in range(min(batch, total - first)):
        starts = start + dt.timedelta(minutes=rng.randrange(minutes))
        sessions.append(Session(course=course, organiser=ministry, status=Session.Status.PUBLISHED, capacity=20,
                                format=course.format, starts_at=starts, ends_at=starts + dt.timedelta(hours=3)))
    sessions = Session.objects.bulk_create(sessions)
    SessionSlot.objects.bulk_create(
        [SessionSlot(session_id=s.pk, starts_at=s.starts_at, ends_at=s.ends_at) for s in sessions])
    created += len(sessions)
seconds = time.perf_counter() - t0
from django.db import connection
if connection.vendor == "postgresql":  # what autovacuum would do within a minute of such a load
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(json.dumps({{"created": created, "seconds": round(seconds, 1), "sessions": Session.objects.count()}}))
"""


TIME_LIST = """
import time
from essaim.core.selectors import platform_health
from essaim.training.selectors import session_list

def best(fn):
    times = []
    for _ in range(3):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(min(times), 1)

qs = session_list()
print(json.dumps({"count": best(qs.count), "page": best(lambda: list(qs[:20])), "health": best(platform_health)}))
"""


# --- Direct database access for the checks --------------------------------------------
class Db:
    def __init__(self, vendor: str, workdir: Path) -> None:
        self.vendor = vendor
        if vendor == "sqlite":
            self.conn: Any = sqlite3.connect(str(workdir / "essaim.sqlite3"), timeout=30, isolation_level=None)
        else:
            import psycopg

            self.conn = psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={PG_DB}", autocommit=True)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        cur = self.conn.cursor()
        cur.execute(sql, params)
        out = cur.fetchall()
        cur.close()
        return out

    def close(self) -> None:
        self.conn.close()


# --- CPU accounting: where the machine's time goes during a phase ---------------------
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all processes, all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLK_TCK


class CpuMeter:
    """CPU seconds used by the server (gunicorn master + workers), the Huey consumer, this
    load generator, the PostgreSQL backends of the bench database, and the rest of the
    machine (other users' processes, and PostgreSQL parallel workers, which exit before
    they can be counted as backends)."""

    def __init__(self, server: int, consumer: int, db: Db) -> None:
        self.roots = {"server": server, "huey": consumer}
        self.db = db

    def snapshot(self) -> dict[str, Any]:
        stats = {int(d): st for d in os.listdir("/proc") if d.isdigit() and (st := _stat(int(d)))}
        snap: dict[str, Any] = {"machine": _machine_busy(), "wall": time.perf_counter()}
        for name, root in self.roots.items():
            snap[name] = sum(cpu for pid, (ppid, cpu) in stats.items() if root in (pid, ppid))
        snap["client"] = sum(os.times()[:2])
        backends: dict[int, float] = {}
        if self.db.vendor == "postgresql":
            for (pid,) in self.db.rows("SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_DB,)):
                if pid in stats:
                    backends[pid] = stats[pid][1]
        snap["backends"] = backends
        return snap

    def report(self, before: dict[str, Any], after: dict[str, Any], count: int) -> str:
        wall = after["wall"] - before["wall"]
        used = {name: after[name] - before[name] for name in ("server", "huey", "client")}
        if self.db.vendor == "postgresql":
            used["postgres"] = sum(cpu - before["backends"].get(pid, 0.0) for pid, cpu in after["backends"].items())
        machine = after["machine"] - before["machine"]
        used["rest of machine"] = max(machine - sum(used.values()), 0.0)
        parts = ", ".join(f"{name} {cpu:.1f} s ({cpu / count * 1000:.1f} ms/req)" for name, cpu in used.items())
        return (
            f"CPU over {wall:.1f} s wall ({os.cpu_count()} cores = {wall * (os.cpu_count() or 1):.1f} CPU-s, "
            f"{machine:.1f} used): {parts}"
        )


# --- HTTP -----------------------------------------------------------------------------
class Client:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, token: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Accept": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if method in {"POST", "DELETE"}:
                headers["Content-Length"] = "0"
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, token: str | None = None) -> tuple[int, Any, bytes]:
        status, body = self.request(method, path, token)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        return status, data, body


def fire(client: Client, jobs: list[tuple[str, str]], threads: int) -> tuple[list[tuple[int, Any, bytes]], float]:
    """POST every (path, token) job from `threads` threads released together; (results, seconds)."""
    out: list[Any] = [None] * len(jobs)
    barrier = threading.Barrier(threads + 1)

    def worker(k: int) -> None:
        barrier.wait()
        for i in range(k, len(jobs), threads):
            path, token = jobs[i]
            try:
                out[i] = client.json("POST", path, token)
            except Exception as exc:  # a refused/reset connection is a failure to report, not a crash
                out[i] = (0, None, repr(exc).encode())

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    time.sleep(0.2)  # every thread is parked on the barrier
    started = time.perf_counter()
    barrier.wait()
    for t in pool:
        t.join()
    return out, time.perf_counter() - started


# /healthz gives its details (queue depths, the outbox) only with the operators' token.
METRICS_TOKEN = secrets.token_urlsafe(24)


def queue_pending(client: Client) -> int | None:
    _status, data, _ = client.json("GET", "/healthz", METRICS_TOKEN)
    try:
        return int(data["checks"]["queue"]["pending"]) + int(data["checks"]["outbox"]["pending"])
    except (TypeError, KeyError, ValueError):
        return None


def drain(client: Client, label: str) -> None:
    """Wait for the Huey consumer to empty the queue (notification e-mails), so that each
    phase starts from the same state."""
    started = time.perf_counter()
    first = queue_pending(client)
    pending = first
    while pending and time.perf_counter() - started < DRAIN_WAIT_S:
        time.sleep(0.5)
        pending = queue_pending(client)
    print(
        f"  task queue after {label}: {first} pending, drained to {pending} in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def page_rate(client: Client, path: str) -> tuple[float, int, float, list[int]]:
    """(requests/s, requests done, median ms, statuses) with PAGE_CLIENTS concurrent clients."""
    for _ in range(3):
        client.request("GET", path)
    deadline = time.perf_counter() + PAGE_SECONDS
    timings: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def worker(_k: int) -> None:
        for _ in range(PAGE_REQUESTS):
            if time.perf_counter() > deadline:
                return
            t = time.perf_counter()
            status, _body = client.request("GET", path)
            with lock:
                timings.append((time.perf_counter() - t) * 1000)
                statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PAGE_CLIENTS) as pool:
        list(pool.map(worker, range(PAGE_CLIENTS)))
    elapsed = time.perf_counter() - started
    timings.sort()
    return len(timings) / elapsed, len(timings), timings[len(timings) // 2], sorted(statuses.items())


# --- One database ---------------------------------------------------------------------
def run_database(vendor: str) -> None:
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    print(f"\n===== {label} =====  (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-reg-"))
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
    if vendor == "postgresql":
        # The production layout: PostgreSQL plus Redis for the cache and the task queue.
        env["DATABASE_URL"] = PG_URL
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
        subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=True, capture_output=True)
        pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)
        subprocess.run(["createdb", *pg, PG_DB], check=True)
    else:
        # The embedded layout: SQLite for the data and the task queue, no Redis.
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)

    tokens_file = workdir / "tokens.json"
    t0 = time.perf_counter()
    prep = django_run(
        env,
        PREPARE.format(
            HOT_CAPACITY=HOT_CAPACITY,
            THROUGHPUT_CAPACITY=THROUGHPUT_CAPACITY,
            SPREAD_CAPACITY=SPREAD_CAPACITY,
            SPREAD_SESSIONS=SPREAD_SESSIONS,
            AGENTS=AGENTS,
            tokens_file=str(tokens_file),
        ),
    )
    data = json.loads(tokens_file.read_text())
    tokens: list[str] = data["tokens"]
    print(
        f"prepared in {time.perf_counter() - t0:.1f} s: organiser {prep['ministry']!r}, 1 session of {HOT_CAPACITY} "
        f"seats, 1 of {THROUGHPUT_CAPACITY}, {len(prep['spread'])} of {SPREAD_CAPACITY}, {len(tokens)} agents "
        "with a token",
        flush=True,
    )

    port = free_port()
    server_log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115
    worker_log = open(workdir / "huey.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "essaim.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            os.environ.get("BENCH_GUNICORN_THREADS", "1"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=server_log,
    )
    consumer = subprocess.Popen(
        ["nice", "-n", "10", sys.executable, "manage.py", "run_worker", "--queue", "all"],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=worker_log,
    )
    client = Client(port)
    db = Db(vendor, workdir)
    global METER
    METER = CpuMeter(server.pid, consumer.pid, db)
    try:
        for _ in range(150):
            try:
                if client.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        threads = os.environ.get("BENCH_GUNICORN_THREADS", "1")
        print(
            f"gunicorn on 127.0.0.1:{port} (4 workers x {threads} thread(s)) + one worker per queue at nice 10",
            flush=True,
        )
        parts = os.environ.get("BENCH_PARTS", "burst,throughput,pages").split(",")
        if "burst" in parts:
            burst(label, client, db, tokens, prep["hot"], workdir)
        if "throughput" in parts:
            throughput(label, client, db, tokens, prep["throughput"], prep["spread"])
        if "pages" in parts:
            pages(label, client, env)
    finally:
        db.close()
        for proc in (server, consumer):
            proc.terminate()
        for proc in (server, consumer):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        server_log.close()
        worker_log.close()
        locked_in_log = (workdir / "gunicorn.log").read_text(errors="replace").count("database is locked")
        tracebacks = (workdir / "gunicorn.log").read_text(errors="replace").count("Traceback")
        print(f"server log: {tracebacks} tracebacks, {locked_in_log} 'database is locked'", flush=True)
        record(label, "server log: 'database is locked'", str(locked_in_log), locked_in_log == 0, correctness=True)
        shutil.rmtree(workdir, ignore_errors=True)
        if vendor == "postgresql":
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "--if-exists", PG_DB],
                check=False,
            )


def burst(label: str, client: Client, db: Db, tokens: list[str], hot: int, workdir: Path) -> None:
    print(f"\n-- burst: {len(tokens)} agents for {HOT_CAPACITY} seats ({CLIENT_THREADS} client threads)", flush=True)
    jobs = [(f"/api/v1/sessions/{hot}/registrations", token) for token in tokens]
    before = METER.snapshot()
    out, elapsed = fire(client, jobs, CLIENT_THREADS)
    print("  " + METER.report(before, METER.snapshot(), len(jobs)), flush=True)
    statuses = Counter(status for status, _d, _b in out)
    bodies = [d if isinstance(d, dict) else {} for _s, d, _b in out]
    booked = sum(1 for d in bodies if d.get("status") == "booked")
    waitlisted = sum(1 for d in bodies if d.get("status") == "waitlisted")
    positions = sorted(d["waiting_list_position"] for d in bodies if d.get("status") == "waitlisted")
    ids = [d["id"] for d in bodies if "id" in d]
    refusals = Counter(d["code"] for d in bodies if d.get("code"))
    five_xx = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    locked = sum(1 for _s, _d, body in out if b"database is locked" in body)
    print(f"  HTTP statuses: {dict(sorted(statuses.items()))}  refusal codes: {dict(refusals)}")
    print(f"  elapsed {elapsed:.2f} s, {len(out) / elapsed:.1f} registrations/s")

    rows = db.rows("SELECT id, user_id, status, queue_number FROM training_registration WHERE session_id = %s", (hot,))
    db_booked = [r for r in rows if r[2] == "booked"]
    db_wait = sorted((r for r in rows if r[2] == "waitlisted"), key=lambda r: r[3])
    # Position as waitlist_position() computes it: 1 + people waiting with a smaller number.
    db_positions = sorted(1 + sum(1 for o in db_wait if o[3] < r[3]) for r in db_wait)
    response_pos = {d["id"]: d["waiting_list_position"] for d in bodies if d.get("status") == "waitlisted"}
    db_pos_by_id = {r[0]: i + 1 for i, r in enumerate(db_wait)}
    mismatched = sum(1 for rid, pos in response_pos.items() if db_pos_by_id.get(rid) != pos)
    duplicates = (len(ids) - len(set(ids))) + (len(rows) - len({r[1] for r in rows}))
    expected = list(range(1, AGENTS - HOT_CAPACITY + 1))
    print(
        f"  DB: {len(rows)} registrations, {len(db_booked)} booked, {len(db_wait)} waitlisted, "
        f"queue numbers {db_wait[0][3] if db_wait else None}..{db_wait[-1][3] if db_wait else None}"
    )
    record(
        label,
        "burst: 201 responses",
        f"{statuses.get(201, 0)}/{AGENTS}",
        statuses.get(201, 0) == AGENTS,
        correctness=True,
    )
    record(
        label,
        "burst: booked (responses / DB)",
        f"{booked} / {len(db_booked)} (expect {HOT_CAPACITY})",
        booked == len(db_booked) == HOT_CAPACITY,
        correctness=True,
    )
    record(
        label,
        "burst: waitlisted (responses / DB)",
        f"{waitlisted} / {len(db_wait)} (expect {AGENTS - HOT_CAPACITY})",
        waitlisted == len(db_wait) == AGENTS - HOT_CAPACITY,
        correctness=True,
    )
    record(
        label,
        "burst: response positions sorted == 1..950",
        f"{'yes' if positions == expected else 'no'} (min {positions[0] if positions else None}, "
        f"max {positions[-1] if positions else None}, distinct {len(set(positions))})",
        positions == expected,
        correctness=True,
    )
    record(
        label,
        "burst: DB positions sorted == 1..950",
        "yes" if db_positions == expected else "no",
        db_positions == expected,
        correctness=True,
    )
    record(
        label,
        "burst: response position == DB position per registration",
        f"{mismatched} mismatched",
        mismatched == 0,
        correctness=True,
    )
    record(label, "burst: duplicates", str(duplicates), duplicates == 0, correctness=True)
    record(label, "burst: 5xx (or connection errors)", str(five_xx), five_xx == 0, correctness=True)
    record(label, "burst: bodies with 'database is locked'", str(locked), locked == 0, correctness=True)
    record(
        label,
        "burst: registrations/s (info)",
        f"{len(out) / elapsed:.1f}/s in {elapsed:.2f} s",
        True,
        correctness=False,
    )

    drain(client, "burst")
    # The first booked agent cancels; the seat goes to the first in line once the Huey task runs.
    canceller = next(i for i, d in enumerate(bodies) if d.get("status") == "booked")
    first_in_line = db_wait[0][0]
    started = time.perf_counter()
    status, data, body = client.json("DELETE", f"/api/v1/registrations/{bodies[canceller]['id']}", tokens[canceller])
    print(f"  DELETE by agent #{canceller}: HTTP {status} status={data.get('status') if data else body[:200]!r}")
    offered: list[tuple] = []
    while time.perf_counter() - started < OFFER_WAIT_S:
        offered = db.rows(
            "SELECT id, queue_number FROM training_registration WHERE session_id = %s AND status = 'offered'", (hot,)
        )
        if offered:
            break
        time.sleep(0.05)
    latency = time.perf_counter() - started
    time.sleep(0.3)  # a second offer, if any, would show now
    offered = db.rows(
        "SELECT id, queue_number FROM training_registration WHERE session_id = %s AND status = 'offered'", (hot,)
    )
    counts = dict(
        db.rows("SELECT status, COUNT(*) FROM training_registration WHERE session_id = %s GROUP BY status", (hot,))
    )
    print(f"  after cancel: {counts}; offered {offered} (first in line: id {first_in_line}, queue number 1)")
    record(label, "cancel: HTTP 200", str(status), status == 200, correctness=True)
    record(
        label,
        "cancel: exactly one 'offered' within 5 s",
        f"{len(offered)} (after {latency:.2f} s)",
        len(offered) == 1 and latency <= OFFER_WAIT_S,
        correctness=True,
    )
    record(
        label,
        "cancel: offered one is first in line",
        "yes" if [o[0] for o in offered] == [first_in_line] else "no",
        [o[0] for o in offered] == [first_in_line],
        correctness=True,
    )


def throughput(label: str, client: Client, db: Db, tokens: list[str], hot: int, spread: list[int]) -> None:
    n = THROUGHPUT_AGENTS
    print(f"\n-- throughput: {n} agents on one session vs spread over {len(spread)} ({CLIENT_THREADS} threads)")
    drain(client, "cancel")
    rates = {}
    for name, jobs in (
        ("hot", [(f"/api/v1/sessions/{hot}/registrations", tokens[i]) for i in range(n)]),
        ("spread", [(f"/api/v1/sessions/{spread[i % len(spread)]}/registrations", tokens[i]) for i in range(n)]),
    ):
        before = METER.snapshot()
        out, elapsed = fire(client, jobs, CLIENT_THREADS)
        cpu_line = METER.report(before, METER.snapshot(), n)
        statuses = Counter(s for s, _d, _b in out)
        kinds = Counter((d or {}).get("status") or (d or {}).get("code") for _s, d, _b in out)
        rates[name] = n / elapsed
        print(
            f"  {name:6}: {n} in {elapsed:.2f} s = {rates[name]:.1f} registrations/s; HTTP {dict(statuses)}",
            dict(kinds),
        )
        print("    " + cpu_line, flush=True)
        record(
            label,
            f"throughput {name}: all {n} booked",
            f"{kinds.get('booked', 0)}/{n}",
            kinds.get("booked", 0) == n,
            correctness=True,
        )
        drain(client, name)
    ratio = rates["hot"] / rates["spread"]
    record(
        label,
        "throughput: hot/spread >= 0.5",
        f"{ratio:.2f} (hot {rates['hot']:.1f}/s, spread {rates['spread']:.1f}/s)",
        ratio >= 0.5,
        correctness=False,
    )
    if label == "PostgreSQL":
        record(label, "throughput: hot >= 100/s", f"{rates['hot']:.1f}/s", rates["hot"] >= 100, correctness=False)


def pages(label: str, client: Client, env: dict[str, str]) -> None:
    print(
        f"\n-- pages: {PAGE_SESSIONS:,} more sessions, {PAGE_CLIENTS} clients x <= {PAGE_REQUESTS} requests "
        f"(<= {PAGE_SECONDS:.0f} s)",
        flush=True,
    )
    made = django_run(env, CREATE_PAGES.format(PAGE_SESSIONS=PAGE_SESSIONS))
    print(
        f"  created {made['created']:,} sessions + slots in {made['seconds']} s ({made['sessions']:,} in all)"
        + ("; ANALYZE run" if label == "PostgreSQL" else "")
    )
    html_status = client.request("GET", "/sessions/")[0]
    list_path = "/sessions/" if html_status == 200 else "/api/v1/sessions"
    note = "" if html_status == 200 else f" (GET /sessions/ answered {html_status}: measuring the API list instead)"
    print(f"  session list measured at {list_path}{note}")
    timed = django_run(env, TIME_LIST)
    print(
        f"  in-process, one at a time: session_list().count() {timed['count']} ms, first page of 20 "
        f"{timed['page']} ms; platform_health() (healthz) {timed['health']} ms"
    )
    before = METER.snapshot()
    list_rps, list_n, list_p50, list_st = page_rate(client, list_path)
    print("  " + list_path + ": " + METER.report(before, METER.snapshot(), list_n), flush=True)
    before = METER.snapshot()
    mini_rps, mini_n, mini_p50, mini_st = page_rate(client, "/healthz")
    print("  /healthz: " + METER.report(before, METER.snapshot(), mini_n), flush=True)
    print(f"  {list_path:18} {list_rps:8.1f} req/s  ({list_n} requests, p50 {list_p50:.1f} ms, HTTP {list_st})")
    print(f"  {'/healthz':18} {mini_rps:8.1f} req/s  ({mini_n} requests, p50 {mini_p50:.1f} ms, HTTP {mini_st})")
    ratio = list_rps / mini_rps
    record(
        label,
        f"pages: {list_path} / healthz >= 0.25",
        f"{ratio:.3f} ({list_rps:.1f} vs {mini_rps:.1f} req/s){note}",
        ratio >= 0.25,
        correctness=False,
    )
    bad = sum(n for s, n in list_st + mini_st if s != 200)
    record(label, "pages: non-200 responses", str(bad), bad == 0, correctness=True)


def main() -> int:
    started = time.perf_counter()
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    for vendor in ("sqlite", "postgresql"):
        if vendor in wanted:
            try:
                run_database(vendor)
            except Exception as exc:  # report, and let the other database run
                import traceback

                traceback.print_exc()
                record(
                    "SQLite" if vendor == "sqlite" else "PostgreSQL",
                    "run completed",
                    repr(exc),
                    False,
                    correctness=True,
                )
    print(f"\n===== summary ({time.perf_counter() - started:.0f} s) =====")
    width = max(len(r["target"]) for r in results)
    print(f"{'database':11} {'target':{width}}  {'result':6} value")
    for r in results:
        kind = "" if r["correctness"] else " (perf)"
        print(f"{r['db']:11} {r['target']:{width}}  {'PASS' if r['ok'] else 'FAIL':6} {r['value']}{kind}")
    wrong = [r for r in results if r["correctness"] and not r["ok"]]
    slow = [r for r in results if not r["correctness"] and not r["ok"]]
    print(f"\ncorrectness failures: {len(wrong)}; performance targets missed: {len(slow)}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
