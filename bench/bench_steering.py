"""Steering benchmark (issue 7): dashboards read rollups, not raw rows.

On PostgreSQL (database `essaim_steering_bench`, DROPPED and recreated at start):

1. generates BENCH_SMALL (default 500,000) training records with `generate_series`
   (registrations; 3 in 5 completed, with their completions), builds the rollups, checks
   a sample of them against the Python refresh, and times the dashboards (p95);
2. grows to BENCH_RECORDS (default 5,000,000) and times the dashboards again: p95 ≤ 300 ms
   and p95(big) ÷ p95(small) ≤ 1.5;
3. inserts 10,000 new registrations (with events and completions) and times the
   incremental `rollups_refresh()` (≤ 2 s);
4. exports 1,000,000 rows (the per-session drill-down table) as streamed CSV and as XLSX in
   a child process and reports its peak RSS (≤ 200 MB).

The initial rollups are built in SQL (as a one-off backfill would be); the incremental
refresh timed in 3 is the production code. Prints every figure and PASS/FAIL.
"""

# SQL here is built from integer constants of this script only; long lines are SQL.
# ruff: noqa: S608, E501
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "essaim_steering_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
BIG = int(os.environ.get("BENCH_RECORDS", "5000000"))
SMALL = int(os.environ.get("BENCH_SMALL", "500000"))
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))
PER_SESSION = 5  # registrations per session; 3 completed
ORGANISERS = 60
COURSES = 8
YEARS = 5
SESSION_BASE = 10_000_000
USER_BASE = 10_000_000
RESULTS: list[tuple[str, str, bool]] = []


def record(target: str, value: str, ok: bool) -> None:
    RESULTS.append((target, value, ok))
    print(f"  [{'PASS' if ok else 'FAIL'}] {target}: {value}", flush=True)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = PG_URL
    os.environ["DB_STATEMENT_TIMEOUT_MS"] = "3600000"  # bulk generation runs past the 30 s web default
    os.environ["ESSAIM_ENV"] = "development"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "essaim.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database() -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    env = {**os.environ, "DATABASE_URL": PG_URL}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=env, cwd=ROOT)


def sql(statement: str, params: list | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params) if params else cursor.execute(statement)


def scalar(statement: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0]


def reference_rows() -> tuple[list[int], list[int]]:
    """Organisers (one region each, two of them civil-society partners) and courses."""
    from django.utils import timezone

    from essaim.catalogue.models import Course
    from essaim.framework.models import FrameworkVersion
    from essaim.organisations.models import Organisation, Region

    regions = list(Region.objects.values_list("pk", flat=True))
    framework = FrameworkVersion.objects.create(
        version="bench", title="Bench", status="published", published_at=timezone.now()
    )
    organisers = []
    for i in range(ORGANISERS):
        kind = Organisation.Kind.PARTNER if i < 2 else Organisation.Kind.MINISTRY
        org = Organisation.objects.create(
            name=f"Organisateur bench {i}", slug=f"bench-{i}", kind=kind, region_id=regions[i % len(regions)]
        )
        org.path = f"/{org.pk}/"
        org.save(update_fields=["path"])
        organisers.append(org.pk)
    courses = [
        Course.objects.create(
            code=f"bench-{i}",
            title=f"Formation bench {i}",
            summary="-",
            duration_half_days=4,
            framework=framework,
            status="published",
            is_introduction=i == 0,
            is_trainer_track=i == 1,
        ).pk
        for i in range(COURSES)
    ]
    return organisers, courses


