"""The network: who among the trained people agrees to be found, the trainer track,
facilitation requests and the invitations they lead to."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: "Never invited" on skill rows: an old date rather than NULL, so that an ascending index
#: puts the people never asked first (PostgreSQL sorts NULLs last when ascending).
NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Disponible")
    LIMITED = "limited", _("Disponibilité limitée")
    UNAVAILABLE = "unavailable", _("Indisponible pour le moment")


class DirectoryProfileQuerySet(models.QuerySet["DirectoryProfile"]):
    def listed(self) -> DirectoryProfileQuerySet:
        """Only people who consented: the one filter every read of the directory starts from."""
        return self.filter(consent=True, user__is_active=True)


class DirectoryProfile(models.Model):
    """A trained person's entry in the directory. Opt-in: nothing is shown without consent.

    Region, département, ministry and practice count are copies refreshed by
    `services.directory_profile_refresh`, so that a search reads one or two tables.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_profile")
    consent = models.BooleanField(_("j’accepte de figurer dans l’annuaire"), default=False)
    consented_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    availability = models.CharField(
        _("disponibilité"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    languages = models.CharField(
        _("langues"), max_length=100, blank=True, help_text=_("Par exemple : français, anglais")
    )
    bio = models.TextField(_("présentation courte"), max_length=600, blank=True)
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("région"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    departement = models.ForeignKey(
        "organisations.Departement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ministry = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("ministère"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    practice_count = models.PositiveIntegerField(_("ateliers animés"), default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_invited_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectoryProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__usual_name", "user__given_name", "id"]
        verbose_name = _("fiche de l’annuaire")
        verbose_name_plural = _("fiches de l’annuaire")
        indexes = [
            models.Index(
                fields=["region", "ministry", "availability"],
                name="network_profile_listed",
                condition=models.Q(consent=True),
            ),
            models.Index(
                fields=["-practice_count", "id"], name="network_profile_busiest", condition=models.Q(consent=True)
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def display_name(self) -> str:
        return self.user.full_name or str(_("Personne formée"))


class DirectorySkill(models.Model):
    """A competency a consenting person holds, at their best level, copied from their
    completions. Only consenting people have rows: withdrawing consent deletes them.

    The filter columns are copied from the profile so that a search by competency or a
    matching reads this table alone, through one index.
    """

    profile = models.ForeignKey(DirectoryProfile, on_delete=models.CASCADE, related_name="skills")
    competency_code = models.SlugField(max_length=60)
    competency_name = models.CharField(max_length=200)
    level_rank = models.PositiveSmallIntegerField()
    region_id_copy = models.CharField(max_length=3, blank=True)
    departement_id_copy = models.CharField(max_length=3, blank=True)
    ministry_id_copy = models.IntegerField(null=True, blank=True)
    availability = models.CharField(max_length=20, choices=Availability.choices)
    practice_count = models.PositiveIntegerField(default=0)
    last_invited_at = models.DateTimeField(default=NEVER)

    class Meta:
        ordering = ["-level_rank", "competency_code"]
        verbose_name = _("compétence de l’annuaire")
        verbose_name_plural = _("compétences de l’annuaire")
        constraints = [models.UniqueConstraint("profile", "competency_code", name="directory_skill_unique")]
        indexes = [
            # Directory search by competency (and level), best first, one page at a time.
            models.Index(
                fields=["competency_code", "-level_rank", "-practice_count", "profile"], name="network_skill_search"
            ),
            models.Index(fields=["competency_code", "ministry_id_copy", "-level_rank"], name="network_skill_ministry"),
            # Matching: the best of the département, of the region and of everyone, least recently asked first.
            models.Index(
                fields=["competency_code", "departement_id_copy", "-level_rank", "last_invited_at", "id"],
                name="network_skill_dept_match",
            ),
            models.Index(
                fields=["competency_code", "region_id_copy", "-level_rank", "last_invited_at", "id"],
                name="network_skill_region_match",
            ),
            models.Index(
                fields=["competency_code", "-level_rank", "last_invited_at", "id"], name="network_skill_match"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency_code} {self.level_rank}"


class ContactMessage(models.Model):
    """A message sent through the platform: neither address is shown on any page."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("objet"), max_length=150)
    body = models.TextField(_("message"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message de mise en relation")
        verbose_name_plural = _("messages de mise en relation")
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class CoFacilitation(models.Model):
    """A session a trainee co-facilitated beside an experienced trainer (their mentor)."""

    session = models.ForeignKey("training.Session", on_delete=models.PROTECT, related_name="+")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cofacilitations")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentored")
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("co-animation")
        verbose_name_plural = _("co-animations")
        constraints = [
            models.UniqueConstraint("session", "trainee", name="cofacilitation_once_per_session"),
            models.CheckConstraint(condition=~models.Q(trainee=models.F("mentor")), name="cofacilitation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} / {self.mentor} — {self.session_id}"


class TrainerCertification(models.Model):
    """Granted once the trainer track's rule is met (see `services.trainer_certification_check`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_certification"
    )
    course = models.ForeignKey("catalogue.Course", on_delete=models.PROTECT, related_name="+")
    cofacilitations = models.PositiveSmallIntegerField()
    granted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("certification de formateur")
        verbose_name_plural = _("certifications de formateur")

    def __str__(self) -> str:
        return f"{self.user} ({self.granted_at:%Y-%m-%d})"


class FacilitationRequest(models.Model):
    """A service's need for a facilitator."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(_("sujet de l’atelier"), max_length=200)
    date = models.DateField(_("date de l’atelier"))
    is_remote = models.BooleanField(_("à distance"), default=False)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    departement = models.ForeignKey(
        "organisations.Departement",
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    competency_code = models.SlugField(_("méthode (compétence du référentiel)"), max_length=60)
    competency_name = models.CharField(max_length=200)
    audience_size = models.PositiveIntegerField(
        _("nombre de participants"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande d’animation")
        verbose_name_plural = _("demandes d’animation")

    def __str__(self) -> str:
        return self.topic


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de réponse")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Déclinée")
        DONE = "done", _("Atelier animé")

    request = models.ForeignKey(FacilitationRequest, on_delete=models.CASCADE, related_name="invitations")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PENDING)
    score = models.IntegerField(default=0)
    explanation = models.JSONField(default=list)
    practice_entry = models.ForeignKey(
        "practice.PracticeEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint("request", "facilitator", name="invitation_once_per_request")]
        indexes = [models.Index(fields=["facilitator", "created_at"])]

    def __str__(self) -> str:
        return f"{self.request} → {self.facilitator}"


# Lab pilots ------------------------------------------------------------------------------
class Pilot(models.Model):
    """A solution a civil servant puts forward to a regional lab, which the lab may run as
    a pilot: stages, team, participatory methods, workshops, results, then a case study."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposition en attente")
        DECLINED = "declined", _("Proposition déclinée")
        FRAMING = "framing", _("Cadrage")
        WORKSHOPS = "workshops", _("Ateliers")
        EXPERIMENT = "experiment", _("Expérimentation")
        REVIEW = "review", _("Bilan")
        DONE = "done", _("Terminé")

    #: The stages of an accepted pilot, in order.
    STAGES = (Status.FRAMING, Status.WORKSHOPS, Status.EXPERIMENT, Status.REVIEW, Status.DONE)

    lab = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("laboratoire"), on_delete=models.PROTECT, related_name="pilots"
    )
    # SET_NULL: erasing the person keeps the lab's pilot (the proposer's name goes with them).
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="pilot_proposals"
    )
    title = models.CharField(_("titre"), max_length=200)
    problem = models.TextField(_("problème à résoudre"), max_length=3000)
    solution = models.TextField(_("solution proposée"), max_length=3000)
    status = models.CharField(_("étape"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decision_reason = models.TextField(_("motif de la décision"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    methods = models.ManyToManyField(
        "library.Resource", verbose_name=_("méthodes de la bibliothèque"), blank=True, related_name="+"
    )
    methods_text = models.TextField(_("autres méthodes participatives"), max_length=2000, blank=True)
    results = models.TextField(_("résultats"), max_length=5000, blank=True)
    case_study = models.ForeignKey(
        "library.Resource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pilote de laboratoire")
        verbose_name_plural = _("pilotes de laboratoire")
        indexes = [
            models.Index(fields=["lab", "status", "-created_at"], name="network_pilot_lab"),
            models.Index(fields=["proposer", "-created_at"], name="network_pilot_proposer"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_accepted(self) -> bool:
        return self.status in self.STAGES

    @property
    def next_stage(self) -> str | None:
        if self.status not in self.STAGES or self.status == self.Status.DONE:
            return None
        return self.STAGES[self.STAGES.index(self.Status(self.status)) + 1]

    def next_stage_label(self) -> str:
        stage = self.next_stage
        return str(self.Status(stage).label) if stage else ""


class PilotMember(models.Model):
    """Someone on a pilot's team, with their role in it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pilot_memberships")
    role = models.CharField(_("rôle dans l’équipe"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("membre de l’équipe d’un pilote")
        verbose_name_plural = _("membres de l’équipe d’un pilote")
        constraints = [models.UniqueConstraint("pilot", "user", name="pilot_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class PilotWorkshop(models.Model):
    """A workshop of a pilot. Once recorded as held, each facilitator has it in their
    practice log (`PilotFacilitation.practice_entry`)."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="workshops")
    date = models.DateField(_("date de l’atelier"))
    title = models.CharField(_("intitulé de l’atelier"), max_length=200)
    method = models.CharField(_("méthode"), max_length=200)
    participants = models.PositiveIntegerField(
        _("nombre de participants"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PilotFacilitation", related_name="+", verbose_name=_("animation")
    )
    held_at = models.DateTimeField(_("tenu, enregistré le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("atelier d’un pilote")
        verbose_name_plural = _("ateliers d’un pilote")

    def __str__(self) -> str:
        return self.title


class PilotFacilitation(models.Model):
    workshop = models.ForeignKey(PilotWorkshop, on_delete=models.CASCADE, related_name="facilitations")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    practice_entry = models.ForeignKey(
        "practice.PracticeEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint("workshop", "facilitator", name="pilot_facilitation_once")]

    def __str__(self) -> str:
        return f"{self.workshop} — {self.facilitator}"
