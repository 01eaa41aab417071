"""The workshops a trained person facilitates: the evidence of regular practice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PracticeEntryQuerySet(models.QuerySet["PracticeEntry"]):
    def since(self, date: dt.date) -> PracticeEntryQuerySet:
        return self.filter(date__gte=date)


class PracticeEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_entries")
    date = models.DateField(_("date de l’atelier"))
    title = models.CharField(_("intitulé"), max_length=200)
    method = models.CharField(_("méthode"), max_length=200, help_text=_("Par exemple : world café, forum ouvert"))
    audience = models.CharField(_("public"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(
        _("nombre de participants"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    outcome = models.TextField(_("ce qui a marché, ce qui est à revoir"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PracticeEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("atelier animé")
        verbose_name_plural = _("ateliers animés")
        indexes = [models.Index(fields=["user", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"