def generate(first_session: int, last_session: int, organisers: list[int], courses: list[int], users: int) -> None:
    """Sessions [first, last] (ids offset by SESSION_BASE), 5 registrations each, 3 completions."""
    # Rows are consistent by construction: skip the foreign-key triggers while bulk loading.
    sql("SET session_replication_role = replica")
    sql("SET work_mem = '256MB'")
    org_array = "ARRAY[" + ",".join(map(str, organisers)) + "]::bigint[]"
    course_array = "ARRAY[" + ",".join(map(str, courses)) + "]::bigint[]"
    framework_id = scalar("SELECT id FROM framework_frameworkversion WHERE version = 'bench'")
    sql(
        f"""
        INSERT INTO training_session (id, status, capacity, min_seats, approval_mode, cancellation_cutoff_hours,
            audience, format, venue, address, remote_url, description, starts_at, ends_at, ical_sequence,
            cancellation_reason, created_at, updated_at, course_id, organiser_id, region_id)
        SELECT {SESSION_BASE} + g, 'done', 10, 0, 'none', 48, 'everyone', 'in_person', 'place', '', '', '',
            t, t + interval '7 hours', 0, '', t - interval '60 days', t - interval '59 days',
            ({course_array})[1 + (g % {COURSES})], o.id, o.region_id
        FROM generate_series({first_session}, {last_session}) AS g
        CROSS JOIN LATERAL (SELECT timestamptz '{time.localtime().tm_year - YEARS + 1}-01-05 09:00+01'
            + ((g::bigint * 7919) % ({YEARS} * 360)) * interval '1 day' AS t) AS d
        JOIN organisations_organisation o ON o.id = ({org_array})[1 + (g / 7) % {ORGANISERS}]
        """
    )
    sql(
        f"""
        INSERT INTO training_registration (status, created_at, updated_at, user_id, session_id)
        SELECT CASE WHEN k < 3 THEN 'completed' ELSE 'no_show' END, s.created_at, s.ends_at,
            {USER_BASE} + 1 + ((g::bigint * {PER_SESSION} + k) * 7919) % {users}, s.id
        FROM generate_series({first_session}, {last_session}) AS g
        CROSS JOIN generate_series(0, {PER_SESSION - 1}) AS k
        JOIN training_session s ON s.id = {SESSION_BASE} + g
        """
    )
    sql(
        f"""
        INSERT INTO training_completion (completed_at, attendance_rate, outcomes, course_id, framework_id, user_id, session_id)
        SELECT s.ends_at, 100, '[]', s.course_id, {framework_id}, r.user_id, s.id
        FROM training_registration r JOIN training_session s ON s.id = r.session_id
        WHERE r.session_id BETWEEN {SESSION_BASE + first_session} AND {SESSION_BASE + last_session}
          AND r.status = 'completed'
        """
    )
    sql("SET session_replication_role = DEFAULT")


def build_rollups_in_sql() -> None:
    """Backfill both rollup levels in SQL, then set the watermarks."""
    from django.conf import settings

    tz = settings.TIME_ZONE
    sql("TRUNCATE reporting_sessionfigures, reporting_quarterrollup, reporting_rollupstate")
    sql(
        f"""
        WITH firsts AS (
            SELECT session_id,
                   row_number() OVER (PARTITION BY user_id ORDER BY completed_at, id) = 1 AS first_ever,
                   row_number() OVER (PARTITION BY user_id, extract(year FROM completed_at AT TIME ZONE '{tz}')
                                      ORDER BY completed_at, id) = 1 AS first_year
            FROM training_completion),
        c AS (SELECT session_id, count(*) AS n, count(*) FILTER (WHERE first_ever) AS ever,
                     count(*) FILTER (WHERE first_year) AS in_year FROM firsts GROUP BY session_id),
        r AS (SELECT session_id, count(*) AS n FROM training_registration GROUP BY session_id)
        INSERT INTO reporting_sessionfigures (session_id, year, quarter, organiser_id, ministry_id, region_id, course_id,
            sessions_scheduled, sessions_held, registrations, completions, people_trained, new_members,
            trainers_trained, civil_society_sessions, after_invited, after_answered, satisfaction_sum,
            satisfaction_count, follow_up_invited, follow_up_answered, practising_yes, practising_count)
        SELECT s.id, extract(year FROM s.starts_at AT TIME ZONE '{tz}'), extract(quarter FROM s.starts_at AT TIME ZONE '{tz}'),
            s.organiser_id, split_part(trim(both '/' FROM o.path), '/', 1)::bigint, s.region_id, s.course_id,
            (s.status IN ('published', 'done'))::int, (s.status = 'done')::int, coalesce(r.n, 0), coalesce(c.n, 0),
            coalesce(c.in_year, 0), coalesce(c.ever, 0), CASE WHEN co.is_trainer_track THEN coalesce(c.n, 0) ELSE 0 END,
            (s.status = 'done' AND o.kind = 'partner')::int, 0, 0, 0, 0, 0, 0, 0, 0
        FROM training_session s
        JOIN organisations_organisation o ON o.id = s.organiser_id
        JOIN catalogue_course co ON co.id = s.course_id
        LEFT JOIN r ON r.session_id = s.id LEFT JOIN c ON c.session_id = s.id
        WHERE s.starts_at IS NOT NULL
        """
    )
    sums = ", ".join(
        f"sum({n})"
        for n in [
            "sessions_scheduled",
            "sessions_held",
            "registrations",
            "completions",
            "people_trained",
            "new_members",
            "trainers_trained",
            "civil_society_sessions",
            "after_invited",
            "after_answered",
            "satisfaction_sum",
            "satisfaction_count",
            "follow_up_invited",
            "follow_up_answered",
            "practising_yes",
            "practising_count",
        ]
    )
    sql(
        f"""
        INSERT INTO reporting_quarterrollup (year, quarter, organiser_id, region_id, course_id, ministry_id,
            sessions_scheduled, sessions_held, registrations, completions, people_trained, new_members,
            trainers_trained, civil_society_sessions, after_invited, after_answered, satisfaction_sum,
            satisfaction_count, follow_up_invited, follow_up_answered, practising_yes, practising_count)
        SELECT year, quarter, organiser_id, region_id, course_id, min(ministry_id), {sums}
        FROM reporting_sessionfigures GROUP BY year, quarter, organiser_id, region_id, course_id
        """
    )
    sql(
        """
        INSERT INTO reporting_rollupstate (id, last_completion_id, last_event_id, last_response_id, last_invitation_id,
            sessions_changed_since, refreshed_at)
        SELECT 1, coalesce((SELECT max(id) FROM training_completion), 0),
            coalesce((SELECT max(id) FROM training_registrationevent), 0), 0, 0, now(), now()
        """
    )
    sql("ANALYZE")


