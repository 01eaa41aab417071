"""Library search benchmark, on SQLite then PostgreSQL.

For each database, in a fresh database (SQLite: a temp file; PostgreSQL: `essaim_library_bench`
on 127.0.0.1:5432, DROPPED and recreated): load the demo resources, generate
LIBRARY_BENCH_SIZE (default 100,000) French resources, time a full reindex, then time the
search the page and the API run (`resource_search`: top 20 with facets and snippets):

- p95 of a top-20 search over a mix of queries ≤ 50 ms;
- p95 of a word present in ≥ 20 % of documents ÷ p95 of a rare word ≤ 4 (the candidate set
  is bounded: ranking every match is the trap);
- the relevance set (essaim/library/data/relevance.jsonl): expected resource in the top 10
  for ≥ 90 % of queries on the demo resources (the target); the same share once the
  generated resources share the index is printed for information (with a common word,
  only the bounded candidate set is ranked, see ADR 0020).

Set BENCH_DATABASES=sqlite (or postgresql) to run only one. Prints PASS/FAIL per target;
exits 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_DB = "essaim_library_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
SIZE = int(os.environ.get("LIBRARY_BENCH_SIZE", "100000"))
REPEAT = int(os.environ.get("LIBRARY_BENCH_REPEAT", "60"))  # runs per query; p95 over them

COMMON_WORD = "participation"  # in 30 % of generated documents
RARE_WORD = "quinconce"  # in 5 documents
MIXED_QUERIES = [
    "participation",
    "quinconce",
    "concertation citoyenne",
    "ateliers",
    "délibérer",
    "co-construction",
    "budget participatif",
    "usagers services publics",
    "evaluation",
    "jury",
]
WORDS = [
    "agent",
    "service",
    "public",
    "usager",
    "administration",
    "territoire",
    "commune",
    "département",
    "région",
    "préfecture",
    "projet",
    "atelier",
    "réunion",
    "groupe",
    "équipe",
    "collectif",
    "méthode",
    "outil",
    "démarche",
    "processus",
    "étape",
    "calendrier",
    "objectif",
    "résultat",
    "bilan",
    "synthèse",
    "proposition",
    "avis",
    "décision",
    "arbitrage",
    "débat",
    "échange",
    "dialogue",
    "concertation",
    "consultation",
    "écoute",
    "expression",
    "contribution",
    "idée",
    "question",
    "réponse",
    "enjeu",
    "problème",
    "solution",
    "action",
    "habitant",
    "citoyen",
    "élu",
    "association",
    "partenaire",
    "acteur",
    "réseau",
    "communauté",
    "jeunesse",
    "quartier",
    "ville",
    "village",
    "campagne",
    "transport",
    "mobilité",
    "logement",
    "santé",
    "éducation",
    "école",
    "culture",
    "sport",
    "environnement",
    "climat",
    "énergie",
    "eau",
    "déchet",
    "alimentation",
    "agriculture",
    "emploi",
    "économie",
    "budget",
    "finances",
    "numérique",
    "données",
    "information",
    "communication",
    "transparence",
    "confiance",
    "engagement",
    "responsabilité",
    "qualité",
    "innovation",
    "expérimentation",
    "prototype",
    "test",
    "évaluation",
    "mesure",
    "indicateur",
    "impact",
    "suivi",
    "rapport",
    "formation",
    "apprentissage",
    "compétence",
    "pratique",
    "expérience",
    "savoir",
    "connaissance",
    "posture",
    "animation",
    "facilitation",
    "médiation",
    "coopération",
    "co-construction",
    "intelligence",
    "collective",
    "délibération",
    "vote",
]
VERBS = [
    "organiser",
    "animer",
    "préparer",
    "construire",
    "partager",
    "proposer",
    "décider",
    "débattre",
    "écouter",
    "évaluer",
    "suivre",
    "former",
    "accompagner",
    "faciliter",
    "consulter",
    "informer",
    "associer",
    "mobiliser",
    "impliquer",
    "restituer",
    "améliorer",
]


def generate(rng: random.Random, index: int) -> dict:
    def phrase(n: int) -> str:
        parts = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(VERBS))
        return " ".join(parts)

    title = phrase(5).capitalize()
    summary = phrase(18).capitalize() + "."
    body = " ".join(phrase(14).capitalize() + "." for _ in range(5))
    if index % 10 < 3:
        body += f" La {COMMON_WORD} des habitants."
    if index % (SIZE // 5 or 1) == 7:
        body += f" Disposition en {RARE_WORD}."
    return {"title": title, "summary": summary, "body": f"<p>{body}</p>"}


INNER = r"""
import json, os, random, statistics, sys, time
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from essaim.library.demo import demo_library_load
from essaim.library.models import Resource
from essaim.library.relevance import relevance_run
from essaim.library.selectors import resource_search
from essaim.library.services import library_reindex
from essaim.organisations.models import Organisation
sys.path.insert(0, os.environ["BENCH_DIR"])
import bench_library as b

out = {}
call_command("migrate", verbosity=0)
for slug in b.DEMO_ORGANISATIONS:
    Organisation.objects.get_or_create(slug=slug, defaults={"name": slug, "kind": "partner"})
