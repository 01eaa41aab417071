"""The rollups agree with counts computed directly from the records."""

from __future__ import annotations

from django.db.models import Count, Sum

from essaim.reporting.models import QuarterRollup, SessionFigures
from essaim.reporting.rollups import rollups_refresh
from essaim.reporting.selectors import Filters, Scope, dashboard
from essaim.training.models import Completion, Registration
from tests import steering_data as data

#: The rollups themselves, as a programme admin reads them (no complementary suppression).
EVERYTHING = Scope(everything=True, label="programme_admin")


def _direct_people_trained(year: int) -> int:
    return Completion.objects.filter(completed_at__year=year).values("user").distinct().count()


def test_dashboard_agrees_with_the_records(figures, year):
    board = dashboard(scope=EVERYTHING, filters=Filters(year=year))
    assert board.totals["people_trained"] == _direct_people_trained(year) == 26
    assert board.totals["completions"] == Completion.objects.filter(completed_at__year=year).count()
    assert board.totals["registrations"] == Registration.objects.filter(session__starts_at__year=year).count() == 28
    assert board.totals["sessions_held"] == 4
    assert board.totals["trainers_trained"] == 5
    assert board.totals["civil_society_sessions"] == 1
    last_year = dashboard(scope=EVERYTHING, filters=Filters(year=year - 1))
    assert last_year.totals["people_trained"] == _direct_people_trained(year - 1) == 8


def test_a_person_trained_twice_in_a_year_counts_once(figures, year, intro, trainers_course, ministry):
    session = data.held_session(course=trainers_course, organiser=ministry, people=0, when=data.moment(year, 6))
    someone = Completion.objects.filter(completed_at__year=year).first().user
    Completion.objects.create(
        user=someone,
        course=trainers_course,
        session=session,
        framework=trainers_course.framework,
        completed_at=session.ends_at,
        attendance_rate=100,
    )
    rollups_refresh()
    board = dashboard(scope=EVERYTHING, filters=Filters(year=year))
    assert board.totals["people_trained"] == _direct_people_trained(year) == 26
    assert board.totals["completions"] == 27


def test_refresh_is_incremental_and_matches_a_full_rebuild(figures, year, intro, ministry):
    before = SessionFigures.objects.count()
    session = data.held_session(
        course=intro, organiser=ministry, people=7, when=data.moment(year, 8), region=figures["idf"]
    )
    result = rollups_refresh()
    assert result.sessions == 1  # only the new session was recomputed
    assert SessionFigures.objects.count() == before + 1
    incremental = sorted(
        QuarterRollup.objects.values_list(
            "year", "quarter", "organiser_id", "region_id", "course_id", "completions", "people_trained"
        )
    )
    rollups_refresh(full=True)
    full = sorted(
        QuarterRollup.objects.values_list(
            "year", "quarter", "organiser_id", "region_id", "course_id", "completions", "people_trained"
        )
    )
    assert incremental == full
    assert (
        QuarterRollup.objects.filter(year=year, quarter=3).aggregate(n=Sum("completions"))["n"]
        == session.completions.count()
    )


def test_a_rescheduled_session_leaves_its_old_quarter(figures, year, intro, ministry):
    session = data.held_session(course=intro, organiser=ministry, people=5, when=data.moment(year, 8))
    rollups_refresh()
    assert QuarterRollup.objects.filter(year=year, quarter=3).exists()
    session.starts_at = data.moment(year, 11)
    session.save()
    rollups_refresh()
    assert not QuarterRollup.objects.filter(year=year, quarter=3).exists()
    assert QuarterRollup.objects.get(year=year, quarter=4).completions == 5


def test_quarter_rollup_is_smaller_than_the_records(figures):
    per_bucket = QuarterRollup.objects.aggregate(n=Count("id"))["n"]
    assert per_bucket < Completion.objects.count()
