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


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def for_topic(self, topic: str) -> OutboxMessageQuerySet:
        return self.filter(topic=topic)


class OutboxMessage(models.Model):
    """A side effect (an e-mail, a follow-up task) recorded in the transaction of the write
    that causes it, then delivered at least once by a worker (`core/outbox.py`, ADR 0060)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    queue = models.CharField(_("file"), max_length=20)
    task = models.CharField(_("tâche"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    # What the organisers' pages look the messages up by ("training.sessionmessage:12") and
    # whom one is for ("training.registration:34"); free text, no foreign key across apps.
    topic = models.CharField(_("sujet"), max_length=80, blank=True)
    ref = models.CharField(_("destinataire"), max_length=80, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    available_at = models.DateTimeField(_("à livrer à partir de"), default=timezone.now)
    # A worker holds the message until then; past it, the relay gives it to another.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Cleared once delivered (a magic link's e-mail body is a login secret).
    sensitive = models.BooleanField(default=False)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message de la boîte d’envoi")
        verbose_name_plural = _("boîte d’envoi")
        indexes = [
            models.Index(fields=["status", "queue", "available_at"], name="outbox_due"),
            models.Index(fields=["topic"], name="outbox_topic"),
            models.Index(fields=["ref"], name="outbox_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.task} {self.status}"
