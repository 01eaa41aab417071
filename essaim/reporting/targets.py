"""Progress against the commitment's targets (500 agents trained a year, one session a
quarter): percentage, projection at the current pace and status. Shared by the public
dashboard and the OGP progress report so that both say the same thing.

Counts of people arrive already suppressed (None under the threshold); a projection is
never computed from a suppressed count (it would give the hidden figure back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from essaim.reporting.models import RollupState
from essaim.reporting.selectors import TARGET_SESSIONS_PER_QUARTER, TARGET_TRAINED_PER_YEAR


def year_elapsed(*, year: int, today: dt.date) -> float:
    """Share of `year` gone by at the end of `today` (0 before it starts, 1 after it ends)."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return ((today - start).days + 1) / days


def quarters_ended(*, year: int, today: dt.date) -> int:
    """Quarters of `year` entirely over on `today`."""
    if year < today.year:
        return 4
    if year > today.year:
        return 0
    return (today.month - 1) // 3


@dataclass(frozen=True)
class TargetProgress:
    slug: str
    value: int | None  # None: fewer people than the threshold, not shown
    target: int
    percent: int | None  # of the target, may exceed 100
    bar: int  # 0–100, what the progress bar draws
    projection: int | None  # at the current pace by the end of the year; None when unknown
    status: str  # done, in_progress, late, not_reached, not_started, future

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]


def _percent(value: int | None, target: int) -> tuple[int | None, int]:
    if value is None:
        return None, 0
    percent = round(100 * value / target)
    return percent, min(percent, 100)


def trained_progress(*, trained: int | None, year: int, today: dt.date) -> TargetProgress:
    """Agents trained in `year` against 500. Late when the current pace ends below it."""
    target = TARGET_TRAINED_PER_YEAR
    elapsed = year_elapsed(year=year, today=today)
    percent, bar = _percent(trained, target)
    projection = None
    if trained is not None and elapsed > 0:
        projection = trained if elapsed >= 1 else round(trained / elapsed)
    if elapsed == 0:
        status = "future"
    elif trained is not None and trained >= target:
        status = "done"
    elif elapsed >= 1:
        status = "not_reached"
    elif projection is None:
        # A suppressed count (< threshold) is far below any pace reaching the target.
        status = "late" if quarters_ended(year=year, today=today) else "in_progress"
    elif projection < target:
        status = "late" if projection or quarters_ended(year=year, today=today) else "not_started"
    else:
        status = "in_progress"
    return TargetProgress("trained", trained, target, percent, bar, projection, status)


def sessions_progress(*, held_by_quarter: dict[int, int], year: int, today: dt.date) -> TargetProgress:
    """Quarters with at least one session held, out of four. Late as soon as an ended
    quarter had none; the projection is the best still reachable (every remaining quarter
    covered)."""
    ended = quarters_ended(year=year, today=today)
    covered = sum(1 for q in range(1, 5) if (held_by_quarter.get(q) or 0) >= TARGET_SESSIONS_PER_QUARTER)
    missed = sum(1 for q in range(1, ended + 1) if (held_by_quarter.get(q) or 0) < TARGET_SESSIONS_PER_QUARTER)
    percent, bar = _percent(covered, 4)
    elapsed = year_elapsed(year=year, today=today)
    projection = None if elapsed == 0 else 4 - missed
    if elapsed == 0:
        status = "future"
    elif covered == 4:
        status = "done"
    elif elapsed >= 1:
        status = "not_reached"
    elif missed:
        status = "late"
    elif covered:
        status = "in_progress"
    else:
        status = "not_started"
    return TargetProgress("sessions", covered, 4, percent, bar, projection, status)


def status_label(status: str) -> str:
    labels = {
        "done": _("Atteint"),
        "in_progress": _("En cours"),
        "late": _("En retard"),
        "not_reached": _("Non atteint"),
        "not_started": _("Non commencé"),
        "future": _("À venir"),
        "not_measured": _("Non mesuré par Essaim"),
    }
    return labels[status]


#: DSFR badge modifier per status (the text says it; the colour only repeats it).
STATUS_BADGES = {
    "done": "fr-badge--success",
    "in_progress": "fr-badge--info",
    "late": "fr-badge--warning",
    "not_reached": "fr-badge--error",
    "not_started": "fr-badge--new",
    "future": "",
    "not_measured": "",
}


def data_as_of() -> dt.datetime | None:
    """When the rollups were last refreshed: the date the figures are true at (one query)."""
    return (
        RollupState.objects.filter(refreshed_at__isnull=False)
        .order_by("-refreshed_at")
        .values_list("refreshed_at", flat=True)
        .first()
    )


def dashboard_targets(
    *, trained: int | None, held_by_quarter: dict[int, int], year: int, today: dt.date
) -> list[TargetProgress]:
    """The two targets of the public dashboard, from the year's (unfiltered) figures."""
    return [
        trained_progress(trained=trained, year=year, today=today),
        sessions_progress(held_by_quarter=held_by_quarter, year=year, today=today),
    ]
