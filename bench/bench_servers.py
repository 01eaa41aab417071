"""gunicorn against granian: the same Essaim, the same number of processes, PostgreSQL + Redis.

Servers compared, each with 2 worker processes (the machine's core count):
  gunicorn sync (1 thread per process), gunicorn gthread (4 threads per process),
  granian WSGI (1 blocking thread per process), granian WSGI (4 blocking threads).
For each, requests/s and p95 latency with CLIENTS concurrent clients for SECONDS seconds on
three routes: /healthz (database, cache and queue probes), the public session list
/sessions/ (200 published sessions) and registrations (POST /api/v1/sessions/<id>/registrations,
a distinct agent with an API token each time, onto a session of ample capacity).

The machine is shared, so figures are noisy: the servers run interleaved ROUNDS times
(round 1: every server, round 2: every server, …) and the best run of each server on each
route is kept. Prints a table and each server's ratio to gunicorn sync.

PostgreSQL database `essaim_servers` is DROPPED and recreated; Redis db 6 is flushed.
BENCH_SERVER_ROUNDS (default 3), BENCH_SERVER_SECONDS (default 5), BENCH_SERVER_CLIENTS (8).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registrations import Client, django_run, free_port

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "essaim_servers"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/6"
PROCESSES = 2
ROUNDS = int(os.environ.get("BENCH_SERVER_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SERVER_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_SERVER_CLIENTS", "8"))
AGENTS = 3000  # more than any run can register: every POST is a first registration

SERVERS: dict[str, list[str]] = {
    "gunicorn sync": [
        "-m", "gunicorn", "essaim.wsgi:application", "--workers", str(PROCESSES), "--log-level", "warning",
    ],
    "gunicorn gthread x4": [
        "-m", "gunicorn", "essaim.wsgi:application", "--workers", str(PROCESSES), "--worker-class", "gthread",
        "--threads", "4", "--log-level", "warning",
    ],
    "granian wsgi": [
        "-m", "granian", "--interface", "wsgi", "--workers", str(PROCESSES), "--blocking-threads", "1",
        "--no-ws", "--log-level", "warning", "essaim.wsgi:application",
    ],
    "granian wsgi x4": [
        "-m", "granian", "--interface", "wsgi", "--workers", str(PROCESSES), "--blocking-threads", "4",
        "--no-ws", "--log-level", "warning", "essaim.wsgi:application",
    ],
}  # fmt: skip

PREPARE = """
import datetime as dt, secrets
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from essaim.accounts.models import ApiToken, User, hash_secret
from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.training.sessions import session_create
from essaim.organisations.models import Organisation

now = timezone.now()
framework = FrameworkVersion.objects.create(version="servers.1", title="Référentiel (bench)",
                                            status=FrameworkVersion.Status.PUBLISHED, published_at=now)
course = Course.objects.create(code="servers-course", title="Formation de bench", summary="Bench.",
                               duration_half_days=1, status=Course.Status.PUBLISHED, framework=framework)
ministry = Organisation.objects.ministries().order_by("pk").first()

def make(offset, capacity):
    start = (now + dt.timedelta(days=offset)).replace(hour=8, minute=0, second=0, microsecond=0)
    return session_create(course=course, organiser=ministry, slots=[(start, start + dt.timedelta(hours=3))],
                          capacity=capacity, acting_user=None, publish=True).pk

targets = [make(10 + i, 100000) for i in range({targets})]
for i in range(200):
    make(400 + i, 20)
users = User.objects.bulk_create(
    [User(email=f"srv{{i}}@bench.gouv.fr", given_name="Agent", usual_name=str(i), organisation=ministry,
          password="!") for i in range({agents})], batch_size=1000)
users = list(User.objects.filter(email__endswith="@bench.gouv.fr").order_by("pk"))
raws, tokens = [], []
for user in users:
    prefix = secrets.token_hex(4)
    raw = f"essaim_{{prefix}}_{{secrets.token_urlsafe(32)}}"
    raws.append(raw)
    tokens.append(ApiToken(user=user, name="bench", prefix=prefix, token_hash=hash_secret(raw)))
