"""Credentials benchmark: bulk issue of attestations (PDF) and Open Badges (signed VC-JWT).

Prepares a temporary embedded (SQLite) database with 1,750 completions, then issues in
three fresh processes batches of 250, 500 and 1,000: each credential is issued through the
service (snapshot, ES256 signature, database row, audit entry) and its attestation PDF
rendered. Prints credentials per second (target >= 10/s on the 1,000 batch) and the peak
memory (peak RSS) of each process, which must stay flat as the batch grows: nothing
accumulates per credential.

Set BENCH_DATABASES=postgresql to run on PostgreSQL (database essaim_bench_credentials on
127.0.0.1:5432, created for the run and dropped after) instead of SQLite. Figures on this
2-core machine: about 58/s on SQLite, 18/s on PostgreSQL (one durable transaction each).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCHES = [250, 500, 1_000]
TARGET_PER_S = 10.0
FLAT_MARGIN_MB = 25.0  # peak RSS of the 1,000 batch may exceed the 250 batch's by this much

PREPARE = """
import datetime as dt
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from essaim.accounts.models import User
from essaim.catalogue.models import Course, CourseOutcome
from essaim.framework.models import Competency, FrameworkVersion, Level
from essaim.organisations.models import Organisation
from essaim.training.models import Completion, Session, SessionSlot

total = {total}
fw = FrameworkVersion.objects.create(
    version="bench", title="Référentiel", status="published", published_at=timezone.now()
)
levels = [Level.objects.create(framework=fw, rank=i, code=f"n{{i}}", name=f"Niveau {{i}}") for i in (1, 2, 3)]
course = Course.objects.create(code="bench", title="Facilitation : les fondamentaux", summary="Résumé",
                               duration_half_days=4, framework=fw, status="published")
for i in range(3):
    c = Competency.objects.create(framework=fw, code=f"c{{i}}", name=f"Compétence {{i}}")
    CourseOutcome.objects.create(course=course, competency=c, level=levels[i])
org = Organisation.objects.create(name="Ministère", slug="ministere", kind="ministry", path="/")
start = timezone.now() - dt.timedelta(days=30)
outcomes = [{{"competency": f"c{{i}}", "level": f"n{{i + 1}}", "level_rank": i + 1}} for i in range(3)]
users = User.objects.bulk_create(
    [User(email=f"bench{{i}}@exemple.gouv.fr", given_name="Agent", usual_name=f"N{{i}}") for i in range(total)]
)
completions = []
for offset in range(0, total, 25):
    session = Session.objects.create(course=course, organiser=org, capacity=25, format="in_person",
                                     status="done", starts_at=start, ends_at=start + dt.timedelta(hours=7))
    morning = SessionSlot(session=session, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    afternoon = SessionSlot(
        session=session, starts_at=start + dt.timedelta(hours=4), ends_at=start + dt.timedelta(hours=7)
    )
    SessionSlot.objects.bulk_create([morning, afternoon])
    completions += [Completion(user=u, course=course, session=session, framework=fw, completed_at=start,
                               attendance_rate=100, outcomes=outcomes) for u in users[offset:offset + 25]]
Completion.objects.bulk_create(completions)
print(json.dumps({{"completions": Completion.objects.count()}}))
"""

ISSUE = """
import gc, resource, time
from essaim.credentials.selectors import credential_attestation_pdf
from essaim.credentials.services import credential_issue
from essaim.training.models import Completion

ids = list(Completion.objects.filter(credential__isnull=True).order_by("pk").values_list("pk", flat=True)[:{size}])
# Warm up: the signing key is generated and loaded once, before timing.
from essaim.credentials.keys import current_signing_key
current_signing_key()
gc.collect()
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
pdf_bytes = 0
for completion in Completion.objects.filter(pk__in=ids).iterator(chunk_size=100):
    credential = credential_issue(completion=completion)
    pdf_bytes += len(credential_attestation_pdf(credential))
elapsed = time.perf_counter() - started
print(json.dumps({{"issued": len(ids), "seconds": elapsed,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_before_mb": rss_before / 1024, "pdf_kb": pdf_bytes / 1024 / max(len(ids), 1)}}))
"""


def django_run(env: dict[str, str], code: str) -> dict:
    prelude = "import django, json\ndjango.setup()\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    database = os.environ.get("BENCH_DATABASES", "sqlite")
    with tempfile.TemporaryDirectory(prefix="essaim-bench-credentials-") as tmp:
        env = {
            **os.environ,
            "ESSAIM_ENV": "development",
            "DEBUG": "false",  # DEBUG keeps every query in memory: not what production runs
            "ESSAIM_VAR_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "essaim.settings",
            "HUEY_IMMEDIATE": "false",
            "CREDENTIALS_SIGNING_KEY": "",
            "CREDENTIALS_KEY_DIR": str(Path(tmp) / "keys"),
            "DATABASE_URL": "",
        }
        if database == "postgresql":
            url = "postgres://postgres@127.0.0.1:5432/essaim_bench_credentials"
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", url.rsplit("/", 1)[1]],
                stderr=subprocess.DEVNULL,
            )
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", url.rsplit("/", 1)[1]], check=True)
            env["DATABASE_URL"] = url
        print(f"  database: {database}; preparing {sum(BATCHES)} completions…", flush=True)
        django_run(env, PREPARE.format(total=sum(BATCHES)))
        runs = []
        for size in BATCHES:
            run = django_run(env, ISSUE.format(size=size))
            rate = run["issued"] / run["seconds"]
            runs.append({**run, "rate": rate})
            print(
                f"  batch {size:>5}: {rate:6.1f} credentials/s ({run['seconds']:.1f} s), "
                f"peak RSS {run['peak_rss_mb']:.1f} MB, "
                f"PDF {run['pdf_kb']:.1f} KB each",
                flush=True,
            )
        if database == "postgresql":
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "essaim_bench_credentials"])
    ok_count = all(r["issued"] == size for r, size in zip(runs, BATCHES, strict=True))
    rate_ok = runs[-1]["rate"] >= TARGET_PER_S
    flat_ok = runs[-1]["peak_rss_mb"] - runs[0]["peak_rss_mb"] <= FLAT_MARGIN_MB
    print(f"  [{'PASS' if ok_count else 'FAIL'}] every completion issued once: {[r['issued'] for r in runs]}")
    print(f"  [{'PASS' if rate_ok else 'FAIL'}] throughput >= {TARGET_PER_S:.0f}/s: {runs[-1]['rate']:.1f}/s")
    print(
        f"  [{'PASS' if flat_ok else 'FAIL'}] peak memory flat 250 -> 1,000: "
        + " -> ".join(f"{r['peak_rss_mb']:.1f}" for r in runs)
        + " MB (peak RSS)"
    )
    return 0 if ok_count else 1


if __name__ == "__main__":
    sys.exit(main())
