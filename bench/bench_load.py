"""Mixed load: browse, search and register from a load generator on loopback, and the
latency of the public session list while 1,000 agents sign up at once.

gunicorn (4 workers) + `manage.py run_worker --queue all` serve Essaim as in bench_registrations.py; this
process is the load generator (plain http.client threads). A sampler requests the public
session list (/sessions/) at a steady SAMPLE_RATE per second through three phases:
1. idle: nothing else;
2. mixed: BROWSERS threads browsing the session list, session pages, the library (search
   and resource pages) and the public dashboard, plus a trickle of registrations;
3. burst: 1,000 agents (each with an API token) register onto HOT sessions at once
   (BURST_THREADS client threads), the browsing threads paused.
Shape (BENCH_API_WORKERS, default 2; 0 = one pool for everything): pages and the API are
served by two gunicorn pools, as deploy/nginx.conf routes them — 4 workers for pages, and
BENCH_API_WORKERS at nice 10 for /api/ — so a burst of sign-ups queues in its own pool
instead of taking the pages' CPU. The burst is fired from a child process at nice 10 (on a
real deployment the 1,000 clients are not on the server's cores).
Prints p50/p95 of the session list in each phase, the ratio p95 burst / p95 idle (target
<= 3: PASS/FAIL, does not change the exit code), each browse kind's p95, and the burst's
exact outcome checked against the database (booked = capacity, waiting-list positions
1..n per session, no duplicate, 0 5xx). Exits 1 when a correctness count is wrong.

PostgreSQL (the default, BENCH_DATABASES=postgresql): database essaim_faults_load on
127.0.0.1:5432, dropped and created again, Redis db 8. BENCH_DATABASES=sqlite,postgresql
runs SQLite too.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registrations import fire
from common import SHARED_PG, Db, Stack, base_env, django_run, pg_env, prepare, table

REDIS_DB = 8
AGENTS = 1_000
HOT = 3  # sessions of the burst
HOT_CAPACITY = 60
BROWSE_SESSIONS = 200
PHASE_S = 15.0
SAMPLE_RATE = 5.0  # session-list requests per second from the sampler
BROWSERS = 4
TRICKLE_RATE = 2.0  # registrations per second during the mixed phase
BURST_THREADS = 50
RATIO_TARGET = 3.0

LIBRARY = """
from essaim.library.demo import demo_library_load
from essaim.library.models import Resource
from essaim.organisations.models import Organisation
for slug in ("ditp", "dgfip", "ti-lab", "lab-aura", "democratie-ouverte", "decider-ensemble",
             "institut-de-la-concertation"):
    Organisation.objects.get_or_create(slug=slug, defaults={"name": slug, "kind": "partner"})
demo_library_load()
ids = list(Resource.objects.filter(status="published", visibility="public").values_list("pk", flat=True))
print(json.dumps({"resources": ids}))
"""
QUERIES = ["concertation", "atelier", "facilitation", "débat public", "jury citoyen", "budget participatif"]

summary: list[tuple[str, str, str, str]] = []
wrong = 0


def record(db: str, what: str, value: object, ok: bool | None = True, *, correctness: bool = True) -> None:
    global wrong
    if ok is False and correctness:
        wrong += 1
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    summary.append((db, what, str(value), verdict + ("" if correctness or ok is None else " (perf)")))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000


class Sampler(threading.Thread):
    """GET /sessions/ every 1/SAMPLE_RATE s; each sample tagged with the current phase."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.phase = "warm-up"
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.done = threading.Event()

    def run(self) -> None:
        next_at = time.perf_counter()
        while not self.done.is_set():
            phase = self.phase
            status, ms = get(self.port, "/sessions/")
            self.samples[phase].append(ms)
            self.statuses[status] += 1
            next_at += 1 / SAMPLE_RATE
            time.sleep(max(next_at - time.perf_counter(), 0))


