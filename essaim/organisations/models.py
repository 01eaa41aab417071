"""Organisations: where civil servants and partners work.

Organisations form a tree (ministry → directorate → service). Each row keeps a
materialised `path` of its ancestors' ids so that "is X inside the scope of Y" — the
question every organiser permission asks — is a string prefix test with no query.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a Luhn checksum (La Poste's establishments excepted)."""
    if not value.isdigit() or len(value) != 14:
        raise ValidationError(_("Un SIRET comporte exactement 14 chiffres."), code="siret_format")
    if value.startswith("356000000"):
        if sum(int(c) for c in value) % 5 != 0:
            raise ValidationError(_("Ce SIRET n’est pas valide (clé de contrôle)."), code="siret_checksum")
        return
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    if total % 10 != 0:
        raise ValidationError(_("Ce SIRET n’est pas valide (clé de contrôle)."), code="siret_checksum")


class Region(models.Model):
    """A French region (INSEE COG code)."""

    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    """A French département (INSEE COG code, e.g. 2A, 69, 974)."""

    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def within(self, organisation: Organisation) -> OrganisationQuerySet:
        """The organisation itself and everything below it in the tree."""
        return self.filter(path__startswith=organisation.path)

    def ministries(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.MINISTRY)

    def labs(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.LAB)

    def partners(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.PARTNER)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministère")
        DIRECTORATE = "directorate", _("Direction")
        SERVICE = "service", _("Service")
        LAB = "lab", _("Laboratoire régional d’innovation publique")
        PREFECTURE = "prefecture", _("Préfecture")
        OPERATOR = "operator", _("Opérateur ou établissement public")
        PARTNER = "partner", _("Partenaire de la société civile")
        ACADEMIC = "academic", _("Organisme de recherche ou d’enseignement")
        TRAINING_BODY = "training_body", _("Organisme de formation")

    PUBLIC_KINDS = frozenset({Kind.MINISTRY, Kind.DIRECTORATE, Kind.SERVICE, Kind.LAB, Kind.PREFECTURE, Kind.OPERATOR})

    name = models.CharField(_("nom"), max_length=255)
    short_name = models.CharField(_("nom court"), max_length=80, blank=True)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("organisation parente"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, default="", validators=[validate_siret], db_index=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint("siret", name="organisation_siret_unique", condition=~models.Q(siret="")),
            models.UniqueConstraint(Lower("name"), "parent", name="organisation_name_unique_in_parent"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_public_body(self) -> bool:
        return self.kind in self.PUBLIC_KINDS

    def is_within(self, other: Organisation) -> bool:
        """True when this organisation is `other` or lies below it in the tree."""
        return bool(self.path) and bool(other.path) and self.path.startswith(other.path)

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)


def path_ids(path: str) -> list[int]:
    """The ids in a materialised path, top of the tree first ("/3/17/" → [3, 17])."""
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def ministry_id_of(organisation: Organisation | None) -> int | None:
    """The ministry an organisation belongs to: the top-most organisation of kind ministry
    among itself and its ancestors, or None when its tree has none (an association, a lab).
    The materialised path is read when it is written, the parent chain otherwise (rows
    imported without a path): the root of a path is not always a ministry."""
    if organisation is None:
        return None
    ids = path_ids(organisation.path)
    if not ids or ids[-1] != organisation.pk:
        ids = []
        current: int | None = organisation.pk
        while current is not None and current not in ids and len(ids) < 32:
            ids.insert(0, current)
            current = Organisation.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    ministries = set(
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.MINISTRY).values_list("pk", flat=True)
    )
    return next((pk for pk in ids if pk in ministries), None)


def path_root_id(path: str) -> int | None:
    """The top of the tree a path leads down from: the ministry for a public body."""
    ids = path_ids(path)
    return ids[0] if ids else None


class Affiliation(models.Model):
    """One post held by a person: the record follows them when they change jobs."""

    class Source(models.TextChoices):
        PROCONNECT = "proconnect", _("ProConnect")
        SELF = "self", _("Déclaré par la personne")
        ADMIN = "admin", _("Saisi par un administrateur")
        IMPORT = "import", _("Import")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliations")
    unit = models.CharField(_("service ou unité"), max_length=255, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SELF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            # At most one open post per person at a time.
            models.UniqueConstraint(
                "user", name="affiliation_one_current_per_user", condition=models.Q(end_date__isnull=True)
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="affiliation_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.start_date:%Y-%m-%d})"

    @property
    def is_current(self) -> bool:
        return self.end_date is None
