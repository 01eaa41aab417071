"""Periodic jobs of the reporting app (Huey)."""

from __future__ import annotations

from huey import crontab

from essaim.core.queues import reports_periodic_task


@reports_periodic_task(crontab(minute="*/10"))
def refresh_rollups() -> None:
    from essaim.reporting.rollups import rollups_refresh

    rollups_refresh()


@reports_periodic_task(crontab(minute="30", hour="3"))
def rebuild_rollups_nightly() -> None:
    """A full rebuild each night catches what the watermarks cannot see (a late commit)."""
    from essaim.reporting.rollups import rollups_refresh

    rollups_refresh(full=True)


@reports_periodic_task(crontab(minute="0", hour="4", day_of_week="1"))
def publish_open_data() -> None:
    from essaim.reporting.opendata import opendata_publish

    opendata_publish()