class Browsers:
    """BROWSERS threads, each picking a page at random; plus a trickle of registrations."""

    def __init__(
        self, port: int, sessions: list[int], resources: list[int], tokens: list[str], *, api_port: int
    ) -> None:
        self.port = port
        self.api_port = api_port
        self.kinds = {
            "session list": lambda r: "/sessions/" + ("" if r.random() < 0.5 else f"?page={r.randint(2, 5)}"),
            "session page": lambda r: f"/sessions/{r.choice(sessions)}/",
            "library search": lambda r: "/ressources/?q=" + quote_plus(r.choice(QUERIES)),
            "resource page": lambda r: f"/ressources/{r.choice(resources)}/",
            "dashboard": lambda r: "/tableau-de-bord/",
        }
        self.sessions, self.tokens = sessions, tokens
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.active = threading.Event()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.browse, args=(k,), daemon=True) for k in range(BROWSERS)]
        self.threads.append(threading.Thread(target=self.register, daemon=True))

    def browse(self, k: int) -> None:
        rng = random.Random(k)
        while not self.stop.is_set():
            if not self.active.wait(0.2):
                continue
            kind = rng.choice(list(self.kinds))
            status, ms = get(self.port, self.kinds[kind](rng))
            self.timings[kind].append(ms)
            self.statuses[(kind, status)] += 1
            time.sleep(0.05)  # think time

    def register(self) -> None:
        i = 0
        while not self.stop.is_set():
            if not self.active.wait(0.2):
                continue
            conn = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=60)
            started = time.perf_counter()
            try:
                headers = {"Authorization": f"Bearer {self.tokens[i]}", "Content-Length": "0"}
                conn.request(
                    "POST", f"/api/v1/sessions/{self.sessions[i % len(self.sessions)]}/registrations", headers=headers
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                conn.close()
            self.timings["register"].append((time.perf_counter() - started) * 1000)
            self.statuses[("register", status)] += 1
            i += 1
            time.sleep(1 / TRICKLE_RATE)

    def start(self) -> None:
        for t in self.threads:
            t.start()


def run(vendor: str) -> None:
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    print(f"\n===== {label} =====  (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-load-"))
    if vendor == "postgresql":
        subprocess.run(["dropdb", *SHARED_PG, "--if-exists", "essaim_faults_load"], check=True, capture_output=True)
        subprocess.run(["createdb", *SHARED_PG, "essaim_faults_load"], check=True)
        env = pg_env(workdir, "postgres://postgres@127.0.0.1:5432/essaim_faults_load", REDIS_DB)
    else:
        env = base_env(workdir)
    stack: Stack | None = None
    try:
        seed = prepare(env, groups=[("hot", HOT, HOT_CAPACITY), ("browse", BROWSE_SESSIONS, 20)], agents=AGENTS)
        resources = django_run(env, LIBRARY)["resources"]
        tokens = seed["tokens"]
        print(
            f"prepared {AGENTS} agents with a token, {HOT} sessions of {HOT_CAPACITY} seats for the burst, "
            f"{BROWSE_SESSIONS} more to browse, {len(resources)} public library resources",
            flush=True,
        )
        api_workers = int(os.environ.get("BENCH_API_WORKERS", "2"))
        stack = Stack(env, workdir, api_workers=api_workers)
        stack.start()
        print(
            "pages: gunicorn 4 workers; API: "
            + (f"its own pool of {api_workers} workers at nice 10" if api_workers else "the same pool"),
            flush=True,
        )
        for path in ("/sessions/", "/ressources/?q=atelier", "/tableau-de-bord/"):
            get(stack.port, path)  # warm the caches and the workers
        sampler = Sampler(stack.port)
        # the trickle uses the last 200 agents on the browse sessions; the burst, all agents on the hot ones
        browsers = Browsers(stack.port, seed["groups"]["browse"], resources, tokens[-200:], api_port=stack.api_port)
        sampler.start()
        browsers.start()
        time.sleep(1)

        sampler.phase = "idle"
        time.sleep(PHASE_S)
        sampler.phase = "mixed"
        browsers.active.set()
        time.sleep(PHASE_S)
        browsers.active.clear()
        time.sleep(1)  # the browsers' last requests end

        hot = seed["groups"]["hot"]
        jobs = [(f"/api/v1/sessions/{hot[i % HOT]}/registrations", tokens[i]) for i in range(AGENTS)]
        sampler.phase = "burst"
        out, elapsed = fire_elsewhere(stack.api_client, jobs)
        sampler.phase = "after"
        time.sleep(1)
        sampler.done.set()
        browsers.stop.set()
        sampler.join()

        idle, mixed, burst = (sampler.samples[p] for p in ("idle", "mixed", "burst"))
        for name, values in (("idle", idle), ("mixed browsing", mixed), ("1,000 sign-ups", burst)):
            print(
                f"  /sessions/ while {name:15}: {len(values):4} samples, p50 {pct(values, 0.5):7.1f} ms, "
                f"p95 {pct(values, 0.95):7.1f} ms, max {max(values, default=0):7.1f} ms"
            )
        ratio = pct(burst, 0.95) / pct(idle, 0.95)
        record(label, "session list p50 / p95 idle", f"{pct(idle, 0.5):.1f} / {pct(idle, 0.95):.1f} ms", None)
        record(label, "session list p95 during mixed browsing", f"{pct(mixed, 0.95):.1f} ms", None)
        record(label, "session list p95 during the burst", f"{pct(burst, 0.95):.1f} ms ({len(burst)} samples)", None)
        record(label, "p95 burst / p95 idle <= 3", f"{ratio:.2f}", ratio <= RATIO_TARGET, correctness=False)
        sample_errors = sum(n for s, n in sampler.statuses.items() if s != 200)
        record(label, "sampler: non-200", sample_errors, sample_errors == 0)

        print("  mixed phase, per kind:")
        for kind, values in sorted(browsers.timings.items()):
            codes = {s: n for (k, s), n in browsers.statuses.items() if k == kind}
            print(
                f"    {kind:15} {len(values):4} requests, p50 {pct(values, 0.5):7.1f} ms, "
                f"p95 {pct(values, 0.95):7.1f} ms, HTTP {codes}"
            )
        browse_bad = sum(n for (k, s), n in browsers.statuses.items() if k != "register" and s != 200)
        register_bad = sum(n for (k, s), n in browsers.statuses.items() if k == "register" and s != 201)
        record(label, "mixed: browse requests not 200", browse_bad, browse_bad == 0)
        record(label, "mixed: trickle registrations not 201", register_bad, register_bad == 0)

        burst_outcome(label, Db(env), out, elapsed, hot)
    finally:
        if stack:
            stack.stop()
            log = stack.log_text("gunicorn.log")
            print(f"  server log: {log.count('Traceback')} tracebacks")
        shutil.rmtree(workdir, ignore_errors=True)
        if vendor == "postgresql":
            subprocess.run(["dropdb", *SHARED_PG, "--if-exists", "essaim_faults_load"], check=False)


