"""Backup drill under load, on SQLite then PostgreSQL: `manage.py backup` while agents keep
registering, then `manage.py restore` into a fresh database (a new file; a new database
name), and checks that
- the restored database's row count of every table equals the backup's manifest (the
  backup is one consistent snapshot, even though registrations went on during it), and
  the restored tables agree with a direct count;
- every registration acknowledged (HTTP 201) before the backup started is in the restored
  database, with the status the agent was told.
Prints backup time and size, restore time, the tables and rows checked.

The database is padded with BENCH_BACKUP_PAD_MB (default 24) of audit history so that it is
larger than one SQLite backup step of 4,096 pages. PostgreSQL: the databases
essaim_faults_backup and essaim_faults_restored on 127.0.0.1:5432 are dropped and created
again (the shared cluster is never stopped); Redis db 8. Exits 1 when a check fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED_PG, Db, RegistrationLoad, Stack, base_env, django_run, pg_env, prepare, table

REDIS_DB = 8
AGENTS = 400
SESSIONS = 40
CAPACITY = 10
RATE = 25.0  # registrations per second, about 32 s of load for 800
BACKUP_AT = 8.0
PAD_MB = int(os.environ.get("BENCH_BACKUP_PAD_MB", "24"))

summary: list[tuple[str, str, str, str]] = []
wrong = 0

PAD = """
from essaim.core.models import AuditEntry
blob = "x" * 4000
rows = {mb} * 1_000_000 // 4200
for first in range(0, rows, 2000):
    AuditEntry.objects.bulk_create([AuditEntry(action="bench.padding", summary="padding", changes={{"blob": blob}})
                                    for _ in range(min(2000, rows - first))])
print(json.dumps({{"rows": rows}}))
"""

COUNT = """
from essaim.core.backup import _count, _tables
from django.db import connection
with connection.cursor() as cursor:
    print(json.dumps(_count(cursor, _tables())))
