"""The common competency framework, versioned.

A version is drafted, then published; a published version is frozen (services refuse to
change it) and every record made against it — a course's outcomes, a completion — keeps
pointing at it, so history never changes meaning when the framework evolves.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkVersionQuerySet(models.QuerySet["FrameworkVersion"]):
    def published(self) -> FrameworkVersionQuerySet:
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)

    def current(self) -> FrameworkVersion | None:
        """The latest published version, the one new courses and pages use."""
        return self.published().order_by("-published_at", "-id").first()


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")

    version = models.CharField(_("version"), max_length=20, unique=True, help_text=_("Par exemple 2026.1"))
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("version d’origine"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")

    def __str__(self) -> str:
        return f"{self.title} — {self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Level(models.Model):
    """A level of mastery within a version, e.g. 1 discover, 2 practise, 3 master, 4 pass on."""

    framework = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("rang"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["framework", "rank"]
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")
        constraints = [
            models.UniqueConstraint("framework", "rank", name="level_rank_unique_in_framework"),
            models.UniqueConstraint("framework", "code", name="level_code_unique_in_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class Competency(models.Model):
    """A node of the competency tree (domains at the top, competencies below)."""

    framework = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="competencies")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.SlugField(_("code"), max_length=60, help_text=_("Stable d’une version à l’autre"))
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["framework", "position", "id"]
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        constraints = [models.UniqueConstraint("framework", "code", name="competency_code_unique_in_framework")]

    def __str__(self) -> str:
        return self.name


class LevelDescriptor(models.Model):
    """What a person can do at a level of a competency."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="descriptors")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="descriptors")
    text = models.TextField(_("descripteur"))

    class Meta:
        ordering = ["competency", "level__rank"]
        verbose_name = _("descripteur de niveau")
        verbose_name_plural = _("descripteurs de niveau")
        constraints = [models.UniqueConstraint("competency", "level", name="descriptor_unique_per_level")]

    def __str__(self) -> str:
        return f"{self.competency} — {self.level}"