def fire_elsewhere(client: object, jobs: list[tuple[str, str]]) -> tuple[list, float]:
    """fire() from a forked child at nice 10: the burst's client threads neither hold this
    process's GIL (the sampler's timings) nor outrank the server on the CPU."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()

    def child() -> None:
        os.nice(10)
        results.put(fire(client, jobs, BURST_THREADS))  # type: ignore[arg-type]

    proc = ctx.Process(target=child)
    proc.start()
    out, elapsed = results.get()
    proc.join()
    return out, elapsed


def burst_outcome(label: str, db: Db, out: list, elapsed: float, hot: list[int]) -> None:
    statuses = Counter(s for s, _d, _b in out)
    five_xx = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    print(f"  burst: {len(out)} sign-ups in {elapsed:.2f} s ({len(out) / elapsed:.0f}/s), HTTP {dict(statuses)}")
    record(label, "burst: 201 responses", f"{statuses.get(201, 0)}/{AGENTS}", statuses.get(201, 0) == AGENTS)
    record(label, "burst: 5xx or connection errors", five_xx, five_xx == 0)
    placeholders = ",".join(["%s"] * len(hot))
    rows = db.rows(
        f"SELECT session_id, user_id, status, queue_number FROM training_registration "  # noqa: S608
        f"WHERE session_id IN ({placeholders})",
        tuple(hot),
    )
    answers = [d for _s, d, _b in out if isinstance(d, dict)]
    booked_ok = positions_ok = 0
    for session in hot:
        mine = [r for r in rows if r[0] == session]
        booked = sum(1 for r in mine if r[2] == "booked")
        waiting = sorted(r[3] for r in mine if r[2] == "waitlisted")
        told = sorted(
            d["waiting_list_position"]
            for d in answers
            if d.get("session_id") == session and d.get("status") == "waitlisted"
        )
        expected = list(range(1, len(waiting) + 1))
        booked_ok += booked == HOT_CAPACITY
        positions_ok += told == expected and len(set(waiting)) == len(waiting)
        print(
            f"    session {session}: {len(mine)} registrations, {booked} booked, {len(waiting)} waitlisted, "
            f"positions told {told[:1]}..{told[-1:]} ({len(set(told))} distinct)"
        )
    duplicates = len(rows) - len({(r[0], r[1]) for r in rows})
    record(label, "burst: sessions with booked == capacity", f"{booked_ok}/{len(hot)}", booked_ok == len(hot))
    record(
        label, "burst: sessions whose positions told are 1..n", f"{positions_ok}/{len(hot)}", positions_ok == len(hot)
    )
    record(
        label,
        "burst: registrations in DB / duplicates",
        f"{len(rows)} / {duplicates}",
        len(rows) == AGENTS and duplicates == 0,
    )


def main() -> int:
    started = time.perf_counter()
    for vendor in os.environ.get("BENCH_DATABASES", "postgresql").split(","):
        try:
            run(vendor)
        except Exception as exc:
            import traceback

            traceback.print_exc()
            record(vendor, "run completed", repr(exc), False)
    print(f"\n===== summary ({time.perf_counter() - started:.0f} s) =====")
    table(summary, ("database", "measure", "value", "result"))
    print(f"\ncorrectness failures: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
