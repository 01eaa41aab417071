"""The delegation to the Rencontres Européennes de la Participation: one call a year,
applications from trained agents, a selection under quotas, a reserve list, a report.

Seats and quotas are never stored as counters: `delegation/services.py` counts the rows
under the call's lock before every selection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CallQuerySet(models.QuerySet["Call"]):
    def visible(self) -> CallQuerySet:
        """Calls the public may see: every one but drafts."""
        return self.exclude(status=Call.Status.DRAFT)


class Call(models.Model):
    """The yearly call for applications."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Appel ouvert")
        CLOSED = "closed", _("Candidatures closes")
        SELECTION_PUBLISHED = "selection_published", _("Sélection publiée")
        REPORT_PUBLISHED = "report_published", _("Compte rendu publié")

    #: Which status may follow which, through `call_set_status` (the last two have their own services).
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.CLOSED},
        Status.CLOSED: {Status.SELECTION_PUBLISHED},
        Status.SELECTION_PUBLISHED: {Status.REPORT_PUBLISHED},
        Status.REPORT_PUBLISHED: set(),
    }

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), max_length=4000)
    place = models.CharField(_("lieu de l’événement"), max_length=200)
    event_starts_on = models.DateField(_("début de l’événement"))
    event_ends_on = models.DateField(_("fin de l’événement"))
    opens_at = models.DateTimeField(_("ouverture des candidatures"))
    closes_at = models.DateTimeField(_("clôture des candidatures"))
    seats = models.PositiveSmallIntegerField(_("nombre de places"))
    ministry_quota = models.PositiveSmallIntegerField(
        _("quota par ministère"), help_text=_("Nombre maximal de personnes sélectionnées par ministère.")
    )
    region_quota = models.PositiveSmallIntegerField(
        _("quota par région"),
        null=True,
        blank=True,
        help_text=_("Facultatif : nombre maximal de personnes sélectionnées par région."),
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    selection_published_at = models.DateTimeField(_("sélection publiée le"), null=True, blank=True)
    report = models.ForeignKey(
        "library.Resource",
        verbose_name=_("compte rendu"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    motivations_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("appel à candidatures")
        verbose_name_plural = _("appels à candidatures")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_window_order"),
            models.CheckConstraint(
                condition=models.Q(event_ends_on__gte=models.F("event_starts_on")), name="call_event_order"
            ),
            models.CheckConstraint(condition=models.Q(seats__gte=1, ministry_quota__gte=1), name="call_positive_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def window_is_open(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at  # type: ignore[operator]

    @property
    def selection_is_public(self) -> bool:
        return self.status in (self.Status.SELECTION_PUBLISHED, self.Status.REPORT_PUBLISHED)


class ApplicationQuerySet(models.QuerySet["Application"]):
    def active(self) -> ApplicationQuerySet:
        return self.exclude(status=Application.Status.WITHDRAWN)


class Application(models.Model):
    """One trained agent's application to one call."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Déposée")
        SELECTED = "selected", _("Sélectionnée")
        RESERVE = "reserve", _("Liste complémentaire")
        NOT_SELECTED = "not_selected", _("Non retenue")
        WITHDRAWN = "withdrawn", _("Retirée")

    MOTIVATION_MAX = 2000
    NOTE_MAX = 300

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegation_applications")
    motivation = models.TextField(_("motivation"), max_length=MOTIVATION_MAX)
    availability_note = models.CharField(_("disponibilités"), max_length=NOTE_MAX, blank=True)
    # Where the person worked when they applied: the balance is judged on that.
    ministry = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("ministère"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    reserve_rank = models.PositiveSmallIntegerField(_("rang sur la liste complémentaire"), null=True, blank=True)
    # The status the person was last told about: publishing twice never mails twice.
    notified_status = models.CharField(max_length=20, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        constraints = [
            models.UniqueConstraint("call", "user", name="application_one_per_person_per_call"),
            models.UniqueConstraint(
                "call",
                "reserve_rank",
                name="application_reserve_rank_unique",
                condition=models.Q(reserve_rank__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(reserve_rank__isnull=True) | models.Q(status="reserve"),
                name="application_rank_only_on_reserve",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return str(_("Candidature n° %(id)s") % {"id": self.pk})
