"""What the outbox costs a sign-up, in CPU: the API sign-up (POST
/api/v1/sessions/<id>/registrations, a new agent with a token each time) as it runs today —
the confirmation recorded in the outbox in the sign-up's transaction, then handed to the
queue on commit — against the path before the outbox (the task enqueued on commit, nothing
written), on SQLite then PostgreSQL.

Both paths run in one process, alternating sign-up by sign-up (ROUNDS batches of BATCH
sign-ups each), so that a machine shared with other work slows both alike; the CPU time of this process is
read around each batch (the Django test client calls the application in-process: no HTTP
server, no client, only the request's own work). Printed: median and best batch of each, the
ratio of the medians (target ≤ 1.10: « per-request CPU within 10 % of today's »), and the
statements per sign-up of each path. The database's own CPU is not in these figures
(bench_registrations.py prints it per request for the whole stack).

PostgreSQL: the database `essaim_outbox_cost` on 127.0.0.1:5432 is DROPPED and recreated;
Redis db 12 is flushed. BENCH_DATABASES=sqlite (or postgresql) to run one;
BENCH_OUTBOX_ROUNDS (default 30) and BENCH_OUTBOX_BATCH (40).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import base_env, pg_env, prepare

ROOT = Path(__file__).resolve().parents[1]
PG_DB = "essaim_outbox_cost"
REDIS_DB = 12
ROUNDS = int(os.environ.get("BENCH_OUTBOX_ROUNDS", "30"))
BATCH = int(os.environ.get("BENCH_OUTBOX_BATCH", "40"))
TARGET = 1.10

INNER = r"""
import datetime as dt, json, os, secrets, statistics, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from essaim.accounts.models import ApiToken, User, hash_secret
from essaim.catalogue.models import Course
from essaim.framework.models import FrameworkVersion
from essaim.organisations.models import Organisation
from essaim.training import services
from essaim.training.sessions import session_create
from essaim.training.tasks import notify_registration

ROUNDS, BATCH = int(os.environ["ROUNDS"]), int(os.environ["BATCH"])
seed = json.load(open(os.environ["SEED"]))  # bench/common.py prepare(): one session, its agents
session = seed["groups"]["cost"][0]
raws = seed["tokens"]
agents = iter(raws)
client = Client()

def sign_up():
    response = client.post(f"/api/v1/sessions/{session}/registrations",
                           HTTP_AUTHORIZATION=f"Bearer {next(agents)}", HTTP_HOST="localhost")
    assert response.status_code == 201, response.content[:300]

outbox_path = services._notify_on_commit

def direct_path(registration, kind):  # before the outbox (ADR 0060): enqueue once committed
    registration_id = registration.pk
    transaction.on_commit(lambda: notify_registration(registration_id, kind))

paths = {"outbox": outbox_path, "direct": direct_path}
statements = {}
for name, path in paths.items():
    services._notify_on_commit = path
    for _ in range(5):
        sign_up()  # warm
    with CaptureQueriesContext(connection) as queries:
        sign_up()
    statements[name] = len(queries.captured_queries)
cpu = {name: [] for name in paths}
for _ in range(ROUNDS):
    spent = dict.fromkeys(paths, 0.0)
    for _ in range(BATCH):  # the two paths alternate sign-up by sign-up: drift hits both
        for name, path in paths.items():
            services._notify_on_commit = path
            t = time.process_time()
            sign_up()
            spent[name] += time.process_time() - t
    for name in paths:
        cpu[name].append(spent[name] * 1000 / BATCH)
services._notify_on_commit = outbox_path
print("RESULT " + json.dumps({"cpu": cpu, "statements": statements}))
"""


def run(vendor: str) -> tuple[str, bool]:
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-outbox-"))
    if vendor == "postgresql":
        pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True, capture_output=True)
        subprocess.run(["createdb", *pg, PG_DB], check=True)
        env = pg_env(workdir, f"postgres://postgres@127.0.0.1:5432/{PG_DB}", REDIS_DB)
    else:
        env = base_env(workdir)
    count = 2 * ROUNDS * BATCH + 20
    seed = prepare(env, groups=[("cost", 1, count)], agents=count)
    seed_file = workdir / "seed.json"
    seed_file.write_text(json.dumps(seed))
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "ROUNDS": str(ROUNDS),
            "BATCH": str(BATCH),
            "SEED": str(seed_file),
            "API_AUTH_RATE": "1000000/m",
            "API_ANON_RATE": "1000000/m",
        }
    )
    proc = subprocess.run([sys.executable, "-c", INNER], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:])
        return f"{label}: run failed", False
    result = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("RESULT ")).removeprefix("RESULT "))
    medians = {}
    for name, samples in result["cpu"].items():
        samples.sort()
        medians[name] = samples[len(samples) // 2]
        print(
            f"  {label:10} {name:7} {result['statements'][name]:2d} statements, CPU per sign-up: median "
            f"{medians[name]:.2f} ms, best batch {samples[0]:.2f} ms ({len(samples)} batches of {BATCH})"
        )
    ratio = medians["outbox"] / medians["direct"]
    ok = ratio <= TARGET
    line = (
        f"{label}: CPU per sign-up through the outbox ÷ before it ≤ {TARGET:.2f}: "
        f"{medians['outbox']:.2f} ÷ {medians['direct']:.2f} ms = {ratio:.3f}"
    )
    print(f"  [{'PASS' if ok else 'FAIL'}] {line}", flush=True)
    return line, ok


def main() -> int:
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    print(f"outbox cost on the sign-up path: {ROUNDS} alternated batches of {BATCH} per path, in-process")
    rows = [run(vendor) for vendor in ("sqlite", "postgresql") if vendor in wanted]
    print("\n===== summary =====")
    for line, ok in rows:
        print(f"{'PASS' if ok else 'FAIL':5} {line}")
    return 0 if all(ok for _line, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