def check_sample_against_python() -> None:
    from essaim.reporting.models import Figures, SessionFigures
    from essaim.reporting.rollups import _session_figures

    ids = list(SessionFigures.objects.order_by("?").values_list("session_id", flat=True)[:200])
    stored = {f.session_id: f for f in SessionFigures.objects.filter(session_id__in=ids)}
    computed = {f.session_id: f for f in _session_figures(ids)}
    fields = ("year", "quarter", "organiser_id", "ministry_id", "region_id", "course_id", *Figures.COUNTS)
    mismatches = [pk for pk in ids if any(getattr(stored[pk], f) != getattr(computed[pk], f) for f in fields)]
    record("SQL backfill = Python refresh on 200 sampled sessions", f"{len(mismatches)} mismatches", not mismatches)


def time_dashboards(label: str) -> float:
    from django.test import Client

    from essaim.accounts.models import Role, RoleAssignment, User

    admin, _ = User.objects.get_or_create(email="bench.admin@exemple.gouv.fr")
    RoleAssignment.objects.get_or_create(user=admin, role=Role.PROGRAMME_ADMIN, organisation=None)
    public, internal = Client(), Client()
    internal.force_login(admin)
    year = time.localtime().tm_year
    region = scalar("SELECT region_id FROM training_session LIMIT 1")
    course = scalar("SELECT course_id FROM training_session LIMIT 1")
    urls = [
        (public, "/tableau-de-bord/", {"year": year}),
        (public, "/tableau-de-bord/", {"year": year - 1, "par": "course"}),
        (public, "/tableau-de-bord/", {"year": year, "region": region, "par": "ministry"}),
        (internal, "/pilotage/tableau-de-bord/", {"year": year, "par": "organiser"}),
        (internal, "/pilotage/tableau-de-bord/", {"year": year - 2, "course": course, "quarter": 2}),
    ]
    for client, url, params in urls:  # warm up
        assert client.get(url, params).status_code == 200
    timings = []
    for _ in range(12):
        for client, url, params in urls:
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"  dashboards at {label}: p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms ({len(timings)} requests)"
    )
    return p95


def add_new_records(organisers: list[int], courses: list[int], users: int, first_session: int) -> None:
    """10,000 new registrations (2,000 sessions × 5), their events and 6,000 completions."""
    generate(first_session, first_session + 1999, organisers, courses, users)
    sql(
        f"""
        INSERT INTO training_registrationevent (from_status, to_status, note, created_at, registration_id)
        SELECT 'booked', r.status, '', now(), r.id FROM training_registration r
        WHERE r.session_id >= {SESSION_BASE + first_session}
        """
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM, reset by exec — unlike ru_maxrss, which a
    forked child inherits from its parent)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_child() -> None:
    """Run in a child process: stream the drill-down table as CSV, then as XLSX."""
    setup_django()
    import tempfile

    from essaim.reporting.exports import csv_lines, xlsx_write
    from essaim.reporting.selectors import PUBLIC_SCOPE, Filters, session_table

    def limited(rows):
        for index, row in enumerate(rows):
            if index >= EXPORT_ROWS:
                return
            yield row

    start = time.perf_counter()
    header, rows = session_table(scope=PUBLIC_SCOPE, filters=Filters(year=None))
    size = count = 0
    with open(os.devnull, "w") as sink:
        for line in csv_lines(header, limited(rows)):
            sink.write(line)
            size += len(line)
            count += 1
    csv_seconds = time.perf_counter() - start
    csv_rss = peak_rss_mb()
    start = time.perf_counter()
    header, rows = session_table(scope=PUBLIC_SCOPE, filters=Filters(year=None))
    with tempfile.TemporaryFile() as handle:
        xlsx_write(handle, header, limited(rows))
        xlsx_size = handle.tell()
    xlsx_seconds = time.perf_counter() - start
    xlsx_rss = peak_rss_mb()
    print(f"{count - 1} {size} {csv_seconds:.1f} {csv_rss:.0f} {xlsx_size} {xlsx_seconds:.1f} {xlsx_rss:.0f}")


