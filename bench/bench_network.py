"""Network benchmark: directory search and request matching on PostgreSQL with many accounts.

Creates the database `essaim_network_bench` (DROPPED and recreated), migrates it, then
fills it in SQL (generate_series): BENCH_NETWORK_ACCOUNTS accounts (default 1,000,000;
the issue's figure), one in five trained with a directory profile (nine in ten of those
consenting, three skills each), 5,000 past requests and 50,000 invitations spread over 18
months. Then, in one Django process, times the selectors the pages and API call:

- directory search: count (capped at 200, as the page does) + one page of 20 + its skills,
  over a mix of filters;
- request matching: `request_candidates` (pool of 200 ranked in SQL + the load count).

Set BENCH_NETWORK_KEEP=1 to keep the database afterwards (to EXPLAIN). Prints p50/p95 and
PASS/FAIL against the targets (search ≤ 100 ms, matching ≤ 200 ms), and
checks that each selector's query count does not depend on the filters or data size.
Completions themselves are not generated: the directory reads its skill copies
(`DirectorySkill`), which `directory_profile_refresh` writes from completions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "essaim_network_bench"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
ACCOUNTS = int(os.environ.get("BENCH_NETWORK_ACCOUNTS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_NETWORK_ROUNDS", "200"))
SEARCH_TARGET_MS = 100.0
MATCHING_TARGET_MS = 200.0

FILL = """
INSERT INTO organisations_organisation (name, short_name, slug, kind, path, siret, website, description, is_active,
    created_at, updated_at)
SELECT 'Ministère banc ' || g, '', 'ministere-banc-' || g, 'ministry', '', '', '', '', true, now(), now()
FROM generate_series(1, 20) g;
UPDATE organisations_organisation SET path = '/' || id || '/' WHERE slug LIKE 'ministere-banc-%';

INSERT INTO accounts_user (password, is_superuser, email, given_name, usual_name, auth_source, proconnect_uid,
    proconnect_idp_id, organisation_id, unit, region_id, preferred_language, mute_optional_notifications, is_active,
    is_staff, date_joined)
SELECT '!', false, 'banc' || g || '@banc.gouv.fr', 'Agent', 'Banc ' || g, 'local', '', '',
    m.ids[((g / 5) % 20) + 1], '', NULL, 'fr', false, true, false, now()
FROM generate_series(1, %(accounts)s) g,
     (SELECT array_agg(id ORDER BY id) ids FROM organisations_organisation WHERE slug LIKE 'ministere-banc-%%') m;

WITH d AS (SELECT array_agg(code ORDER BY code) codes, array_agg(region_id ORDER BY code) regions, count(*) n
           FROM organisations_departement)
INSERT INTO network_directoryprofile (user_id, consent, consented_at, availability, languages, bio, region_id,
    departement_id, ministry_id, practice_count, refreshed_at, updated_at)
SELECT u.id, (u.id / 5) %% 10 <> 0, now(),
    CASE u.id %% 7 WHEN 0 THEN 'unavailable' WHEN 1 THEN 'limited' ELSE 'available' END,
    'français', '', d.regions[(u.id %% d.n) + 1], d.codes[(u.id %% d.n) + 1], u.organisation_id,
    (u.id * 7919) %% 40, now(), now()
FROM accounts_user u, d WHERE u.email LIKE '%%@banc.gouv.fr' AND u.id %% 5 = 0;

INSERT INTO network_directoryskill (profile_id, competency_code, competency_name, level_rank, region_id_copy,
    departement_id_copy, ministry_id_copy, availability, practice_count, last_invited_at)
SELECT p.id, 'c' || ((p.id + k * 5) %% 12), 'Compétence ' || ((p.id + k * 5) %% 12), 1 + (p.id * 31 + k) %% 4,
    p.region_id, p.departement_id, p.ministry_id, p.availability, p.practice_count, '2000-01-01 00:00+00'
FROM network_directoryprofile p, generate_series(0, 2) k WHERE p.consent;

INSERT INTO network_facilitationrequest (requester_id, topic, date, is_remote, place, region_id, departement_id,
    competency_code, competency_name, audience_size, status, created_at)
SELECT (SELECT min(id) FROM accounts_user) + g, 'Atelier ' || g, current_date - (g %% 540), false, '', NULL, NULL,
    'c' || (g %% 12), 'Compétence', 30, 'closed', now() - ((g %% 540) || ' days')::interval
FROM generate_series(1, 5000) g;

INSERT INTO network_invitation (request_id, facilitator_id, status, score, explanation, created_at)
SELECT r.first + g %% 5000, p.ids[((g * 7919) %% p.n) + 1], 'declined', 0, '[]',
    now() - ((g %% 540) || ' days')::interval
FROM generate_series(1, 50000) g,
     (SELECT min(id) first FROM network_facilitationrequest) r,
     (SELECT array_agg(user_id ORDER BY id) ids, count(*) n FROM network_directoryprofile WHERE consent) p
ON CONFLICT DO NOTHING;
ANALYZE;
"""

MEASURE = r"""
import json, random, statistics, time, datetime as dt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from essaim.core.pagination import CappedPaginator
from essaim.network.models import FacilitationRequest
from essaim.network.selectors import DIRECTORY_COUNT_CAP, directory_search, request_candidates
from essaim.organisations.models import Departement, Organisation

