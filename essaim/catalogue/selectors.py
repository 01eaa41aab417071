"""Reads about courses and the path: who may take what next, and why not."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from essaim.catalogue.models import Course, CourseOutcome, Prerequisite


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def course_list(*, published_only: bool = True) -> QuerySet[Course]:
    qs = Course.objects.all()
    if published_only:
        qs = qs.published()
    return qs.prefetch_related(
        Prefetch("outcomes", queryset=CourseOutcome.objects.select_related("competency", "level")),
        Prefetch("prerequisites", queryset=Prerequisite.objects.select_related("required_course")),
    ).order_by("position", "title")


def _months_ago(months: int, *, today: dt.date) -> dt.date:
    """The same day `months` months earlier, clamped to the end of a shorter month."""
    year, month = divmod(today.month - 1 - months, 12)
    target_year, target_month = today.year + year, month + 1
    last_day = calendar.monthrange(target_year, target_month)[1]
    return dt.date(target_year, target_month, min(today.day, last_day))


def course_eligibility(
    *,
    user: Any,
    course: Course,
    completed_course_ids: set[int] | None = None,
    practice_dates: list[dt.date] | None = None,
) -> Eligibility:
    """Whether `user` may register for `course`, with the reasons in plain language.

    Completed courses and practice dates can be passed in when checking many courses at
    once (the path page); otherwise they are read here.
    """
    from essaim.practice.models import PracticeEntry
    from essaim.training.models import Completion

    reasons: list[str] = []
    groups: dict[int, list[Prerequisite]] = {}
    for prerequisite in course.prerequisites.all():
        groups.setdefault(prerequisite.group, []).append(prerequisite)
    if groups and completed_course_ids is None:
        completed_course_ids = set(Completion.objects.filter(user=user).values_list("course_id", flat=True))
    completed_course_ids = completed_course_ids or set()
    for _group, options in sorted(groups.items()):
        if not any(option.required_course_id in completed_course_ids for option in options):
            titles = [f"« {option.required_course.title} »" for option in options]
            if len(titles) == 1:
                reasons.append(_("Il faut d’abord avoir validé la formation %(title)s.") % {"title": titles[0]})
            else:
                reasons.append(
                    _("Il faut d’abord avoir validé l’une de ces formations : %(titles)s.")
                    % {"titles": ", ".join(titles)}
                )
    if course.min_practice_entries:
        since = _months_ago(course.practice_window_months, today=timezone.localdate())
        if practice_dates is None:
            count = PracticeEntry.objects.filter(user=user, date__gte=since).count()
        else:
            count = sum(1 for day in practice_dates if day >= since)
        if count < course.min_practice_entries:
            reasons.append(
                ngettext(
                    "Il faut avoir animé au moins %(required)d atelier ces %(months)d derniers mois "
                    "(vous en avez déclaré %(count)d dans votre journal de pratique).",
                    "Il faut avoir animé au moins %(required)d ateliers ces %(months)d derniers mois "
                    "(vous en avez déclaré %(count)d dans votre journal de pratique).",
                    course.min_practice_entries,
                )
                % {"required": course.min_practice_entries, "months": course.practice_window_months, "count": count}
            )
    return Eligibility(eligible=not reasons, reasons=reasons)


@dataclass
class PathStep:
    course: Course
    completed_at: dt.datetime | None = None
    eligibility: Eligibility | None = None
    upcoming_sessions: int = 0

    @property
    def state(self) -> str:
        if self.completed_at:
            return "completed"
        if self.eligibility is None:
            return "visitor"
        return "open" if self.eligibility.eligible else "locked"


def learning_path(*, user: Any, courses: list[Course] | None = None) -> list[PathStep]:
    """Every published course in path order, with what the person has done and may take
    next — in a fixed number of queries whatever the number of courses."""
    from django.db.models import Count

    from essaim.practice.models import PracticeEntry
    from essaim.training.models import Completion, Session

    if courses is None:
        courses = list(course_list())
    counts = dict(
        Session.objects.filter(course__in=courses, status=Session.Status.PUBLISHED, starts_at__gte=timezone.now())
        .values("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    if user is None:
        return [PathStep(course=c, upcoming_sessions=counts.get(c.pk, 0)) for c in courses]
    completed: dict[int, dt.datetime] = {}
    for course_id, completed_at in Completion.objects.filter(user=user).values_list("course_id", "completed_at"):
        completed.setdefault(course_id, completed_at)
    practice_dates = list(PracticeEntry.objects.filter(user=user).values_list("date", flat=True))
    steps = []
    for course in courses:
        eligibility = course_eligibility(
            user=user, course=course, completed_course_ids=set(completed), practice_dates=practice_dates
        )
        steps.append(
            PathStep(
                course=course,
                completed_at=completed.get(course.pk),
                eligibility=eligibility,
                upcoming_sessions=counts.get(course.pk, 0),
            )
        )
    return steps
