"""An attacker collects everything published together for a year with small groups (the
public dashboard under every filter combination and breakdown, its chart, the public CSV
export, the open-data file and the OGP report) and solves for every blank."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import defaultdict

import pytest
from django.urls import reverse

from essaim.catalogue.models import Course
from essaim.organisations.models import Organisation, Region
from essaim.reporting.models import QuarterRollup
from essaim.reporting.opendata import opendata_publish
from essaim.reporting.rollups import rollups_refresh
from essaim.reporting.selectors import PUBLIC_SCOPE, Filters, dashboard, suppress
from tests import steering_data as data
from tests.factories import OrganisationFactory
from tests.reporting.attacker import STAR, leaks

MEASURES = ("registrations", "completions", "people_trained", "trainers_trained")


@pytest.fixture
def small_groups(ministry, other_ministry, intro, trainers_course, year):
    third = OrganisationFactory(name="Ministère de test C", slug="ministere-c")
    partner = OrganisationFactory(name="Association Démocratie Test", slug="asso-test", kind="partner")
    idf, bretagne, aura = data.region("11"), data.region("53"), data.region("84")
    plan = [
        (intro, ministry, 12, 1, idf, 2),
        (intro, ministry, 6, 5, bretagne, 0),
        (intro, other_ministry, 3, 2, bretagne, 1),  # the group: 3 in one region
        (intro, other_ministry, 9, 8, aura, 0),
        (trainers_course, third, 2, 4, idf, 0),
        (trainers_course, ministry, 7, 10, aura, 3),
        (intro, third, 1, 11, aura, 0),
        (intro, partner, 5, 7, idf, 0),
        (trainers_course, other_ministry, 4, 6, idf, 0),
    ]
    for course, organiser, people, month, region, registered in plan:
        data.held_session(
            course=course,
            organiser=organiser,
            people=people,
            registered=registered,
            when=data.moment(year, month),
            region=region,
        )
    rollups_refresh()
    opendata_publish()
    return {"small": (1, other_ministry.pk, bretagne.pk, intro.pk)}


def _key(filters: Filters, **fixed):
    parts = {
        "quarter": filters.quarter,
        "ministry": filters.ministry,
        "region": filters.region,
        "course": filters.course,
    }
    parts = {name: STAR if value is None else value for name, value in parts.items()}
    parts.update(fixed)
    return (parts["quarter"], parts["ministry"], parts["region"], parts["course"])


def _collect(client, year):
    """Every published count of people, by (quarter, ministry, region, course) with "*"
    for « all »: a list of observations per measure and key."""
    seen: dict[str, dict[tuple, list]] = {m: defaultdict(list) for m in MEASURES}
    ministries = [None, *Organisation.objects.ministries().values_list("pk", flat=True)]
    # Regions with no session only ever show zeros: they tell the attacker nothing more.
    regions = [None, *Region.objects.filter(code__in=["11", "53", "84"]).values_list("pk", flat=True)]
    courses = [None, *Course.objects.values_list("pk", flat=True)]
    for quarter, ministry, region, course in itertools.product([None, 1, 2, 3, 4], ministries, regions, courses):
        filters = Filters(year=year, quarter=quarter, ministry=ministry, region=region, course=course)
        for breakdown in ("ministry", "region", "course"):
            board = dashboard(scope=PUBLIC_SCOPE, filters=filters, breakdown=breakdown)
            for measure in MEASURES:
                seen[measure][_key(filters)].append(board.totals[measure])
                for row in board.breakdown:
                    seen[measure][_key(filters, **{breakdown: row["key"]})].append(row[measure])
            for bar in board.charts[1].bars:  # agents formés par trimestre
                seen["people_trained"][_key(filters, quarter=int(bar.key))].append(bar.value)

    names = {
        "ministry": {o.name: o.pk for o in Organisation.objects.all()},
        "region": {r.name: r.pk for r in Region.objects.all()},
        "course": {c.title: c.pk for c in Course.objects.all()} | {c.code: c.pk for c in Course.objects.all()},
    }

    def base(q, m, r, c):
        return (int(q), names["ministry"].get(m), names["region"].get(r), names["course"][c])

    response = client.get(reverse("reporting:public_export", args=["trimestres", "csv"]), {"year": year})
    _header, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    for row in rows:
        key = base(*row[1:5])
        for measure, value in zip(("registrations", "completions", "people_trained"), row[6:9], strict=True):
            seen[measure][key].append(int(value) if value else None)

    content = client.get(reverse("reporting:dataset_csv", args=["formations-validees"])).content.decode()
    _header, *rows = csv.reader(io.StringIO(content))
    for row in rows:
        if int(row[0]) != year:
            continue
        key = base(*row[1:5])
        seen["completions"][key].append(int(row[5]) if row[5] else None)
        if row[6]:  # a blank here may also be a zero: only numbers are evidence
            seen["people_trained"][key].append(int(row[6]))

    report = client.get(reverse("reporting:progress"), {"year": year}).context["report"]
    for milestone in report["milestones"]:
        number = re.search(r": (\d+)", milestone.measure)
        measure = {"Formation de formateurs": "trainers_trained", "500 agents formés par an": "people_trained"}.get(
            str(milestone.title)
        )
        if measure:
            seen[measure][(STAR,) * 4].append(int(number.group(1)) if number else None)
    return seen


def test_no_blank_can_be_solved_from_everything_published(client, small_groups, year):
    seen = _collect(client, year)
    for measure, observations in seen.items():
        published = {}
        for key, values in observations.items():
            numbers = {v for v in values if v is not None}
            # The same figure never shows in one place and is blank in another.
            assert len(numbers) <= 1 and (not numbers or None not in values), (measure, key, values)
            published[key] = numbers.pop() if numbers else None
        assert all(v is None or v == 0 or v >= 5 for v in published.values())
        assert leaks(published, threshold=5) == [], measure
    completions = {k: v[0] for k, v in seen["completions"].items()}
    assert completions[small_groups["small"]] is None
    # Still useful, even here where 6 of 9 sessions are small groups: the year's figures by
    # region, ministry and course are about half published.
    shown = [v for v in completions.values() if v]
    assert len(shown) >= 0.45 * len([v for v in completions.values() if v != 0])

    # The attacker is not blind: had each figure only been suppressed under 5 (as before),
    # it would recover the 3 from the same tables.
    published = {}
    for key in seen["completions"]:
        q, m, r, c = key
        filters = Filters(
            year=year,
            quarter=None if q == STAR else q,
            ministry=None if m == STAR else m,
            region=None if r == STAR else r,
            course=None if c == STAR else c,
        )
        rows = filters.apply(QuarterRollup.objects.all())
        if m is None:
            rows = rows.filter(ministry__isnull=True)
        published[key] = suppress(sum(rows.values_list("completions", flat=True)))
    found = {f.key: f for f in leaks(published, threshold=5)}
    assert found[small_groups["small"]].low == found[small_groups["small"]].high == 3
