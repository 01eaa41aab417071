"""People, their roles and their ways in: ProConnect, magic link, API tokens."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_secret(secret: str) -> str:
    """Secrets (magic links, API tokens) are stored hashed: a leaked table opens nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class AuthSource(models.TextChoices):
        PROCONNECT = "proconnect", _("ProConnect")
        EMAIL = "email", _("Lien de connexion par courriel")
        LOCAL = "local", _("Compte local")

    class Language(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"

    email = models.EmailField(_("adresse électronique"), max_length=254, unique=True)  # stored lower-cased
    given_name = models.CharField(_("prénom"), max_length=150, blank=True)
    usual_name = models.CharField(_("nom d’usage"), max_length=150, blank=True)
    auth_source = models.CharField(
        _("mode de connexion"), max_length=20, choices=AuthSource.choices, default=AuthSource.LOCAL
    )
    proconnect_sub = models.CharField(max_length=255, null=True, blank=True, unique=True, editable=False)
    proconnect_uid = models.CharField(max_length=255, blank=True, editable=False)
    proconnect_idp_id = models.CharField(max_length=255, blank=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation actuelle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    unit = models.CharField(_("service ou unité"), max_length=255, blank=True)
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("région"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_language = models.CharField(
        _("langue préférée"), max_length=5, choices=Language.choices, default=Language.FR
    )
    mute_optional_notifications = models.BooleanField(
        _("ne plus recevoir les rappels facultatifs"),
        default=False,
        help_text=_(
            "Les messages liés à vos inscriptions (confirmation, liste d’attente, place proposée, "
            "changement, annulation, validation) vous sont toujours envoyés."
        ),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l’administration technique"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["usual_name", "given_name", "id"]
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.usual_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.given_name or self.email


class Role(models.TextChoices):
    """Roles beyond 'visitor' (not logged in) and 'agent' (any civil servant logged in)."""

    TRAINER = "trainer", _("Formateur ou formatrice")
    ORGANISER = "organiser", _("Organisateur (cellule formation)")
    LAB_COORDINATOR = "lab_coordinator", _("Coordination de laboratoire")
    PARTNER = "partner", _("Partenaire")
    PROGRAMME_ADMIN = "programme_admin", _("Administration du programme (DITP)")


#: Roles that only make sense within one organisation.
SCOPED_ROLES = frozenset({Role.ORGANISER, Role.LAB_COORDINATOR, Role.PARTNER})


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """A role held by a person, scoped to an organisation where the role needs one."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("périmètre"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [
            # Two partial indexes rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                "user",
                "role",
                "organisation",
                name="role_assignment_unique_active_scoped",
                condition=models.Q(revoked_at__isnull=True, organisation__isnull=False),
            ),
            models.UniqueConstraint(
                "user",
                "role",
                name="role_assignment_unique_active_global",
                condition=models.Q(revoked_at__isnull=True, organisation__isnull=True),
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(SCOPED_ROLES)) | models.Q(organisation__isnull=False),
                name="role_assignment_scoped_roles_have_organisation",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        label = self.get_role_display()
        return f"{label} — {self.organisation}" if self.organisation_id else str(label)


class ProConnectIdentity(models.Model):
    """One ProConnect identity bound to an account: `issuer` + `sub` (OIDC Core §5.7).

    ProConnect gives the same person a different `sub` through each identity provider (FI),
    so an account may hold several; each one after the first is bound only with proof that
    the person controls the account's address (`LoginToken.Purpose.PROCONNECT_LINK`).
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="proconnect_identities")
    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    idp_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identité ProConnect")
        verbose_name_plural = _("identités ProConnect")
        constraints = [models.UniqueConstraint("issuer", "sub", name="proconnect_identity_unique_issuer_sub")]

    def __str__(self) -> str:
        return f"{self.user} — {self.idp_id or self.sub}"


class LoginToken(models.Model):
    """A single-use link sent by e-mail: a sign-in (partners and external trainers) or the
    proof that the person who just signed in with ProConnect controls this account's address."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Connexion")
        PROCONNECT_LINK = "proconnect_link", _("Liaison d’une identité ProConnect")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="login_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.LOGIN)
    link_issuer = models.CharField(max_length=255, blank=True)
    link_sub = models.CharField(max_length=255, blank=True)
    link_idp_id = models.CharField(max_length=255, blank=True)
    link_uid = models.CharField(max_length=255, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("lien de connexion")
        verbose_name_plural = _("liens de connexion")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d %H:%M}"


class LoginAttempt(models.Model):
    """Each login try, kept a short time, so lockout and rate limits work across processes."""

    class Kind(models.TextChoices):
        PASSWORD = "password", _("Mot de passe")
        MAGIC_LINK_REQUEST = "magic_request", _("Demande de lien")
        MAGIC_LINK_USE = "magic_use", _("Utilisation de lien")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "email", "created_at"]),
            models.Index(fields=["kind", "ip_address", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.email} {self.created_at:%Y-%m-%d %H:%M}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal token for integrations: `Authorization: Bearer essaim_<prefix>_<secret>`."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")

    def __str__(self) -> str:
        return f"{self.name} (essaim_{self.prefix}_…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
