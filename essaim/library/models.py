"""The shared resource library: resources, their files, versions, reports, feedback, collections.

The full-text index is not a model field: its columns are database-specific (a weighted
tsvector on PostgreSQL, an FTS5 table on SQLite) and live in migration 0002, written and
read only by `library/search.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=Resource.Status.PUBLISHED).exclude(visibility=Resource.Visibility.DRAFT)

    def visible_to(self, user: Any) -> ResourceQuerySet:
        """What `user` may find in lists, search, facets and the API: published resources,
        agents-only ones for signed-in people. Moderators and authors reach their other
        resources through their own pages, never through the public library."""
        qs = self.published()
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return qs.filter(visibility=Resource.Visibility.PUBLIC)
        return qs


class Resource(models.Model):
    class Type(models.TextChoices):
        METHOD = "method", _("Fiche méthode")
        TEMPLATE = "template", _("Modèle")
        CASE_STUDY = "case_study", _("Retour d’expérience")
        GUIDE = "guide", _("Guide")
        RECORDING = "recording", _("Enregistrement")
        TRAINING = "training", _("Support de formation")

    class Licence(models.TextChoices):
        ETALAB = "etalab-2.0", _("Licence Ouverte 2.0 (Etalab)")
        CC_BY = "cc-by-4.0", _("CC BY 4.0")
        CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
        CC_BY_NC_SA = "cc-by-nc-sa-4.0", _("CC BY-NC-SA 4.0")
        RESERVED = "all-rights-reserved", _("Tous droits réservés")

    class Audience(models.TextChoices):
        ALL = "all", _("Tous publics")
        AGENTS = "agents", _("Agents publics")
        FACILITATORS = "facilitators", _("Facilitateurs et facilitatrices")
        MANAGERS = "managers", _("Encadrement")
        ELECTED = "elected", _("Élus")
        CITIZENS = "citizens", _("Citoyens et associations")

    class Language(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("Anglais")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Publique")
        AGENTS = "agents", _("Agents connectés seulement")
        DRAFT = "draft", _("Brouillon (invisible)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("En attente de modération")
        CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
        PUBLISHED = "published", _("Publiée")
        REJECTED = "rejected", _("Refusée")

    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), max_length=1000)
    body = models.TextField(_("contenu"), blank=True, help_text=_("HTML nettoyé"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.METHOD)
    competencies = models.ManyToManyField(
        "framework.Competency", verbose_name=_("compétences"), blank=True, related_name="resources"
    )
    themes = models.JSONField(_("thèmes"), default=list, blank=True)
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    language = models.CharField(_("langue"), max_length=5, choices=Language.choices, default=Language.FR)
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices, default=Licence.ETALAB)
    licence_reason = models.CharField(_("motif de la réserve de droits"), max_length=300, blank=True)
    authors = models.CharField(_("auteurs"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
    )
    visibility = models.CharField(_("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    moderation_reason = models.TextField(_("motif de la modération"), blank=True)
    feedback_enabled = models.BooleanField(_("avis des lecteurs"), default=True)
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contributeur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_resources",
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    view_count = models.PositiveIntegerField(_("consultations"), default=0)
    download_count = models.PositiveIntegerField(_("téléchargements"), default=0)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        indexes = [models.Index(fields=["status", "visibility", "-published_at"], name="library_res_listing")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(licence="all-rights-reserved") | ~Q(licence_reason=""),
                name="library_reserved_licence_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("library:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC


def _upload_to(instance: ResourceFile, filename: str) -> str:
    return f"library/{instance.resource_id}/{filename}"


class ResourceFile(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("fichier"), upload_to=_upload_to, max_length=300)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("format"), max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("taille"))

    class TextStatus(models.TextChoices):
        NONE = "none", _("sans texte")  # an image
        PENDING = "pending", _("extraction en attente")
        DONE = "done", _("texte lu")
        FAILED = "failed", _("extraction impossible")

    text = models.TextField(_("texte extrait"), blank=True)
    # The text is extracted after the upload, by a task of the reports queue (services.py
    # resource_file_text_extract): the upload request only checks the file.
    text_status = models.CharField(
        _("extraction du texte"), max_length=10, choices=TextStatus.choices, default=TextStatus.DONE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("fichier")
        verbose_name_plural = _("fichiers")

    def __str__(self) -> str:
        return self.name


class ResourceLink(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("adresse"), max_length=500)
    label = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        ordering = ["id"]
        verbose_name = _("lien")
        verbose_name_plural = _("liens")

    def __str__(self) -> str:
        return self.label


class ResourceVersion(models.Model):
    """A snapshot taken at each edit: the history of a resource (append-only)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("numéro"))
    data = models.JSONField(_("contenu"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [models.UniqueConstraint("resource", "number", name="library_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"


class ResourceReport(models.Model):
    class Reason(models.TextChoices):
        OUTDATED = "outdated", _("Obsolète")
        ERROR = "error", _("Erreur")
        INAPPROPRIATE = "inappropriate", _("Contenu inapproprié")
        DUPLICATE = "duplicate", _("Doublon")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    comment = models.TextField(_("précisions"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")

    def __str__(self) -> str:
        return f"{self.resource} — {self.get_reason_display()}"


class ResourceFeedback(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        constraints = [
            models.UniqueConstraint("resource", "user", name="library_one_feedback_per_person"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="library_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} — {self.rating}/5"


class Collection(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_collections")
    is_public = models.BooleanField(_("publique"), default=False)
    is_curated = models.BooleanField(_("sélection de l’équipe"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [models.UniqueConstraint("collection", "resource", name="library_collection_item_unique")]

    def __str__(self) -> str:
        return f"{self.collection} #{self.position}"


# The search index's own tables (library/search.py, ADR 0020) are created by migration 0003
# in each database's dialect (SQLite FTS5, PostgreSQL tsvector + GIN); the models below only
# declare the plain ones to Django, so that flushing the database (tests, `manage.py flush`)
# empties them together with the resources they reference — PostgreSQL refuses to TRUNCATE
# library_resource while an undeclared table points at it. The ORM never writes them, and
# `on_delete=DO_NOTHING` leaves deletions to the tables' own ON DELETE CASCADE.
class SearchTerm(models.Model):
    term = models.CharField(max_length=64, primary_key=True)
    documents = models.IntegerField()

    class Meta:
        db_table = "library_search_term"

    def __str__(self) -> str:
        return self.term


class SearchPosting(models.Model):
    pk = models.CompositePrimaryKey("term", "resource")
    term = models.CharField(max_length=64)
    resource = models.ForeignKey(Resource, on_delete=models.DO_NOTHING, related_name="+")
    score = models.FloatField()
    code = models.BigIntegerField()

    class Meta:
        db_table = "library_search_posting"

    def __str__(self) -> str:
        return f"{self.term} → {self.resource_id}"


class SearchRelated(models.Model):
    pk = models.CompositePrimaryKey("resource", "related")
    resource = models.ForeignKey(Resource, on_delete=models.DO_NOTHING, related_name="+")
    related = models.ForeignKey(Resource, on_delete=models.DO_NOTHING, related_name="+")
    score = models.FloatField()

    class Meta:
        db_table = "library_search_related"

    def __str__(self) -> str:
        return f"{self.resource_id} ~ {self.related_id}"


class SearchDocument(models.Model):
    """PostgreSQL only (`words` is a tsvector there): absent from SQLite, where flushing
    skips it."""

    resource = models.OneToOneField(Resource, on_delete=models.DO_NOTHING, primary_key=True, related_name="+")
    code = models.BigIntegerField()
    words = models.TextField()

    class Meta:
        db_table = "library_search_document"

    def __str__(self) -> str:
        return str(self.resource_id)
