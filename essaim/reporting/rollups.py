"""Incremental refresh of the rollups (see docs/adr/0030-rollups.md).

A refresh finds the sessions touched since the watermarks (new completions, registration
events, survey invitations and responses, sessions edited), recomputes their
`SessionFigures` in a few grouped queries per chunk, then recomputes the `QuarterRollup`
rows of every quarter × organiser × region × course those sessions left or entered.
Plain ORM: the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncYear
from django.utils import timezone

from essaim.core.services import audit_log
from essaim.organisations.models import Organisation, path_root_id
from essaim.reporting.models import Figures, QuarterRollup, RollupState, SessionFigures
from essaim.surveys.models import Answer, Invitation, Question, Response, Survey
from essaim.training.models import Completion, Registration, RegistrationEvent, Session

CHUNK = 2000
Key = tuple[int, int, int, int | None, int]  # year, quarter, organiser, region, course


@dataclass(frozen=True)
class RefreshResult:
    sessions: int
    buckets: int


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def quarter_of(moment: dt.datetime) -> tuple[int, int]:
    local = timezone.localtime(moment)
    return local.year, (local.month - 1) // 3 + 1


def _session_figures(session_ids: list[int]) -> list[SessionFigures]:
    """Figures of these sessions, computed from the records in a fixed number of queries."""
    sessions = list(
        Session.objects.trainings()
        .filter(pk__in=session_ids, starts_at__isnull=False)
        .values(
            "pk",
            "starts_at",
            "status",
            "organiser_id",
            "organiser__path",
            "organiser__kind",
            "region_id",
            "course_id",
            "course__is_trainer_track",
        )
    )
    if not sessions:
        return []
    ids = [s["pk"] for s in sessions]
    # Civil society: organised by a partner, or co-run with at least one partner.
    co_run = set(
        Session.partners.through.objects.filter(
            session_id__in=ids, organisation__kind=Organisation.Kind.PARTNER
        ).values_list("session_id", flat=True)
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    row: Any
    for row in Registration.objects.filter(session_id__in=ids).values("session_id").annotate(n=Count("id")).order_by():
        counts[row["session_id"]]["registrations"] = row["n"]

    # A completion is a person's first (ever, or of its calendar year) when no earlier one
    # exists: answered in SQL through the (user, …) index, a few rows per person.
    earlier = Completion.objects.filter(user_id=OuterRef("user_id")).filter(
        Q(completed_at__lt=OuterRef("completed_at")) | Q(completed_at=OuterRef("completed_at"), id__lt=OuterRef("id"))
    )
    tz = timezone.get_current_timezone()
    for completion in (
        Completion.objects.filter(session_id__in=ids)
        .annotate(year_start=TruncYear("completed_at", tzinfo=tz))
        .values("session_id")
        .annotate(
            n=Count("id"),
            ever=Count("id", filter=~Exists(earlier)),
            in_year=Count("id", filter=~Exists(earlier.filter(completed_at__gte=OuterRef("year_start")))),
        )
        .order_by()
    ):
        figures = counts[completion["session_id"]]
        figures["completions"] = completion["n"]
        figures["new_members"] = completion["ever"]
        figures["people_trained"] = completion["in_year"]

    for row in (
        Invitation.objects.filter(completion__session_id__in=ids)
        .values("completion__session_id", "survey__kind")
        .annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by()
    ):
        prefix = "after" if row["survey__kind"] == Survey.Kind.AFTER_SESSION else "follow_up"
        counts[row["completion__session_id"]][f"{prefix}_invited"] += row["n"]
        counts[row["completion__session_id"]][f"{prefix}_answered"] += row["answered"]

    for row in (
        Answer.objects.filter(
            response__session_id__in=ids,
            question__measure__in=[Question.Measure.SATISFACTION, Question.Measure.PRACTISING],
            number__isnull=False,
        )
        .values("response__session_id", "question__measure")
        .annotate(n=Count("id"), total=Sum("number"), zeros=Count("id", filter=Q(number=0)))
        .order_by()
    ):
        figures = counts[row["response__session_id"]]
        if row["question__measure"] == Question.Measure.SATISFACTION:
            figures["satisfaction_sum"] += row["total"] or 0
            figures["satisfaction_count"] += row["n"]
        else:  # practising: a single choice whose first option is "yes"
            figures["practising_yes"] += row["zeros"]
            figures["practising_count"] += row["n"]

    rows = []
    for s in sessions:
        year, quarter = quarter_of(s["starts_at"])  # type: ignore[arg-type]  # filtered non-null above
        figures = counts[s["pk"]]
        held = s["status"] == Session.Status.DONE
        live = s["status"] in (Session.Status.PUBLISHED, Session.Status.DONE)
        rows.append(
            SessionFigures(
                session_id=s["pk"],
                year=year,
                quarter=quarter,
                organiser_id=s["organiser_id"],
                ministry_id=path_root_id(s["organiser__path"]),
                region_id=s["region_id"],
                course_id=s["course_id"],
                sessions_scheduled=int(live),
                sessions_held=int(held),
                civil_society_sessions=int(
                    held and (s["organiser__kind"] == Organisation.Kind.PARTNER or s["pk"] in co_run)
                ),
                trainers_trained=figures["completions"] if s["course__is_trainer_track"] else 0,
                **{
                    name: figures[name]
                    for name in Figures.COUNTS
                    if name not in {"sessions_scheduled", "sessions_held", "civil_society_sessions", "trainers_trained"}
                },
            )
        )
    return rows


def _key(row: Any) -> Key:
    return (row.year, row.quarter, row.organiser_id, row.region_id, row.course_id)


def _apply_deltas(deltas: dict[Key, dict[str, int]], ministries: dict[Key, int | None]) -> int:
    """Add each bucket's change (new session figures minus old) to the quarter rollups.

    A bucket is the sum of its sessions' figures, so the change is exact and costs nothing
    more than the touched buckets: no re-aggregation of the rows already rolled up.
    """
    if not deltas:
        return 0
    superset = {
        "year__in": {k[0] for k in deltas},
        "organiser_id__in": {k[2] for k in deltas},
        "course_id__in": {k[4] for k in deltas},
    }
    touched = [
        pk
        for pk, *key in QuarterRollup.objects.filter(**superset).values_list(
            "pk", "year", "quarter", "organiser_id", "region_id", "course_id"
        )
        if tuple(key) in deltas
    ]
    existing = {_key(row): row for chunk in _chunks(touched) for row in QuarterRollup.objects.filter(pk__in=chunk)}
    # Touched rows are replaced (one DELETE, one INSERT): far cheaper than bulk_update's
    # CASE WHEN per field and row, and nothing refers to a rollup row's id.
    stale = [row.pk for row in existing.values()]
    replaced: list[QuarterRollup] = []
    for key, delta in deltas.items():
        row = existing.get(key)
        if row is None:
            row = QuarterRollup(
                year=key[0],
                quarter=key[1],
                organiser_id=key[2],
                region_id=key[3],
                course_id=key[4],
                ministry_id=ministries.get(key),
            )
        for name in Figures.COUNTS:
            setattr(row, name, (getattr(row, name) or 0) + delta.get(name, 0))
        # An all-zero bucket adds nothing to any sum: dropped (it comes back with its next session).
        if any(getattr(row, name) for name in Figures.COUNTS):
            row.pk = None
            replaced.append(row)
    for chunk in _chunks(stale):
        QuarterRollup.objects.filter(pk__in=chunk).delete()
    QuarterRollup.objects.bulk_create(replaced, batch_size=1000)
    return len(deltas)


def _refresh_sessions(session_ids: set[int]) -> tuple[dict[Key, dict[str, int]], dict[Key, int | None]]:
    """Recompute these sessions' figures; return each touched bucket's change."""
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ministries: dict[Key, int | None] = {}
    for chunk in _chunks(sorted(session_ids)):
        old = list(SessionFigures.objects.filter(session_id__in=chunk))
        for row in old:
            delta = deltas[_key(row)]
            for name in Figures.COUNTS:
                delta[name] -= getattr(row, name)
        SessionFigures.objects.filter(session_id__in=chunk).delete()
        new = _session_figures(chunk)
        for row in new:
            delta = deltas[_key(row)]
            ministries[_key(row)] = row.ministry_id
            for name in Figures.COUNTS:
                delta[name] += getattr(row, name)
        SessionFigures.objects.bulk_create(new, batch_size=1000)
    return {k: dict(d) for k, d in deltas.items()}, ministries


@transaction.atomic(durable=True)
def rollups_refresh(*, full: bool = False) -> RefreshResult:
    """Bring the rollups up to date with the records; `full` recomputes everything."""
    state, _ = RollupState.objects.select_for_update().get_or_create(pk=1)
    started = timezone.now()
    tops = {
        "completion": Completion.objects.aggregate(m=Max("id"))["m"] or 0,
        "event": RegistrationEvent.objects.aggregate(m=Max("id"))["m"] or 0,
        "response": Response.objects.aggregate(m=Max("id"))["m"] or 0,
        "invitation": Invitation.objects.aggregate(m=Max("id"))["m"] or 0,
    }
    if full:
        SessionFigures.objects.all().delete()
        QuarterRollup.objects.all().delete()
        dirty = set(Session.objects.values_list("pk", flat=True))
    else:
        dirty = set(
            Completion.objects.filter(id__gt=state.last_completion_id, id__lte=tops["completion"]).values_list(
                "session_id", flat=True
            )
        )
        dirty.update(
            RegistrationEvent.objects.filter(id__gt=state.last_event_id, id__lte=tops["event"]).values_list(
                "registration__session_id", flat=True
            )
        )
        dirty.update(
            Response.objects.filter(id__gt=state.last_response_id, id__lte=tops["response"]).values_list(
                "session_id", flat=True
            )
        )
        dirty.update(
            Invitation.objects.filter(id__gt=state.last_invitation_id, id__lte=tops["invitation"]).values_list(
                "completion__session_id", flat=True
            )
        )
        changed = Session.objects.all()
        if state.sessions_changed_since:
            changed = changed.filter(updated_at__gte=state.sessions_changed_since)
        dirty.update(changed.values_list("pk", flat=True))
    deltas, ministries = _refresh_sessions(dirty)
    buckets = _apply_deltas(deltas, ministries)
    state.last_completion_id = tops["completion"]
    state.last_event_id = tops["event"]
    state.last_response_id = tops["response"]
    state.last_invitation_id = tops["invitation"]
    state.sessions_changed_since = started
    state.refreshed_at = timezone.now()
    state.save()
    if full:
        audit_log(actor=None, role="system", action="reporting.rollups.rebuild", summary=f"{len(dirty)} sessions")
    return RefreshResult(sessions=len(dirty), buckets=buckets)
