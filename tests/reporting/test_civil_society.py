"""Civil-society sessions: organised by a partner, or co-run with one — in the rollups
(incremental and full alike) and in the OGP progress report."""

from __future__ import annotations

from django.urls import reverse

from essaim.reporting.models import QuarterRollup
from essaim.reporting.rollups import rollups_refresh
from essaim.reporting.selectors import PUBLIC_SCOPE, Filters, dashboard
from essaim.training.sessions import session_set_partners
from tests import steering_data as data

COLUMNS = ("year", "quarter", "organiser_id", "region_id", "course_id", "sessions_held", "civil_society_sessions")


def _rollups():
    return sorted(QuarterRollup.objects.values_list(*COLUMNS), key=repr)


def test_a_held_session_gaining_a_partner_is_picked_up_by_the_incremental_refresh(
    client, figures, year, intro, ministry
):
    session = data.held_session(course=intro, organiser=ministry, people=4, when=data.moment(year, 4))
    rollups_refresh()
    assert dashboard(scope=PUBLIC_SCOPE, filters=Filters(year=year)).totals["civil_society_sessions"] == 1
    # Named as co-run after it was held and rolled up: only its `updated_at` changes.
    session_set_partners(session=session, partners=[figures["partner"]], acting_user=None)
    result = rollups_refresh()
    assert result.sessions == 1
    assert dashboard(scope=PUBLIC_SCOPE, filters=Filters(year=year)).totals["civil_society_sessions"] == 2
    incremental = _rollups()
    rollups_refresh(full=True)
    assert incremental == _rollups()
    report = client.get(reverse("reporting:progress"), {"year": year})
    milestone = next(
        m for m in report.context["report"]["milestones"] if m.title == "Sessions d’introduction avec la société civile"
    )
    assert "2" in milestone.measure
