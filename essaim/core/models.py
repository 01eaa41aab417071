"""The audit log: who did what to which object, when, and acting as which role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))


class AuditEntry(models.Model):
    """Append-only: rows are written by `core.services.audit_log` and never updated."""

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept even if the account is later erased, so the trail stays readable.
    actor_label = models.CharField(_("auteur (libellé)"), max_length=255, blank=True)
    actor_role = models.CharField(_("agissant en tant que"), max_length=30, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("objet"), max_length=255, blank=True)
    summary = models.CharField(_("résumé"), max_length=500, blank=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d’audit")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def get_actor_role_display(self) -> str:
        from essaim.accounts.models import Role

        labels = {
            **{choice.value: choice.label for choice in Role},
            "self": _("la personne elle-même"),
            "agent": _("agent public"),
            "system": _("système"),
            "visitor": _("visiteur"),
        }
        return str(labels.get(self.actor_role, self.actor_role))