def main() -> int:
    if sys.argv[1:] == ["--export-child"]:
        export_child()
        return 0
    print(f"  PostgreSQL {DB_NAME}: {SMALL:,} then {BIG:,} training records (BENCH_SMALL / BENCH_RECORDS)", flush=True)
    recreate_database()
    setup_django()
    organisers, courses = reference_rows()
    users = max(BIG // PER_SESSION, 10)
    start = time.perf_counter()
    sql(
        f"""
        INSERT INTO accounts_user (id, password, is_superuser, email, given_name, usual_name, auth_source,
            proconnect_uid, proconnect_idp_id, unit, preferred_language, is_active, is_staff, date_joined)
        SELECT {USER_BASE} + g, '!', false, 'agent' || g || '@bench.gouv.fr', 'Agent', 'Bench' || g, 'proconnect',
            '', '', '', 'fr', true, false, now()
        FROM generate_series(1, {users}) AS g
        """
    )
    small_sessions = SMALL // PER_SESSION
    generate(1, small_sessions, organisers, courses, users)
    build_rollups_in_sql()
    print(f"  generated {SMALL:,} records + rollups in {time.perf_counter() - start:.0f} s", flush=True)
    check_sample_against_python()
    p95_small = time_dashboards(f"{SMALL:,}")

    start = time.perf_counter()
    big_sessions = BIG // PER_SESSION
    generate(small_sessions + 1, big_sessions, organisers, courses, users)
    build_rollups_in_sql()
    records = scalar("SELECT count(*) FROM training_registration")
    completions = scalar("SELECT count(*) FROM training_completion")
    rollup_rows = scalar("SELECT count(*) FROM reporting_quarterrollup")
    print(
        f"  grew to {records:,} registrations + {completions:,} completions in {time.perf_counter() - start:.0f} s;"
        f" {rollup_rows:,} quarter rollup rows",
        flush=True,
    )
    p95_big = time_dashboards(f"{records:,}")
    record(f"dashboard p95 at {records:,} records ≤ 300 ms", f"{p95_big:.0f} ms", p95_big <= 300)
    ratio = p95_big / p95_small
    record("p95 at big ÷ p95 at small ≤ 1.5", f"{ratio:.2f}", ratio <= 1.5)

    from essaim.reporting.rollups import rollups_refresh

    add_new_records(organisers, courses, users, big_sessions + 1)
    start = time.perf_counter()
    result = rollups_refresh()
    seconds = time.perf_counter() - start
    record(
        "refresh after 10,000 new records ≤ 2 s",
        f"{seconds:.2f} s ({result.sessions} sessions, {result.buckets} buckets)",
        seconds <= 2,
    )

    from django.db import connection

    connection.close()
    output = subprocess.run(
        [sys.executable, __file__, "--export-child"], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    rows, size, csv_s, csv_rss, xlsx_size, xlsx_s, xlsx_rss = output[-7:]
    print(
        f"  CSV: {int(rows):,} rows, {int(size) / 1e6:.0f} MB in {csv_s} s; XLSX: {int(xlsx_size) / 1e6:.0f} MB in {xlsx_s} s"
    )
    record(f"CSV export of {int(rows):,} rows, peak RSS ≤ 200 MB", f"{csv_rss} MB", float(csv_rss) <= 200)
    record(f"CSV + XLSX export of {int(rows):,} rows, peak RSS ≤ 200 MB", f"{xlsx_rss} MB", float(xlsx_rss) <= 200)

    print("  summary:")
    for target, value, ok in RESULTS:
        print(f"    {'PASS' if ok else 'FAIL'}  {target}: {value}")
    return 0 if all(ok for _, _, ok in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