rounds = int(%(rounds)d)
rng = random.Random(6)
regions = list(Departement.objects.values_list("region_id", flat=True).distinct())
ministries = list(Organisation.objects.filter(slug__startswith="ministere-banc-").values_list("id", flat=True))

def search_filters():
    kind = rng.randrange(5)
    code = f"c{rng.randrange(12)}"
    if kind == 0:
        return {"competency": code}
    if kind == 1:
        return {"competency": code, "min_level": rng.randint(2, 4), "region": rng.choice(regions)}
    if kind == 2:
        return {"competency": code, "ministry": rng.choice(ministries), "availability": "available"}
    if kind == 3:
        return {"region": rng.choice(regions), "availability": "available"}
    return {}

def one_search(filters):
    page = CappedPaginator(directory_search(**filters), 20, cap=DIRECTORY_COUNT_CAP).get_page(1)
    rows = list(page.object_list)
    for p in rows:
        list(p.skills.all()); p.user.full_name; str(p.region)
    return page.paginator.count, len(rows)

def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000

for _ in range(10):
    one_search(search_filters())
query_counts = set()
for filters in ({}, {"competency": "c1"}, {"competency": "c2", "min_level": 2}, {"region": regions[0]}):
    with CaptureQueriesContext(connection) as ctx:
        one_search(filters)
    query_counts.add(len(ctx))
search_ms = [timed(one_search, search_filters()) for _ in range(rounds)]

from essaim.accounts.models import User
requester = User.objects.order_by("id").first()
departements = list(Departement.objects.select_related("region")[:60])
needs = []
for i in range(20):
    d = departements[i %% len(departements)]
    remote = i %% 5 == 0
    needs.append(FacilitationRequest.objects.create(
        requester=requester, topic=f"Mesure {i}", date=dt.date.today() + dt.timedelta(days=10),
        is_remote=remote, region=None if remote else d.region, departement=None if remote else d,
        competency_code=f"c{i %% 12}", competency_name="Compétence", audience_size=30))
for need in needs[:5]:
    request_candidates(request=need)
match_counts = set()
for need in needs[1:4]:  # in person: three scans (a remote request needs one)
    with CaptureQueriesContext(connection) as ctx:
        request_candidates(request=need)
    match_counts.add(len(ctx))
match_ms = []
for i in range(rounds):
    need = needs[i %% len(needs)]
    start = time.perf_counter()
    ranked = request_candidates(request=need)
    match_ms.append((time.perf_counter() - start) * 1000)
assert ranked, "no candidate"

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

from essaim.network.models import DirectoryProfile, DirectorySkill
print(json.dumps({
    "accounts": User.objects.count(),
    "profiles": DirectoryProfile.objects.count(),
    "listed": DirectoryProfile.objects.filter(consent=True).count(),
    "skills": DirectorySkill.objects.count(),
    "search_p50": pct(search_ms, 50), "search_p95": pct(search_ms, 95),
    "match_p50": pct(match_ms, 50), "match_p95": pct(match_ms, 95),
    "search_queries": sorted(query_counts), "match_queries": sorted(match_counts),
}))
"""


def main() -> int:
    env = {
        **os.environ,
        "ESSAIM_ENV": "development",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "essaim.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    print(f"PostgreSQL database {DB}: {ACCOUNTS:,} accounts (BENCH_NETWORK_ACCOUNTS), {ROUNDS} rounds", flush=True)
    t0 = time.perf_counter()
    subprocess.run(["dropdb", *PG, "--if-exists", DB], check=True)
    subprocess.run(["createdb", *PG, DB], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    t1 = time.perf_counter()
    subprocess.run(
        ["psql", *PG, "-d", DB, "-q", "-v", "ON_ERROR_STOP=1"],
        input=FILL.replace("%(accounts)s", str(ACCOUNTS)).replace("%%", "%"),
        text=True,
        check=True,
    )
    t2 = time.perf_counter()
    print(f"  migrate {t1 - t0:.0f} s, fill {t2 - t1:.0f} s", flush=True)
    proc = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + MEASURE % {"rounds": ROUNDS}],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"  data: {figures['accounts']:,} accounts, {figures['profiles']:,} trained with a profile, "
        f"{figures['listed']:,} consenting, {figures['skills']:,} skill rows",
        flush=True,
    )
    failures = 0
    for name, key, target in (
        ("directory search", "search", SEARCH_TARGET_MS),
        ("request matching", "match", MATCHING_TARGET_MS),
    ):
        p95 = figures[f"{key}_p95"]
        ok = p95 <= target
        print(
            f"  [{'PASS' if ok else 'FAIL'}] {name} p95 {p95:.1f} ms (p50 {figures[f'{key}_p50']:.1f} ms, "
            f"target ≤ {target:.0f} ms)",
            flush=True,
        )
        counts = figures[f"{key}_queries"]
        constant = len(counts) == 1
        print(f"  [{'PASS' if constant else 'FAIL'}] {name} query count constant: {counts}", flush=True)
        failures += not constant
    if not os.environ.get("BENCH_NETWORK_KEEP"):
        subprocess.run(["dropdb", *PG, "--if-exists", DB], check=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
