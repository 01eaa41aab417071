"""Foundation benchmark: serve Essaim with gunicorn on loopback over a database holding
a realistic number of organisations and accounts, then measure pages and API under
concurrent load from this process.

Prints p50/p95 latency and throughput per URL, and the ratio of p95 with 20 concurrent
clients to p95 with one (how much waiting a burst adds). Runs on SQLite by default; set
DATABASE_URL to a PostgreSQL database to measure there (it is flushed first!).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORGANISATIONS = 2_000
USERS = 20_000
REQUESTS = 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict[str, str]) -> None:
    code = f"""
import django, random
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
from essaim.organisations.models import Organisation, Region
from essaim.accounts.models import User
regions = list(Region.objects.values_list("code", flat=True))
ministries = list(Organisation.objects.ministries())
orgs = [Organisation(name=f"Service départemental {{i}}", slug=f"service-bench-{{i}}", kind="service",
                     parent=ministries[i % len(ministries)], region_id=regions[i % len(regions)])
        for i in range({ORGANISATIONS})]
Organisation.objects.bulk_create(orgs, batch_size=1000)
bench_orgs = list(Organisation.objects.filter(slug__startswith="service-bench-").select_related("parent"))
for org in bench_orgs:
    org.path = f"{{org.parent.path}}{{org.pk}}/"
Organisation.objects.bulk_update(bench_orgs, ["path"], batch_size=1000)
users = [User(email=f"agent{{i}}@bench.gouv.fr", given_name="Agent", usual_name=str(i),
              organisation=bench_orgs[i % len(bench_orgs)], password="!") for i in range({USERS})]
User.objects.bulk_create(users, batch_size=2000)
print(Organisation.objects.count(), "organisations,", User.objects.count(), "accounts")
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def measure(url: str, concurrency: int) -> tuple[float, float, float]:
    for _ in range(5):
        fetch(url)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        timings = list(pool.map(lambda _i: fetch(url), range(REQUESTS)))
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return statistics.median(timings), p95, REQUESTS / elapsed


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-"))
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "LOG_LEVEL": "WARNING",
    }
    print(f"database: {'PostgreSQL' if env.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}")
    prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "essaim.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        urls = [
            "/",
            "/healthz",
            "/organisations/",
            "/organisations/?kind=service&page=20",
            "/api/v1/organisations?kind=service&page=10",
            "/api/v1/regions",
        ]
        print(f"{'url':48} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'p95 x20/x1':>11}")
        for url in urls:
            _p50_1, p95_1, _rps_1 = measure(base + url, 1)
            p50, p95, rps = measure(base + url, 20)
            print(f"{url:48} {p50:8.1f} {p95:8.1f} {rps:8.0f} {p95 / p95_1:11.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
