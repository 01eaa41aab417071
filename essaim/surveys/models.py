"""Evaluation surveys: one right after a session (reaction), one three months later (practice).

Answers are anonymous: a `Response` knows its survey and its session (to aggregate by
session, course, organiser, region) but not its author. The `Invitation` knows the person,
and only whether they answered — never what.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyQuerySet(models.QuerySet["Survey"]):
    def active(self) -> SurveyQuerySet:
        return self.filter(is_active=True)


class Survey(models.Model):
    class Kind(models.TextChoices):
        AFTER_SESSION = "after_session", _("À chaud, après la session")
        FOLLOW_UP = "follow_up", _("À 3 mois, sur la pratique")

    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("moment"), max_length=20, choices=Kind.choices)
    introduction = models.TextField(_("introduction"), blank=True)
    courses = models.ManyToManyField(
        "catalogue.Course", verbose_name=_("formations"), related_name="surveys", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("enquête")
        verbose_name_plural = _("enquêtes")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Échelle de 1 à 5")
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiple")
        TEXT = "text", _("Texte libre")

    class Measure(models.TextChoices):
        NONE = "", _("Aucun")
        SATISFACTION = "satisfaction", _("Satisfaction (indicateur)")
        PRACTISING = "practising", _("Pratique depuis la formation (indicateur, oui/non)")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choix proposés"), default=list, blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    # Which commitment indicator this question feeds (the dashboards read it).
    measure = models.CharField(_("indicateur"), max_length=20, choices=Measure.choices, default="", blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """One person asked to answer one survey about one completed course: sent once."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    completion = models.ForeignKey("training.Completion", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations")
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    sent_at = models.DateTimeField(_("envoyée le"))
    reminded_at = models.DateTimeField(_("relancée le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("invitation à répondre")
        verbose_name_plural = _("invitations à répondre")
        constraints = [models.UniqueConstraint("survey", "completion", name="survey_invitation_once")]

    def __str__(self) -> str:
        return f"{self.survey} — {self.user_id}"


class Response(models.Model):
    """An anonymous set of answers, tied to a session for aggregation only."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    session = models.ForeignKey("training.Session", on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("reçue le"))

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        indexes = [models.Index(fields=["survey", "session"])]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("réponse à une question")
        verbose_name_plural = _("réponses aux questions")
        constraints = [models.UniqueConstraint("response", "question", name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