"""


def record(db: str, what: str, value: object, ok: bool | None = True) -> None:
    global wrong
    if ok is False:
        wrong += 1
    summary.append((db, what, str(value), "" if ok is None else ("PASS" if ok else "FAIL")))


def manage(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    return proc, time.perf_counter() - started


def inner(proc: subprocess.CompletedProcess) -> str:
    """The time the command reports for its own work (without Python and Django start-up)."""
    found = re.search(r" in ([0-9.]+) s;", proc.stdout)
    return f"{found.group(1)} s" if found else "?"


def drill(vendor: str) -> None:
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    print(f"\n===== {label} =====", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-backup-"))
    restored_dir = workdir / "restored"
    restored_dir.mkdir()
    if vendor == "postgresql":
        for name in ("essaim_faults_backup", "essaim_faults_restored"):
            subprocess.run(["dropdb", *SHARED_PG, "--if-exists", name], check=True)
            subprocess.run(["createdb", *SHARED_PG, name], check=True)
        env = pg_env(workdir, "postgres://postgres@127.0.0.1:5432/essaim_faults_backup", REDIS_DB)
        restored_env = {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/essaim_faults_restored"}
        backup_path = workdir / "essaim.dump"
    else:
        env = base_env(workdir)
        restored_env = {**env, "ESSAIM_VAR_DIR": str(restored_dir)}
        backup_path = workdir / "backup" / "essaim.sqlite3"
    restored_env["REDIS_URL"] = ""  # the restore must not touch the live queue
    stack: Stack | None = None
    try:
        seed = prepare(env, groups=[("drill", SESSIONS, CAPACITY)], agents=AGENTS)
        padded = django_run(env, PAD.format(mb=PAD_MB))
        print(
            f"prepared {AGENTS} agents, {SESSIONS} sessions of {CAPACITY} seats, {padded['rows']:,} audit rows "
            f"of padding (~{PAD_MB} MB)",
            flush=True,
        )
        stack = Stack(env, workdir)
        stack.start()
        sessions = seed["groups"]["drill"]
        jobs = [(sessions[(agent + k * 13) % SESSIONS], agent) for agent in range(AGENTS) for k in range(2)]
        load = RegistrationLoad(stack.client, seed["tokens"], jobs, rate=RATE, threads=12)
        load.start()
        time.sleep(BACKUP_AT)
        backup_started = time.perf_counter() - load.t0
        acked_before = [o for o in load.acknowledged() if min(t for t, s in o.attempts if s == 201) < backup_started]
        proc, backup_s = manage(env, "backup", "--output", str(backup_path))
        backup_ended = time.perf_counter() - load.t0
        print(f"  {backup_started:.1f} s: {proc.stdout.strip() or proc.stderr.strip()[-500:]}", flush=True)
        during = sum(
            1
            for o in load.acknowledged()
            if backup_started <= min(t for t, s in o.attempts if s == 201) <= backup_ended
        )
        elapsed = load.join()
        acked = load.acknowledged()
        print(
            f"  load: {len(acked)}/{len(jobs)} acknowledged in {elapsed:.1f} s, {during} during the backup, "
            f"{len(acked_before)} before it",
            flush=True,
        )
        record(label, "backup command exit code", proc.returncode, proc.returncode == 0)
        if proc.returncode:
            return
        size = backup_path.stat().st_size
        record(
            label, "backup time under load (command / whole manage.py run)", f"{inner(proc)} / {backup_s:.2f} s", None
        )
        record(label, "backup size", f"{size / 1_000_000:.1f} MB", None)
        record(label, "registrations acknowledged while manage.py backup ran", during, None)
        manifest = json.loads(Path(f"{backup_path}.json").read_text())["counts"]

        if vendor == "sqlite":
            django_run(restored_env, "print(json.dumps(None))")  # settings create the new var dir, nothing else
        proc, restore_s = manage(restored_env, "restore", str(backup_path), "--yes")
        print(f"  restore: {(proc.stdout + proc.stderr).strip()[-800:]}", flush=True)
        record(label, "restore into a fresh database: exit code", proc.returncode, proc.returncode == 0)
        record(label, "restore time (command / whole manage.py run)", f"{inner(proc)} / {restore_s:.2f} s", None)
        restored = django_run(restored_env, COUNT)
        differing = {t: (n, restored.get(t)) for t, n in manifest.items() if restored.get(t) != n}
        record(
            label,
            "tables: restored row counts == manifest",
            f"{len(manifest) - len(differing)}/{len(manifest)} tables, {sum(manifest.values()):,} rows",
            not differing,
        )
        if differing:
            print(f"  differing tables: {differing}")
        live = django_run(env, COUNT)
        print(
            f"  live database now: {live.get('training_registration')} registrations; backup: "
            f"{manifest.get('training_registration')}; restored: {restored.get('training_registration')}"
        )
        rows = Db(restored_env).rows("SELECT id, status FROM training_registration")
        by_id = dict(rows)
        missing = sum(1 for o in acked_before if o.body["id"] not in by_id)
        changed = sum(1 for o in acked_before if by_id.get(o.body["id"], o.body["status"]) != o.body["status"])
        record(
            label,
            "acknowledged before the backup: missing after restore",
            f"{missing} of {len(acked_before)}",
            missing == 0,
        )
        record(label, "acknowledged before the backup: other status after restore", changed, changed == 0)
        newer = sum(1 for o in acked if o.body["id"] not in by_id)
        record(label, "registrations made after the backup (not in it)", newer, None)
    finally:
        if stack:
            stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if vendor == "postgresql":
            for name in ("essaim_faults_backup", "essaim_faults_restored"):
                subprocess.run(["dropdb", *SHARED_PG, "--if-exists", name], check=False)


def main() -> int:
    started = time.perf_counter()
    for vendor in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(","):
        try:
            drill(vendor)
        except Exception as exc:
            import traceback

            traceback.print_exc()
            record(vendor, "drill completed", repr(exc), False)
    print(f"\n===== summary ({time.perf_counter() - started:.0f} s) =====")
    table(summary, ("database", "check", "value", "result"))
    print(f"\ncorrectness failures: {wrong}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
