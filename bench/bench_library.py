"""Library search benchmark, on SQLite then PostgreSQL.

For each database, in a fresh database (SQLite: a temp file; PostgreSQL: `essaim_library_bench`
on 127.0.0.1:5432, DROPPED and recreated): load the demo resources, generate
LIBRARY_BENCH_SIZE (default 100,000) French resources, time a full reindex, then time the
search the page and the API run (`resource_search`: top 20 with facets and snippets), then
the same through the HTTP API served by granian as in deploy/granian.env:

- p95 through the HTTP API of a top-20 search with facets, worst of a mix of queries ≤ 50 ms;
- p95 of a word present in ≥ 20 % of documents ÷ p95 of a rare word ≤ 3 (HTTP API);
- facet counts and totals equal to a full count made another way (every resource's stems
  in Python), on every query of the mix;
- the relevance set (essaim/library/data/relevance.jsonl) with the generated resources in
  the index: expected resource in the top 10 for ≥ 95 % of queries, ≥ 85 % of their typo
  variants (`relevance.typo_variant`); the figures on the demo resources alone are printed.

Set BENCH_DATABASES=sqlite (or postgresql) to run only one. Prints PASS/FAIL per target;
exits 1 when a target is missed. To measure again without rebuilding the index (a full
reindex takes many minutes): LIBRARY_BENCH_WORKDIR=<a folder kept between runs> for SQLite,
then LIBRARY_BENCH_REUSE=1 (PostgreSQL: the database is then not dropped).
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
PG_DB = os.environ.get("LIBRARY_BENCH_PG_DB", "essaim_library_bench")
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
import http.client, json, os, random, statistics, subprocess, sys, time, urllib.parse
import django
django.setup()
from collections import Counter
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from essaim.library import search, text as ftext, vocabulary
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
reuse = os.environ.get("LIBRARY_BENCH_REUSE") == "1" and Resource.objects.count() > b.SIZE
for slug in b.DEMO_ORGANISATIONS:
    Organisation.objects.get_or_create(slug=slug, defaults={"name": slug, "kind": "partner"})
out["relevance_demo"] = None  # the demo resources alone: only measured on a fresh index
if not reuse:
    demo_library_load()
    outcomes = relevance_run()
    out["relevance_demo"] = sum(o.found for o in outcomes) / len(outcomes)
    out["missed_demo"] = [o.query for o in outcomes if not o.found]
    typos = relevance_run(typos=True)
    out["typos_demo"] = sum(o.found for o in typos) / len(typos)
rng = random.Random(2026)
now = timezone.now()
t0 = time.perf_counter()
batch = []
types = [c for c, _ in Resource.Type.choices]
for i in range(0 if reuse else b.SIZE):
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
out["indexed"] = Resource.objects.published().count() if reuse else library_reindex()
out["reindex_s"] = None if reuse else time.perf_counter() - t0
with connection.cursor() as c:
    if connection.vendor == "postgresql":
        c.execute("VACUUM ANALYZE")
    else:
        c.execute("ANALYZE")
        c.execute("INSERT INTO library_search_fts(library_search_fts) VALUES ('optimize')")
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
total = Resource.objects.count()
out["documents"] = total
common_docs = Resource.objects.filter(body__contains=b.COMMON_WORD).count()
out["common_share"] = common_docs / total
anonymous = AnonymousUser()

# Facet counts and totals against a full count made another way: every public resource's
# stems computed here, the query planned by vocabulary.plan, matched and counted in Python.
t0 = time.perf_counter()
documents = []
FIELDS = ("type", "licence", "audience", "language")
visible = Resource.objects.visible_to(anonymous).only("pk", "title", "summary", "body", "themes", *FIELDS,
    "organisation_id")
for r in visible.iterator(chunk_size=2000):
    text = " ".join([r.title, r.summary, ftext.html_to_text(r.body), " ".join(r.themes or [])])
    stems = {search.clean_stem(ftext.stem(w)) for w in ftext.document_words(text)}
    documents.append((stems, {**{f: getattr(r, f) for f in FIELDS}, "organisation": str(r.organisation_id or "")}))
facet_checks = []
for q in b.MIXED_QUERIES:
    planned = vocabulary.plan(q, frequencies=search.stem_frequencies, nearest=search.nearest)
    def hit(stems, any_word):
        found = [any(all(s in stems for s in a) for a in g) for g in planned.groups]
        return any(found) if any_word else all(found)
    matched = [f for st, f in documents if hit(st, False)]
    if not matched and len(planned.groups) > 1:
        matched = [f for st, f in documents if hit(st, True)]
    expected = {name: Counter(f[name] for f in matched if f[name]) for name in (*FIELDS, "organisation")}
    page = resource_search(user=anonymous, query=q, page_size=20)
    got = {name: Counter({v.value: v.count for v in page.facets.get(name, [])}) for name in expected}
    equal = got == expected and page.total == len(matched)
    facet_checks.append({"query": q, "full": len(matched), "page": page.total, "equal": equal})
out["facet_checks"] = facet_checks
out["full_count_s"] = time.perf_counter() - t0

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
outcomes = relevance_run()
out["relevance"] = sum(o.found for o in outcomes) / len(outcomes)
out["relevance_cases"] = len(outcomes)
out["missed"] = [o.query for o in outcomes if not o.found]
typos = relevance_run(typos=True)
out["typos"] = sum(o.found for o in typos) / len(typos)
out["typo_cases"] = len(typos)
out["typos_missed"] = [o.query for o in typos if not o.found]
connection.close()

# Through the HTTP API, in the production server shape (deploy/granian.env: granian WSGI,
# 2 processes x 4 threads), one client, keep-alive: top 20 with facets.
port = int(os.environ.get("BENCH_PORT", "8719"))
server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
    "--port", str(port), "--workers", "2", "--blocking-threads", "4", "--no-ws", "--log-level", "warning",
    "essaim.wsgi:application"], env=os.environ.copy())
try:
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/v1/resources?q=jury")
            resp = conn.getresponse(); resp.read()
            if resp.status == 200:
                break
        except OSError:
            time.sleep(0.2)
    def api(query):
        conn.request("GET", "/api/v1/resources?" + urllib.parse.urlencode({"q": query}))
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, (resp.status, body[:200])
        return json.loads(body)
    for q in b.MIXED_QUERIES + [b.COMMON_WORD, b.RARE_WORD]:
        for _ in range(4):
            api(q)  # warm both processes
    http_mixed = []
    for q in b.MIXED_QUERIES + [b.COMMON_WORD, b.RARE_WORD]:
        samples = []
        for _ in range(b.REPEAT):
            t = time.perf_counter()
            data = api(q)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        http_mixed.append({"query": q, "p95_ms": samples[int(len(samples) * 0.95) - 1], "results": data["count"]})
    out["http"] = http_mixed
finally:
    server.terminate()
    server.wait(timeout=30)
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
    reuse = os.environ.get("LIBRARY_BENCH_REUSE") == "1"
    kept = os.environ.get("LIBRARY_BENCH_WORKDIR", "")
    workdir = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="essaim-bench-lib-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "ESSAIM_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "BENCH_DIR": str(Path(__file__).resolve().parent),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        # One client asking 60 times per query: the per-address API limits would answer 429.
        "API_ANON_RATE": "1000000/m",
        "API_AUTH_RATE": "1000000/m",
    }
    env.pop("REDIS_URL", None)
    if vendor == "postgresql":
        env["DATABASE_URL"] = PG_URL
        pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        if not reuse:
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
        + (
            f"full reindex of {r['indexed']:,} resources: {r['reindex_s']:.1f} s; "
            if r["reindex_s"] is not None
            else f"index of {r['indexed']:,} resources reused (LIBRARY_BENCH_REUSE); "
        )
        + f"'{COMMON_WORD}' in {r['common_share']:.0%} of documents; run {time.perf_counter() - started:.0f} s"
    )
    for m in r["mixed"]:
        capped = " (ranking not certified)" if m["capped"] else ""
        print(f"    in-process {m['query']!r:28} p95 {m['p95_ms']:6.1f} ms  {m['results']:>6} results{capped}")
    for m in r["http"]:
        print(f"    HTTP API   {m['query']!r:28} p95 {m['p95_ms']:6.1f} ms  {m['results']:>6} results")
    rows = []
    mix = [m for m in r["http"] if m["query"] in MIXED_QUERIES]
    worst = max(m["p95_ms"] for m in mix)
    rows.append(
        (
            label,
            f"p95 HTTP API top-20 + facets (granian), worst of {len(mix)} queries ≤ 50 ms: {worst:.1f} ms",
            worst <= 50,
        )
    )
    by_query = {m["query"]: m["p95_ms"] for m in r["http"]}
    common, rare = by_query[COMMON_WORD], by_query[RARE_WORD]
    ratio = common / rare
    rows.append(
        (
            label,
            f"p95 HTTP common word ({r['common_share']:.0%} of docs) {common:.1f} ms ÷ rare word {rare:.1f} ms "
            f"≤ 3: {ratio:.2f}",
            ratio <= 3 and r["common_share"] >= 0.2,
        )
    )
    wrong = [c["query"] for c in r["facet_checks"] if not c["equal"]]
    rows.append(
        (
            label,
            f"facet counts and totals equal to a full count on {len(r['facet_checks'])} queries "
            f"(full count {r['full_count_s']:.0f} s): {'all equal' if not wrong else 'DIFFER: ' + ', '.join(wrong)}",
            not wrong,
        )
    )
    rows.append(
        (
            label,
            f"relevance with {SIZE:,} generated resources in the index: top 10 ≥ 95 % of {r['relevance_cases']} "
            f"queries: {r['relevance']:.1%} (missed: {', '.join(r['missed']) or 'none'})",
            r["relevance"] >= 0.95,
        )
    )
    rows.append(
        (
            label,
            f"typo variants, same index: top 10 ≥ 85 % of {r['typo_cases']}: {r['typos']:.1%} "
            f"(missed: {', '.join(r['typos_missed']) or 'none'})",
            r["typos"] >= 0.85,
        )
    )
    if r["relevance_demo"] is not None:
        print(
            f"  (information) on the {r['documents'] - SIZE} demo resources alone: relevance {r['relevance_demo']:.1%} "
            f"(missed: {', '.join(r['missed_demo']) or 'none'}), typo variants {r['typos_demo']:.1%}"
        )
    if r["reindex_s"] is not None:
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
