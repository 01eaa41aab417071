"""Reads of the delegation: the public page, one's application, the selection and its balance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from essaim.delegation.models import Application, Call
from essaim.organisations.models import Organisation, Region

Status = Application.Status


def current_call() -> Call | None:
    """The most recent call the public may see."""
    return Call.objects.visible().select_related("report").order_by("-year").first()


def past_calls(*, exclude: Call | None = None) -> list[Call]:
    calls = Call.objects.visible().select_related("report").order_by("-year")
    if exclude is not None:
        calls = calls.exclude(pk=exclude.pk)
    return list(calls)


def application_of(*, call: Call, user: Any) -> Application | None:
    return Application.objects.filter(call=call, user=user).select_related("ministry", "region").first()


def applications_for_selection(
    *, call: Call, status: str = "", ministry: int | None = None, region: str = ""
) -> QuerySet[Application]:
    applications = Application.objects.filter(call=call).select_related("user", "ministry", "region")
    if status:
        applications = applications.filter(status=status)
    if ministry:
        applications = applications.filter(ministry_id=ministry)
    if region:
        applications = applications.filter(region_id=region)
    return applications.order_by("status", "reserve_rank", "created_at")


@dataclass
class BalanceRow:
    key: Any
    name: str
    applications: int
    selected: int
    reserve: int
    share_of_applications: int  # percent of all active applications
    share_of_seats: int  # percent of the call's seats
    over_quota: bool = False
    at_quota: bool = False
    none_selected: bool = False


@dataclass
class Balance:
    seats: int
    selected: int
    reserve: int
    applications: int
    ministries: list[BalanceRow] = field(default_factory=list)
    regions: list[BalanceRow] = field(default_factory=list)
    regions_without_applicant: list[str] = field(default_factory=list)

    @property
    def free_seats(self) -> int:
        return max(self.seats - self.selected, 0)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def selection_balance(*, call: Call) -> Balance:
    """Per ministry and per region: applications, selected, reserve, their shares, and the
    flags the selection committee looks for (over quota, regions with nobody selected).
    Three queries whatever the number of applications."""
    counts = {
        "n": Count("id"),
        "selected": Count("id", filter=Q(status=Status.SELECTED)),
        "reserve": Count("id", filter=Q(status=Status.RESERVE)),
    }
    active = Application.objects.filter(call=call).active()
    by_ministry: list[dict[str, Any]] = [dict(r) for r in active.values("ministry_id").annotate(**counts).order_by()]
    by_region: list[dict[str, Any]] = [dict(r) for r in active.values("region_id").annotate(**counts).order_by()]
    total = sum(row["n"] for row in by_ministry)
    ministry_ids = [row["ministry_id"] for row in by_ministry if row["ministry_id"]]
    names = {o.pk: str(o) for o in Organisation.objects.filter(pk__in=ministry_ids).only("name", "short_name")}
    region_names = dict(Region.objects.values_list("code", "name"))
    balance = Balance(
        seats=call.seats,
        selected=sum(row["selected"] for row in by_ministry),
        reserve=sum(row["reserve"] for row in by_ministry),
        applications=total,
    )
    for row in by_ministry:
        key = row["ministry_id"]
        balance.ministries.append(
            BalanceRow(
                key=key,
                name=names.get(key, "") if key else "",
                applications=row["n"],
                selected=row["selected"],
                reserve=row["reserve"],
                share_of_applications=_percent(row["n"], total),
                share_of_seats=_percent(row["selected"], call.seats),
                over_quota=bool(key) and row["selected"] > call.ministry_quota,
                at_quota=bool(key) and row["selected"] == call.ministry_quota,
                none_selected=row["selected"] == 0,
            )
        )
    for row in by_region:
        key = row["region_id"]
        balance.regions.append(
            BalanceRow(
                key=key,
                name=region_names.get(key, "") if key else "",
                applications=row["n"],
                selected=row["selected"],
                reserve=row["reserve"],
                share_of_applications=_percent(row["n"], total),
                share_of_seats=_percent(row["selected"], call.seats),
                over_quota=bool(key and call.region_quota) and row["selected"] > (call.region_quota or 0),
                at_quota=bool(key and call.region_quota) and row["selected"] == call.region_quota,
                none_selected=row["selected"] == 0,
            )
        )
    balance.ministries.sort(key=lambda r: (not r.name, r.name))
    balance.regions.sort(key=lambda r: (not r.name, r.name))
    seen = {row["region_id"] for row in by_region}
    balance.regions_without_applicant = sorted(name for code, name in region_names.items() if code not in seen)
    return balance


def ministry_choices(*, call: Call) -> list[tuple[int, str]]:
    ids = Application.objects.filter(call=call).exclude(ministry=None).values("ministry_id")
    return [(o.pk, str(o)) for o in Organisation.objects.filter(pk__in=ids).only("name", "short_name")]


def region_choices(*, call: Call) -> list[tuple[str, str]]:
    ids = Application.objects.filter(call=call).exclude(region=None).values("region_id")
    return list(Region.objects.filter(code__in=ids).values_list("code", "name"))
