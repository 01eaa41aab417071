"""What the dashboards, exports, open data and progress report read: the rollups only.

Every figure about people goes through `suppress`: a group of fewer than
`SMALL_COUNT_THRESHOLD` people is never shown (None → "< 5" on screen, empty in files).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.catalogue.models import Course
from essaim.organisations.models import Organisation, Region, path_root_id
from essaim.reporting.disclosure import ALL, protect
from essaim.reporting.models import Figures, QuarterRollup, SessionFigures

TARGET_TRAINED_PER_YEAR = 500
TARGET_SESSIONS_PER_QUARTER = 1

#: Counts of people: suppressed under the threshold. Session counts are not about people.
DIMENSIONS = {
    "ministry": gettext_lazy("Ministère"),
    "region": gettext_lazy("Région"),
    "course": gettext_lazy("Formation"),
    "organiser": gettext_lazy("Organisateur"),
}


def threshold() -> int:
    return int(settings.SMALL_COUNT_THRESHOLD)


def suppress(value: int | None) -> int | None:
    """A count of people, or None when it would single out fewer than the threshold."""
    if value is None:
        return None
    return value if value == 0 or value >= threshold() else None


def ratio(numerator: int, denominator: int) -> float | None:
    """A mean or share, only over at least `threshold` answers."""
    if denominator < threshold() or denominator == 0:
        return None
    return numerator / denominator


# ---- scope ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which rollup rows a person may see. `everything` for programme admins and the public
    page (which only ever shows suppressed aggregates)."""

    everything: bool = False
    organiser_paths: tuple[str, ...] = ()
    region_ids: tuple[str, ...] = ()
    label: str = ""
    #: Published to everyone: people counts come from the protected publication cube.
    published: bool = False

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.everything:
            return queryset
        condition = Q(pk__in=[])
        for path in self.organiser_paths:
            condition |= Q(organiser__path__startswith=path)
        if self.region_ids:
            condition |= Q(region_id__in=self.region_ids)
        return queryset.filter(condition)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.organiser_paths or self.region_ids)


PUBLIC_SCOPE = Scope(everything=True, label="public", published=True)


def scope_for(user: Any) -> Scope:
    """The internal dashboard's scope: programme admins everything, organisers their
    organisation and below, lab coordinators their lab's region."""
    if roles.is_programme_admin(user):
        return Scope(everything=True, label="programme_admin")
    paths = tuple(
        held.organisation_path
        for held in roles.held_roles(user)
        if held.role == Role.ORGANISER and held.organisation_path
    )
    lab_ids = roles.scopes(user, Role.LAB_COORDINATOR)
    regions: tuple[str, ...] = ()
    if lab_ids:
        # The menu asks too: the regions are read once per request, as the roles are.
        held = roles.held_roles(user)
        cached = getattr(user, "_essaim_lab_regions", None)
        if cached is not None and cached[0] is held:
            regions = cached[1]
        else:
            regions = tuple(
                r for r in Organisation.objects.filter(pk__in=lab_ids).values_list("region_id", flat=True) if r
            )
            user._essaim_lab_regions = (held, regions)
    return Scope(organiser_paths=paths, region_ids=regions, label="scoped")


