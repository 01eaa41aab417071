"""Sessions of courses, registrations with their append-only history, attendance, completions.

Seats are never counted from a stored counter: they are computed from registrations
inside the session's lock (see services/registrations.py), and the database refuses a
second registration of the same person to the same session.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaim.catalogue.models import Course


class SessionQuerySet(models.QuerySet["Session"]):
    def published(self) -> SessionQuerySet:
        return self.filter(status=Session.Status.PUBLISHED)

    def visible(self) -> SessionQuerySet:
        """Sessions a visitor may see: published or held, not drafts."""
        return self.filter(status__in=[Session.Status.PUBLISHED, Session.Status.DONE, Session.Status.CANCELLED])

    def trainings(self) -> SessionQuerySet:
        """Training sessions only: not the seats of events (ADR 0050)."""
        return self.filter(kind=Session.Kind.TRAINING)


class Session(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Session de formation")
        # The seats of an events.Event: same registration engine, never a training (ADR 0050).
        EVENT = "event", _("Événement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        CANCELLED = "cancelled", _("Annulée")
        DONE = "done", _("Terminée")

    class ApprovalMode(models.TextChoices):
        NONE = "none", _("Inscription directe")
        ORGANISER = "organiser", _("Validation par l’organisateur")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Tous les agents")
        ORGANISATION = "organisation", _("Agents d’une organisation")
        REGION = "region", _("Agents d’une région")

    class Venue(models.TextChoices):
        PLACE = "place", _("Adresse")
        LAB = "lab", _("Laboratoire d’innovation publique")
        REMOTE = "remote", _("À distance")

    course = models.ForeignKey(
        "catalogue.Course", verbose_name=_("formation"), on_delete=models.PROTECT, related_name="sessions"
    )
    organiser = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisateur"),
        on_delete=models.PROTECT,
        related_name="organised_sessions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("formateurs"), blank=True, related_name="trained_sessions"
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.TRAINING, db_index=True)
    # The organiser's own title for this session; empty: the course's (see `title`).
    custom_title = models.CharField(_("intitulé de la session"), max_length=200, blank=True)
    # Civil-society partners co-running the session: it counts toward the civil-society milestone.
    partners = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("co-animée avec"),
        blank=True,
        related_name="co_run_sessions",
        limit_choices_to={"kind": "partner"},
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    min_seats = models.PositiveIntegerField(_("places minimum pour maintenir la session"), default=0)
    signup_opens_at = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    approval_mode = models.CharField(
        _("mode d’inscription"), max_length=20, choices=ApprovalMode.choices, default=ApprovalMode.NONE
    )
    cancellation_cutoff_hours = models.PositiveIntegerField(_("annulation possible jusqu’à (heures avant)"), default=48)
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    audience_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audience_region = models.ForeignKey(
        "organisations.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=20, choices=Course.Format.choices)
    venue = models.CharField(_("lieu"), max_length=20, choices=Venue.choices, default=Venue.PLACE)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    lab = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="hosted_sessions"
    )
    remote_url = models.URLField(_("lien de connexion"), blank=True)
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    departement = models.ForeignKey(
        "organisations.Departement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("informations pratiques"), blank=True)
    # Denormalised from the slots by the services, for listing, filtering and overlap checks.
    starts_at = models.DateTimeField(_("début"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    # iCalendar SEQUENCE: goes up on every change attendees must see.
    ical_sequence = models.PositiveIntegerField(default=0)
    cancellation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(min_seats__lte=models.F("capacity")), name="session_min_seats_le_capacity"
            ),
            models.CheckConstraint(
                condition=models.Q(signup_opens_at__isnull=True)
                | models.Q(signup_closes_at__isnull=True)
                | models.Q(signup_closes_at__gt=models.F("signup_opens_at")),
                name="session_signup_window_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["course", "starts_at"]),
            models.Index(fields=["region", "starts_at"]),
        ]

    def __str__(self) -> str:
        # Local time: these labels reach messages and the audit log (UTC would read 08:00 for 09:00).
        when = f" — {timezone.localtime(self.starts_at):%d/%m/%Y}" if self.starts_at else ""
        return f"{self.title}{when}"

    @property
    def title(self) -> str:
        """What people registered for: the organiser's title for this session, else the
        event owning these seats, else the course."""
        if self.custom_title:
            return self.custom_title
        if self.kind == self.Kind.EVENT:
            event = getattr(self, "event", None)
            if event is not None:
                return event.title
        return self.course.title


class SessionSlot(models.Model):
    """A half-day of a session: attendance is taken per slot."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["session", "starts_at"]
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
            models.UniqueConstraint("session", "starts_at", name="slot_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class Registration(models.Model):
    """One person's place in one session. Its status changes are kept in RegistrationEvent."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demande en attente de validation")
        BOOKED = "booked", _("Inscrit")
        WAITLISTED = "waitlisted", _("En liste d’attente")
        OFFERED = "offered", _("Place proposée")
        DECLINED = "declined", _("Demande refusée")
        CANCELLED = "cancelled", _("Annulée par la personne")
        CANCELLED_BY_ORGANISER = "cancelled_by_organiser", _("Annulée par l’organisateur")
        SESSION_CANCELLED = "session_cancelled", _("Session annulée")
        OFFER_EXPIRED = "offer_expired", _("Proposition expirée")
        MOVED = "moved", _("Transférée vers une autre session")
        ATTENDED = "attended", _("Présent à toute la session")
        PARTIALLY_ATTENDED = "partially_attended", _("Présent en partie")
        ABSENT = "absent", _("Absent excusé")
        NO_SHOW = "no_show", _("Absent sans prévenir")
        COMPLETED = "completed", _("Formation validée")

    #: Statuses that hold one of the session's seats.
    HOLDING = frozenset({Status.BOOKED, Status.OFFERED})
    #: Statuses set when a session is closed, from its attendance.
    ATTENDANCE_STATUSES = frozenset(
        {Status.ATTENDED, Status.PARTIALLY_ATTENDED, Status.ABSENT, Status.NO_SHOW, Status.COMPLETED}
    )
    #: Statuses of a person still in the running for this session.
    ACTIVE = frozenset({Status.REQUESTED, Status.BOOKED, Status.WAITLISTED, Status.OFFERED})

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("statut"), max_length=30, choices=Status.choices)
    # Order in the waiting list: assigned under the session lock, never renumbered.
    queue_number = models.PositiveIntegerField(null=True, blank=True)
    offered_until = models.DateTimeField(_("place réservée jusqu’au"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint("session", "user", name="registration_one_per_person_per_session"),
            models.UniqueConstraint("session", "queue_number", name="registration_queue_number_unique"),
        ]
        indexes = [models.Index(fields=["session", "status", "queue_number"]), models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.session} ({self.get_status_display()})"


class RegistrationEvent(models.Model):
    """Append-only history of a registration's statuses."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["registration", "created_at", "id"]
        verbose_name = _("historique d’inscription")
        verbose_name_plural = _("historiques d’inscription")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_status or '∅'} → {self.to_status}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        LATE = "late", _("En retard")
        EXCUSED = "excused", _("Absence excusée")
        ABSENT = "absent", _("Absent")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances")
    slot = models.ForeignKey(SessionSlot, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("présence"), max_length=20, choices=Status.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [models.UniqueConstraint("registration", "slot", name="attendance_one_per_slot")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.slot} {self.status}"


class Completion(models.Model):
    """A course completed: what credentials and the learning path build on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey("catalogue.Course", on_delete=models.PROTECT, related_name="completions")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="completions")
    framework = models.ForeignKey("framework.FrameworkVersion", on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("validée le"))
    attendance_rate = models.PositiveSmallIntegerField(_("taux de présence (%)"))
    # The competencies and levels as they stood when completed: history keeps its meaning.
    outcomes = models.JSONField(default=list)

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("formation validée")
        verbose_name_plural = _("formations validées")
        constraints = [models.UniqueConstraint("user", "session", name="completion_one_per_session")]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.course} ({self.completed_at:%Y-%m-%d})"


class NotificationLog(models.Model):
    """What was sent to whom, so periodic jobs send each message once.

    `key` ties a reminder to the session start it announces: a rescheduled session gets
    reminders for its new date, never a stale one for the old.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification envoyée")
        verbose_name_plural = _("notifications envoyées")
        constraints = [models.UniqueConstraint("registration", "kind", "key", name="notification_sent_once")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind} {self.key}"


class SessionMessage(models.Model):
    """A message from the organisers to a session's registrants, kept as sent."""

    class Audience(models.TextChoices):
        ACTIVE = "active", _("Toutes les personnes inscrites, en attente ou en demande")
        BOOKED = "booked", _("Les personnes qui ont une place")
        WAITLISTED = "waitlisted", _("Les personnes en liste d’attente")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    audience = models.CharField(_("destinataires"), max_length=20, choices=Audience.choices)
    subject = models.CharField(_("objet"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    recipients = models.PositiveIntegerField(_("nombre de destinataires"), default=0)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message aux inscrits")
        verbose_name_plural = _("messages aux inscrits")

    def __str__(self) -> str:
        return self.subject


class CalendarFeed(models.Model):
    """A person's secret calendar address (ADR 0055). Only a hash of the token is kept: the
    address is shown once, when made; making a new one or revoking it kills the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement d’agenda")
        verbose_name_plural = _("abonnements d’agenda")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%Y-%m-%d})"