demo_library_load()
outcomes = relevance_run()
out["relevance_demo"] = sum(o.found for o in outcomes) / len(outcomes)
out["missed_demo"] = [o.query for o in outcomes if not o.found]
rng = random.Random(2026)
now = timezone.now()
t0 = time.perf_counter()
batch = []
types = [c for c, _ in Resource.Type.choices]
for i in range(b.SIZE):
    doc = b.generate(rng, i)
    batch.append(Resource(slug=f"bench-{i}", status="published", visibility="public" if i % 4 else "agents",
        type=types[i % len(types)], published_at=now, **doc))
    if len(batch) == 2000:
        Resource.objects.bulk_create(batch)
        batch = []
if batch:
    Resource.objects.bulk_create(batch)
out["generate_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
out["indexed"] = library_reindex()
out["reindex_s"] = time.perf_counter() - t0
if connection.vendor == "postgresql":
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE library_resource")
else:
    with connection.cursor() as c:
        c.execute("ANALYZE")
        c.execute("INSERT INTO library_resource_fts(library_resource_fts) VALUES ('optimize')")
        c.execute("INSERT INTO library_resource_title_fts(library_resource_title_fts) VALUES ('optimize')")
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
total = Resource.objects.count()
out["documents"] = total
common_docs = Resource.objects.filter(body__contains=b.COMMON_WORD).count()
out["common_share"] = common_docs / total
anonymous = AnonymousUser()

def timed(query):
    samples = []
    for _ in range(b.REPEAT):
        t = time.perf_counter()
        page = resource_search(user=anonymous, query=query, page_size=20)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[int(len(samples) * 0.95) - 1], page.total, page.capped

for q in b.MIXED_QUERIES:
    resource_search(user=anonymous, query=q)  # warm
mixed = []
for q in b.MIXED_QUERIES:
    p95, n, capped = timed(q)
    mixed.append({"query": q, "p95_ms": p95, "results": n, "capped": capped})
out["mixed"] = mixed
out["common"] = timed(b.COMMON_WORD)
out["rare"] = timed(b.RARE_WORD)
outcomes = relevance_run()
out["relevance"] = sum(o.found for o in outcomes) / len(outcomes)
out["relevance_cases"] = len(outcomes)
out["missed"] = [o.query for o in outcomes if not o.found]
print("RESULT " + json.dumps(out))
"""

DEMO_ORGANISATIONS = (
    "ditp",
    "dgfip",
    "ti-lab",
    "lab-aura",
    "democratie-ouverte",
    "decider-ensemble",
    "institut-de-la-concertation",
)


def run(vendor: str) -> list[tuple[str, str, bool]]:
    label = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    print(f"\n===== {label} ({SIZE:,} generated resources + demo) =====", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="essaim-bench-lib-"))
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "BENCH_DIR": str(Path(__file__).resolve().parent),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if vendor == "postgresql":
        env["DATABASE_URL"] = PG_URL
        pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)
        subprocess.run(["createdb", *pg, PG_DB], check=True)
    else:
        env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", INNER], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-5000:])
        return [(label, "run completed", False)]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    r = json.loads(line.removeprefix("RESULT "))
    print(
        f"  {r['documents']:,} resources; generated in {r['generate_s']:.1f} s; "
        f"full reindex of {r['indexed']:,} resources: {r['reindex_s']:.1f} s; "
        f"'{COMMON_WORD}' in {r['common_share']:.0%} of documents; run {time.perf_counter() - started:.0f} s"
    )
    for m in r["mixed"]:
        capped = " (capped candidate set)" if m["capped"] else ""
        print(f"    {m['query']!r:32} p95 {m['p95_ms']:6.1f} ms  {m['results']:>6} results{capped}")
    rows = []
    worst = max(m["p95_ms"] for m in r["mixed"])
    rows.append((label, f"p95 top-20 search, worst of {len(r['mixed'])} queries ≤ 50 ms: {worst:.1f} ms", worst <= 50))
    common, rare = r["common"][0], r["rare"][0]
    ratio = common / rare
    rows.append(
        (
            label,
            f"p95 common word ({r['common_share']:.0%} of docs) {common:.1f} ms ÷ rare word {rare:.1f} ms "
            f"≤ 4: {ratio:.2f}",
            ratio <= 4 and r["common_share"] >= 0.2,
        )
    )
    rows.append(
        (
            label,
            f"relevance on the {r['documents'] - SIZE} demo resources: expected resource in top 10 ≥ 90 % of "
            f"{r['relevance_cases']} queries: {r['relevance_demo']:.0%} "
            f"(missed: {', '.join(r['missed_demo']) or 'none'})",
            r["relevance_demo"] >= 0.9,
        )
    )
    print(
        f"  (information) the same queries once {SIZE:,} generated resources share the index: {r['relevance']:.0%} "
        f"(missed: {', '.join(r['missed']) or 'none'})"
    )
    rows.append((label, f"full reindex time (printed): {r['reindex_s']:.1f} s for {r['indexed']:,}", True))
    for _label, text, ok in rows:
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}", flush=True)
    return rows


def main() -> int:
    started = time.perf_counter()
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    print(f"library bench: LIBRARY_BENCH_SIZE={SIZE}, {REPEAT} runs per query, databases {','.join(wanted)}")
    rows: list[tuple[str, str, bool]] = []
    for vendor in ("sqlite", "postgresql"):
        if vendor in wanted:
            rows += run(vendor)
    print(f"\n===== summary ({time.perf_counter() - started:.0f} s) =====")
    for label, text, ok in rows:
        print(f"{label:11} {'PASS' if ok else 'FAIL':5} {text}")
    return 0 if all(ok for _l, _t, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