# ---- filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    year: int | None  # None: every year (exports only)
    quarter: int | None = None
    ministry: int | None = None
    region: str | None = None
    course: int | None = None
    organiser: int | None = None

    def apply(self, queryset: QuerySet[Any], *, with_year: bool = True) -> QuerySet[Any]:
        conditions: dict[str, Any] = {}
        if with_year and self.year is not None:
            conditions["year"] = self.year
        for name in ("quarter", "ministry", "course", "organiser"):
            value = getattr(self, name)
            if value is not None:
                conditions[f"{name}_id" if name != "quarter" else name] = value
        if self.region is not None:
            conditions["region_id"] = self.region
        return queryset.filter(**conditions)

    def as_query(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


# ---- publication cube ----------------------------------------------------------------

#: The dimensions of the publication cube, in key order; every public figure about people
#: is one of its cells or margins (see essaim.reporting.disclosure).
CUBE_DIMENSIONS = ("quarter", "ministry", "region", "course")
#: The counts of people that are published, each protected on its own.
PUBLISHED_MEASURES = ("registrations", "completions", "people_trained", "trainers_trained")


@dataclass
class PublishedCube:
    """Protected counts of people by year and measure, keyed like `cube_key`."""

    cells: dict[tuple[int, str], dict[tuple[Any, ...], int | None]]

    def value(self, *, year: int, measure: str, key: tuple[Any, ...]) -> int | None:
        """A published count: None when hidden, 0 for a group with nobody."""
        return self.cells.get((year, measure), {}).get(key, 0)


def cube_key(
    *, quarter: Any = ALL, ministry: Any = ALL, region: Any = ALL, course: Any = ALL
) -> tuple[Any, Any, Any, Any]:
    return (quarter, ministry, region, course)


def filters_key(filters: Filters, **fixed: Any) -> tuple[Any, Any, Any, Any]:
    """The cube cell a filter set (and optionally a breakdown value) designates."""
    parts: dict[str, Any] = {name: getattr(filters, name) for name in CUBE_DIMENSIONS}
    parts = {name: ALL if value is None else value for name, value in parts.items()}
    parts.update(fixed)
    return cube_key(**parts)


def published_cube(*, years: list[int] | None) -> PublishedCube:
    """One query: the base cells of every year asked (None: every year), then disclosure
    control on each year's lattice of margins, measure by measure."""
    base: dict[tuple[int, str], dict[tuple[Any, ...], int]] = defaultdict(dict)
    queryset = QuarterRollup.objects.all() if years is None else QuarterRollup.objects.filter(year__in=years)
    rows = (
        queryset.values("year", "quarter", "ministry_id", "region_id", "course_id")
        .annotate(**{name: Sum(name) for name in PUBLISHED_MEASURES})
        .order_by()
    )
    for values in rows:
        row: dict[str, Any] = dict(values)
        key = cube_key(
            quarter=row["quarter"], ministry=row["ministry_id"], region=row["region_id"], course=row["course_id"]
        )
        for name in PUBLISHED_MEASURES:
            base[(row["year"], name)][key] = row[name] or 0
    return PublishedCube(
        cells={index: _protected(tuple(sorted(cells.items(), key=repr)), threshold()) for index, cells in base.items()}
    )


@lru_cache(maxsize=128)
def _protected(base: tuple[tuple[tuple[Any, ...], int], ...], limit: int) -> dict[tuple[Any, ...], int | None]:
    """`protect` is a pure function of the base cells: the same figures (every page view
    between two rollup refreshes) are protected once per process. Read-only."""
    return protect(base=dict(base), threshold=limit)


# ---- dashboard -----------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int | None
    display: str
    percent: int
    key: str = ""


@dataclass
class Chart:
    slug: str
    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    target: int | None = None


@dataclass
class Dashboard:
    filters: Filters
    totals: dict[str, Any]
    charts: list[Chart]
    breakdown_dimension: str
    breakdown: list[dict[str, Any]]
    years: list[int]


def _sum_all(queryset: QuerySet[Any], *group: str) -> QuerySet[Any]:
    sums = {name: Sum(name) for name in Figures.COUNTS}
    if group:
        return queryset.values(*group).annotate(**sums).order_by(*group)
    return queryset.aggregate(**sums)  # type: ignore[return-value]


def _display(value: int | None) -> str:
    return _("secret statistique") if value is None else f"{value:n}".replace(",", "\u202f")


def _bars(rows: list[tuple[str, int | None, str]], target: int | None = None) -> list[Bar]:
    top = max([v or 0 for _, v, _ in rows] + [target or 0, 1])
    return [
        Bar(label=label, value=value, display=_display(value), percent=round(100 * (value or 0) / top), key=key)
        for label, value, key in rows
    ]


def _totals(sums: dict[str, Any]) -> dict[str, Any]:
    sums = {name: sums.get(name) or 0 for name in Figures.COUNTS}
    satisfaction = ratio(sums["satisfaction_sum"], sums["satisfaction_count"])
    practising = ratio(sums["practising_yes"], sums["practising_count"])
    return {
        "people_trained": suppress(sums["people_trained"]),
        "completions": suppress(sums["completions"]),
        "registrations": suppress(sums["registrations"]),
        "trainers_trained": suppress(sums["trainers_trained"]),
        "sessions_held": sums["sessions_held"],
        "sessions_scheduled": sums["sessions_scheduled"],
        "civil_society_sessions": sums["civil_society_sessions"],
        "satisfaction": None if satisfaction is None else round(satisfaction, 1),
        "satisfaction_count": sums["satisfaction_count"],
        "practising_share": None if practising is None else round(100 * practising),
        "practising_count": sums["practising_count"],
        "after_rate": suppressed_rate(sums["after_answered"], sums["after_invited"]),
        "follow_up_rate": suppressed_rate(sums["follow_up_answered"], sums["follow_up_invited"]),
    }


def suppressed_rate(answered: int, invited: int) -> int | None:
    """A response rate in percent, or None when fewer people than the threshold were asked."""
    if invited < threshold():
        return None
    return round(100 * answered / invited)


def _labels(dimension: str, ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    if not ids:
        return {}
    if dimension in ("ministry", "organiser"):
        return {o.pk: str(o) for o in Organisation.objects.filter(pk__in=ids).only("pk", "name", "short_name")}
    if dimension == "region":
        return dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    return dict(Course.objects.filter(pk__in=ids).values_list("pk", "title"))


def _published(
    totals: dict[str, Any], cube: PublishedCube | None, *, year: int, filters: Filters, **fixed: Any
) -> dict[str, Any]:
    """Replace the people counts by the protected cube's (public pages only)."""
    if cube is None:
        return totals
    key = filters_key(filters, **fixed)
    return {**totals, **{name: cube.value(year=year, measure=name, key=key) for name in PUBLISHED_MEASURES}}


def dashboard(*, scope: Scope, filters: Filters, breakdown: str = "ministry") -> Dashboard:
    """Five queries whatever the volume and the filters: totals, quarters, years, breakdown
    rows and their labels (six on the public page: its protected publication cube)."""
    base = scope.apply(QuarterRollup.objects.all())
    in_year = filters.apply(base)
    year = filters.year or timezone.localdate().year
    by_year = list(_sum_all(filters.apply(base, with_year=False).filter(year__lte=year), "year"))[-5:]
    cube = published_cube(years=sorted({year, *(row["year"] for row in by_year)})) if scope.published else None
    totals = _published(_totals(_sum_all(in_year)), cube, year=year, filters=filters)  # type: ignore[arg-type]

    def trained(row: dict[str, Any], *, year: int, **fixed: Any) -> int | None:
        if cube is None:
            return suppress(row.get("people_trained") or 0)
        return cube.value(year=year, measure="people_trained", key=filters_key(filters, **fixed))

    by_quarter = {row["quarter"]: row for row in _sum_all(in_year, "quarter")}
    quarter_rows = []
    for quarter in range(1, 5):
        row = by_quarter.get(quarter, {})
        quarter_rows.append(
            (_("T%(q)s %(y)s") % {"q": quarter, "y": filters.year}, row.get("sessions_held") or 0, str(quarter))
        )
    trained_rows = [
        (_("T%(q)s %(y)s") % {"q": q, "y": filters.year}, trained(by_quarter.get(q, {}), year=year, quarter=q), str(q))
        for q in range(1, 5)
    ]
    year_rows = [(str(row["year"]), trained(row, year=row["year"]), str(row["year"])) for row in by_year]

    column = f"{breakdown}_id"
    grouped = list(_sum_all(in_year, column))
    labels = _labels(breakdown, {row[column] for row in grouped})
    breakdown_rows = []
    for row in grouped:
        row_totals = _published(_totals(row), cube, year=year, filters=filters, **{breakdown: row[column]})
        breakdown_rows.append({"key": row[column], "label": labels.get(row[column], _("Non renseigné")), **row_totals})
    breakdown_rows.sort(key=lambda r: str(r["label"]))

    charts = [
        Chart(
            slug="sessions-trimestre",
            title=_("Sessions tenues par trimestre (objectif : %(n)s par trimestre)")
            % {"n": TARGET_SESSIONS_PER_QUARTER},
            unit=_("sessions"),
            bars=_bars(quarter_rows, TARGET_SESSIONS_PER_QUARTER),
            target=TARGET_SESSIONS_PER_QUARTER,
        ),
        Chart(
            slug="formes-trimestre",
            title=_("Agents formés par trimestre"),
            unit=_("agents"),
            bars=_bars(trained_rows),
        ),
        Chart(
            slug="formes-annee",
            title=_("Agents formés par année (objectif : %(n)s par an)") % {"n": TARGET_TRAINED_PER_YEAR},
            unit=_("agents"),
            bars=_bars(year_rows, TARGET_TRAINED_PER_YEAR),
            target=TARGET_TRAINED_PER_YEAR,
        ),
    ]
    years = available_years()
    return Dashboard(
        filters=filters,
        totals=totals,
        charts=charts,
        breakdown_dimension=breakdown,
        breakdown=breakdown_rows,
        years=years,
    )


def available_years() -> list[int]:
    current = timezone.localdate().year
    return list(range(current - 4, current + 2))


def network_size(*, scope: Scope, year: int) -> int | None:
    total = scope.apply(QuarterRollup.objects.filter(year__lte=year)).aggregate(n=Sum("new_members"))["n"] or 0
    return suppress(total)


# ---- tables for exports --------------------------------------------------------------


def public_quarter_table(*, filters: Filters) -> tuple[list[str], Iterator[list[Any]]]:
    """The public export: the publication cube's base cells (quarter × ministry × region ×
    course, no organiser), with the cube's protected counts."""
    header = [
        _("année"),
        _("trimestre"),
        _("ministère"),
        _("région"),
        _("formation"),
        _("sessions tenues"),
        _("inscriptions"),
        _("formations validées"),
        _("agents formés"),
    ]
    years = [filters.year] if filters.year is not None else list(available_years())
    cube = published_cube(years=years)
    queryset = (
        filters.apply(QuarterRollup.objects.all())
        .values("year", "quarter", "ministry_id", "ministry__name", "region_id", "region__name", "course_id")
        .annotate(title=Max("course__title"), held=Sum("sessions_held"))
        .order_by("year", "quarter", "ministry__name", "region__name", "title")
    )

    def rows() -> Iterator[list[Any]]:
        for row in queryset:
            key = cube_key(
                quarter=row["quarter"], ministry=row["ministry_id"], region=row["region_id"], course=row["course_id"]
            )
            counts = [
                cube.value(year=row["year"], measure=name, key=key)
                for name in ("registrations", "completions", "people_trained")
            ]
            yield [
                row["year"],
                row["quarter"],
                row["ministry__name"],
                row["region__name"],
                row["title"],
                row["held"],
                *counts,
            ]

    return header, rows()


def quarter_table(*, scope: Scope, filters: Filters) -> tuple[list[str], Iterator[list[Any]]]:
    """Figures by quarter × ministry × region × course × organiser, suppressed (the public
    export is `public_quarter_table`)."""
    if scope.published:
        return public_quarter_table(filters=filters)
    header = [
        _("année"),
        _("trimestre"),
        _("ministère"),
        _("région"),
        _("formation"),
        _("organisateur"),
        _("sessions tenues"),
        _("inscriptions"),
        _("formations validées"),
        _("agents formés"),
    ]
    queryset = (
        filters.apply(scope.apply(QuarterRollup.objects.all()))
        .values_list(
            "year",
            "quarter",
            "ministry__name",
            "region__name",
            "course__title",
            "organiser__name",
            "sessions_held",
            "registrations",
            "completions",
            "people_trained",
        )
        .order_by("year", "quarter", "id")
    )

    def rows() -> Iterator[list[Any]]:
        for row in queryset.iterator(chunk_size=2000):
            *dims, held, registrations, completions, trained = row
            yield [*dims, held, suppress(registrations), suppress(completions), suppress(trained)]

    return header, rows()


def session_table(*, scope: Scope, filters: Filters) -> tuple[list[str], Iterator[list[Any]]]:
    """Drill-down: one row per session, people counts suppressed."""
    header = [
        _("session"),
        _("année"),
        _("trimestre"),
        _("formation"),
        _("organisateur"),
        _("région"),
        _("inscriptions"),
        _("formations validées"),
    ]
    queryset = (
        filters.apply(scope.apply(SessionFigures.objects.all()))
        .values_list(
            "session_id",
            "year",
            "quarter",
            "course__title",
            "organiser__name",
            "region__name",
            "registrations",
            "completions",
        )
        .order_by("session_id")
    )

    def rows() -> Iterator[list[Any]]:
        for *dims, registrations, completions in queryset.iterator(chunk_size=5000):
            yield [*dims, suppress(registrations), suppress(completions)]

    return header, rows()


TABLES = {"trimestres": quarter_table, "sessions": session_table}


#: events.services.EVENT_COURSE_CODE, repeated to keep reporting free of the events app.
EVENT_COURSE_CODE = "evenement"


def filter_choices(scope: Scope) -> dict[str, list[tuple[Any, str]]]:
    """Options of the filter form (three small queries)."""
    ministries = Organisation.objects.ministries().values_list("pk", "name")
    if not scope.everything and scope.organiser_paths:
        ministry_ids = {root for p in scope.organiser_paths if (root := path_root_id(p))}
        ministries = ministries.filter(pk__in=ministry_ids)
    return {
        "ministry": list(ministries),
        "region": list(Region.objects.values_list("pk", "name")),
        # Events borrow a placeholder course for their seats (ADR 0050): never a course here.
        "course": list(
            Course.objects.exclude(code=EVENT_COURSE_CODE).order_by("position", "title").values_list("pk", "title")
        ),
    }
