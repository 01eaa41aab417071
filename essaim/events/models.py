"""Inspirational events (conference, webinar, visit) with their speakers, replay and resources.

An event owns a `training.Session` of kind "event" for its seats: registration, waiting
list, offers, cancellation and notifications are the training engine's (ADR 0050). The
session also carries the date, the place, the organiser and the co-running partners.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from essaim.training.models import Session


class EventQuerySet(models.QuerySet["Event"]):
    def visible(self) -> EventQuerySet:
        """Events a visitor may see: published, held or cancelled, not drafts."""
        return self.filter(
            session__status__in=[Session.Status.PUBLISHED, Session.Status.DONE, Session.Status.CANCELLED]
        )


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Conférence")
        WEBINAR = "webinar", _("Webinaire")
        VISIT = "visit", _("Visite")

    session = models.OneToOneField(
        "training.Session", verbose_name=_("places"), on_delete=models.PROTECT, related_name="event"
    )
    kind = models.CharField(_("type d’événement"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    description = models.TextField(_("présentation"))
    replay_url = models.URLField(_("lien du replay"), blank=True)
    resources = models.ManyToManyField(
        "library.Resource", verbose_name=_("ressources liées"), blank=True, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    """Who speaks at an event: only what is public (name, affiliation), never contact details."""

    class Kind(models.TextChoices):
        CIVIL_SOCIETY = "civil_society", _("Société civile")
        ACADEMIA = "academia", _("Recherche")
        ADMINISTRATION = "administration", _("Administration")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("nom"), max_length=150)
    affiliation = models.CharField(_("structure"), max_length=200, blank=True)
    kind = models.CharField(_("origine"), max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "id"]
        verbose_name = _("intervenant")
        verbose_name_plural = _("intervenants")

    def __str__(self) -> str:
        return self.name
