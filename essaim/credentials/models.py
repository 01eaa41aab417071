"""Credentials: one attestation and Open Badges 3.0 credential per completion, and the
issuer's signing keys (public halves only: private keys never reach the database)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """A public key of the issuer, published in the JWKS until retired."""

    kid = models.CharField(max_length=64, unique=True)  # RFC 7638 thumbprint of the public key
    algorithm = models.CharField(max_length=10, default="EdDSA")
    public_jwk = models.JSONField()
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("clé de signature")
        verbose_name_plural = _("clés de signature")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_signing_key")
        ]

    def __str__(self) -> str:
        return self.kid


class CredentialQuerySet(models.QuerySet["Credential"]):
    def active(self) -> CredentialQuerySet:
        return self.filter(revoked_at__isnull=True)


class Credential(models.Model):
    """What a completion earns: the signed VC-JWT and the facts the attestation prints."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Formation suivie")
        TRAINER = "trainer", _("Certification de formateur")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    completion = models.OneToOneField("training.Completion", on_delete=models.CASCADE, related_name="credential")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.COMPLETION)
    code = models.CharField(_("code de vérification"), max_length=20, unique=True)
    status_index = models.PositiveIntegerField(unique=True)
    kid = models.CharField(max_length=64)
    jwt = models.TextField()
    # What the attestation prints, frozen at issuance: later edits of the session or the
    # course do not change a document already handed out.
    snapshot = models.JSONField(default=dict)
    issued_at = models.DateTimeField(_("délivrée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("motif de révocation"), blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        indexes = [
            models.Index(fields=["user", "issued_at"]),
            # The status list reads the revoked rows only.
            models.Index(fields=["revoked_at"], condition=Q(revoked_at__isnull=False), name="credential_revoked"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
