"""Rollups the dashboards read, and the open-data files published from them.

Two levels, both refreshed incrementally by `reporting.rollups.rollups_refresh`:

- `SessionFigures`: one row per session with its counts (registrations, completions,
  survey answers) and the dimensions it is reported under (quarter, organiser, ministry,
  region, course). Recomputed only for sessions touched since the last refresh.
- `QuarterRollup`: the same counts summed by quarter × organiser × region × course. Its
  size grows with the number of organisers and courses, not with the number of records:
  dashboards read it and stay fast whatever the volume (see docs/adr/0030-rollups.md).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

_NO_FK: Any = {"on_delete": models.DO_NOTHING, "db_constraint": False, "related_name": "+"}


class Figures(models.Model):
    """The counts shared by both levels."""

    sessions_scheduled = models.PositiveIntegerField(default=0)
    sessions_held = models.PositiveIntegerField(default=0)
    registrations = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    # Completions that are the person's first of the calendar year: "trained this year".
    people_trained = models.PositiveIntegerField(default=0)
    # Completions that are the person's first ever: new members of the network.
    new_members = models.PositiveIntegerField(default=0)
    trainers_trained = models.PositiveIntegerField(default=0)
    civil_society_sessions = models.PositiveIntegerField(default=0)
    after_invited = models.PositiveIntegerField(default=0)
    after_answered = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    satisfaction_count = models.PositiveIntegerField(default=0)
    follow_up_invited = models.PositiveIntegerField(default=0)
    follow_up_answered = models.PositiveIntegerField(default=0)
    practising_yes = models.PositiveIntegerField(default=0)
    practising_count = models.PositiveIntegerField(default=0)

    COUNTS = (
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
    )

    class Meta:
        abstract = True


class SessionFigures(Figures):
    session = models.OneToOneField("training.Session", primary_key=True, **_NO_FK)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    organiser = models.ForeignKey("organisations.Organisation", **_NO_FK)
    ministry = models.ForeignKey("organisations.Organisation", null=True, **_NO_FK)
    region = models.ForeignKey("organisations.Region", null=True, **_NO_FK)
    course = models.ForeignKey("catalogue.Course", **_NO_FK)

    class Meta:
        verbose_name = _("chiffres d’une session")
        verbose_name_plural = _("chiffres des sessions")
        indexes = [models.Index(fields=["year", "quarter", "organiser", "course"])]

    def __str__(self) -> str:
        return f"session {self.session_id}"


class QuarterRollup(Figures):
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    organiser = models.ForeignKey("organisations.Organisation", **_NO_FK)
    ministry = models.ForeignKey("organisations.Organisation", null=True, **_NO_FK)
    region = models.ForeignKey("organisations.Region", null=True, **_NO_FK)
    course = models.ForeignKey("catalogue.Course", **_NO_FK)

    class Meta:
        verbose_name = _("agrégat trimestriel")
        verbose_name_plural = _("agrégats trimestriels")
        indexes = [models.Index(fields=["year", "quarter"]), models.Index(fields=["organiser", "year"])]

    def __str__(self) -> str:
        return f"{self.year}T{self.quarter} {self.organiser_id}/{self.region_id}/{self.course_id}"


class RollupState(models.Model):
    """Watermarks of the last refresh: what has already been rolled up."""

    last_completion_id = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    last_response_id = models.BigIntegerField(default=0)
    last_invitation_id = models.BigIntegerField(default=0)
    sessions_changed_since = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("état des agrégats")
        verbose_name_plural = _("états des agrégats")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"


class PublishedDataset(models.Model):
    """The last published version of an open-data file (CSV), served at a stable URL."""

    slug = models.SlugField(unique=True)
    content = models.TextField()
    rows = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("jeu de données publié")
        verbose_name_plural = _("jeux de données publiés")

    def __str__(self) -> str:
        return self.slug