ApiToken.objects.bulk_create(tokens, batch_size=1000)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(json.dumps({{"targets": targets, "tokens": raws}}))
"""


def measure(client: Client, jobs: Any) -> dict[str, Any]:
    """CLIENTS threads send requests from `jobs()` (method, path, token) for SECONDS seconds."""
    timings: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def worker() -> None:
        while time.perf_counter() < deadline:
            method, path, token = jobs()
            started = time.perf_counter()
            try:
                status, _body = client.request(method, path, token)
            except OSError:
                status = 0
            with lock:
                timings.append((time.perf_counter() - started) * 1000)
                statuses[status] += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "rps": len(timings) / elapsed,
        "p95": timings[int(len(timings) * 0.95)] if timings else float("nan"),
        "n": len(timings),
        "statuses": dict(statuses),
    }


def main() -> int:
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-servers-"))
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": PG_URL,
        "REDIS_URL": REDIS_URL,
    }
    env.pop("HUEY_IMMEDIATE", None)
    pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
    subprocess.run(["redis-cli", "-n", "6", "FLUSHDB"], check=True, capture_output=True)
    subprocess.run(["dropdb", *pg, "--if-exists", DB_NAME], check=True)
    subprocess.run(["createdb", *pg, DB_NAME], check=True)
    failures = 0
    try:
        t0 = time.perf_counter()
        prep = django_run(env, PREPARE.format(targets=ROUNDS * len(SERVERS), agents=AGENTS))
        print(f"prepared in {time.perf_counter() - t0:.1f} s: 200 listed sessions, {AGENTS} agents", flush=True)
        tokens: list[str] = prep["tokens"]
        targets = iter(prep["targets"])
        best: dict[tuple[str, str], dict[str, Any]] = {}
        for round_no in range(1, ROUNDS + 1):
            for name, args in SERVERS.items():
                port = free_port()
                bind = ["--bind", f"127.0.0.1:{port}"] if "gunicorn" in args else ["--host", "127.0.0.1"]
                bind += [] if "gunicorn" in args else ["--port", str(port)]
                log = open(workdir / f"{name.replace(' ', '_')}.log", "a")  # noqa: SIM115
                server = subprocess.Popen([sys.executable, *args, *bind], cwd=ROOT, env=env, stdout=log, stderr=log)
                client = Client(port)
                try:
                    for _ in range(200):
                        try:
                            if client.request("GET", "/healthz")[0] == 200:
                                break
                        except OSError:
                            pass
                        time.sleep(0.1)
                    for _ in range(10):  # warm every process
                        client.request("GET", "/sessions/")
                    target = next(targets)
                    agent = iter(range(len(tokens)))
                    agent_lock = threading.Lock()

                    def post_job(target: int = target, agent: Any = agent, agent_lock: Any = agent_lock) -> Any:
                        with agent_lock:
                            k = next(agent)
                        return "POST", f"/api/v1/sessions/{target}/registrations", tokens[k]

                    routes = {
                        "/healthz": lambda: ("GET", "/healthz", None),
                        "/sessions/": lambda: ("GET", "/sessions/", None),
                        "POST registration": post_job,
                    }
                    for route, jobs in routes.items():
                        result = measure(client, jobs)
                        bad = sum(n for status, n in result["statuses"].items() if status >= 500 or status == 0)
                        expected = 201 if route.startswith("POST") else 200
                        if bad or set(result["statuses"]) != {expected}:
                            failures += 1
                        print(
                            f"  round {round_no} {name:20} {route:18} {result['rps']:7.1f} req/s  "
                            f"p95 {result['p95']:7.1f} ms  n={result['n']}  {result['statuses']}",
                            flush=True,
                        )
                        key = (name, route)
                        if key not in best or result["rps"] > best[key]["rps"]:
                            best[key] = result
                finally:
                    server.terminate()
                    try:
                        server.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        server.kill()
                    log.close()
        routes_order = ["/healthz", "/sessions/", "POST registration"]
        print(f"\nbest of {ROUNDS} interleaved runs, {PROCESSES} processes each, {CLIENTS} clients, {SECONDS:.0f} s")
        header = f"{'server':20}" + "".join(f" | {r:>28}" for r in routes_order)
        print(header)
        print("-" * len(header))
        reference = "gunicorn sync"
        for name in SERVERS:
            cells = []
            for route in routes_order:
                r = best[(name, route)]
                ratio = r["rps"] / best[(reference, route)]["rps"]
                cells.append(f"{r['rps']:6.1f}/s p95 {r['p95']:6.1f} ms x{ratio:4.2f}")
            print(f"{name:20}" + "".join(f" | {c:>28}" for c in cells))
        print(f"(x = requests/s relative to {reference})")
        print(f"{'PASS' if not failures else 'FAIL'}: {failures} runs with an unexpected status")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        subprocess.run(["dropdb", *pg, "--if-exists", DB_NAME], check=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
