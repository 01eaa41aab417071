"""Courses of the common catalogue and the rules that make the path incremental."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseQuerySet(models.QuerySet["Course"]):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Course.Status.PUBLISHED)


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        ARCHIVED = "archived", _("Archivée")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("En présentiel")
        REMOTE = "remote", _("À distance")
        HYBRID = "hybrid", _("Hybride")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("résumé"))
    objectives = models.TextField(_("objectifs"), blank=True)
    audience = models.CharField(_("public"), max_length=300, blank=True)
    duration_half_days = models.PositiveSmallIntegerField(
        _("durée (demi-journées)"), validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_introduction = models.BooleanField(
        _("formation d’introduction"), default=False, help_text=_("Comptée dans l’objectif d’une session par trimestre")
    )
    is_trainer_track = models.BooleanField(_("parcours de formateurs"), default=False)
    framework = models.ForeignKey(
        "framework.FrameworkVersion", verbose_name=_("référentiel"), on_delete=models.PROTECT, related_name="courses"
    )
    completion_threshold = models.PositiveSmallIntegerField(
        _("présence requise pour valider (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # Practice required before taking the course ("at least 2 facilitated workshops in the last 12 months").
    min_practice_entries = models.PositiveSmallIntegerField(_("ateliers animés requis"), default=0)
    practice_window_months = models.PositiveSmallIntegerField(_("sur les derniers (mois)"), default=12)
    position = models.PositiveSmallIntegerField(_("ordre dans le parcours"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("formation")
        verbose_name_plural = _("formations")

    def __str__(self) -> str:
        return self.title

    @property
    def duration_days(self) -> float:
        return self.duration_half_days / 2


class CourseOutcome(models.Model):
    """A competency of the framework the course develops, and to which level."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="outcomes")
    competency = models.ForeignKey("framework.Competency", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("framework.Level", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["course", "competency__position"]
        verbose_name = _("compétence visée")
        verbose_name_plural = _("compétences visées")
        constraints = [models.UniqueConstraint("course", "competency", name="outcome_unique_per_competency")]

    def __str__(self) -> str:
        return f"{self.course} → {self.competency} ({self.level})"


class Prerequisite(models.Model):
    """Prerequisites in conjunctive form: every group must be satisfied (all-of), and a
    group is satisfied by completing any one of its courses (one-of)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="prerequisites")
    group = models.PositiveSmallIntegerField(_("groupe"), default=1)
    required_course = models.ForeignKey(
        Course, verbose_name=_("formation requise"), on_delete=models.PROTECT, related_name="required_by"
    )

    class Meta:
        ordering = ["course", "group", "id"]
        verbose_name = _("prérequis")
        verbose_name_plural = _("prérequis")
        constraints = [
            models.UniqueConstraint("course", "group", "required_course", name="prerequisite_unique"),
            models.CheckConstraint(
                condition=~models.Q(course=models.F("required_course")), name="prerequisite_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} ← {self.required_course} (groupe {self.group})"
