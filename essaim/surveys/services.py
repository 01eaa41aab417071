"""Writes of the surveys: invitations (sent once, one reminder) and anonymous answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log
from essaim.surveys.models import Answer, Invitation, Question, Response, Survey
from essaim.training.models import Completion

#: A completion older than this when the job first sees it gets no after-session survey
#: (a survey about a session long past measures nothing).
AFTER_SESSION_WINDOW = dt.timedelta(days=30)
REMINDER_AFTER = dt.timedelta(days=7)
FOLLOW_UP_MONTHS = 3
FOLLOW_UP_WINDOW = dt.timedelta(days=30)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Same day `months` later, clamped to the month's end (30 Nov + 3 months = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def follow_up_due_at(completed_at: dt.datetime) -> dt.datetime:
    return add_months(completed_at, FOLLOW_UP_MONTHS)


def _send(invitation: Invitation, *, reminder: bool) -> None:
    from essaim.core.tasks import send_email

    user = invitation.user
    with translation.override(getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE):
        subject = _("Rappel : votre avis sur « %(course)s »") if reminder else _("Votre avis sur « %(course)s »")
        subject = subject % {"course": invitation.completion.course.title}
        body = render_to_string(
            "surveys/email/invitation.txt",
            {
                "invitation": invitation,
                "reminder": reminder,
                "course": invitation.completion.course,
                "url": settings.SITE_URL + reverse("surveys:answer", args=[invitation.token]),
            },
        )
    # In the transaction that records the invitation (core/outbox.py); the link is personal.
    outbox_enqueue(
        task=send_email,
        kwargs={"subject": subject, "body": body, "to": [user.email]},
        ref=f"surveys.invitation:{invitation.pk}",
        sensitive=True,
    )


def _survey_for(course_id: int, kind: str, cache: dict[tuple[int, str], Survey | None]) -> Survey | None:
    key = (course_id, kind)
    if key not in cache:
        cache[key] = Survey.objects.active().filter(kind=kind, courses__id=course_id).order_by("-id").first()
    return cache[key]


def _due_completions(kind: str, now: dt.datetime) -> list[Completion]:
    if kind == Survey.Kind.AFTER_SESSION:
        window = {"completed_at__gte": now - AFTER_SESSION_WINDOW, "completed_at__lte": now}
    else:
        # Three calendar months after completion: never before, and not long after either.
        # Month ends clamp (30 Nov + 3 months = 28 Feb), so the inverse is widened by 3 days
        # here and the exact due date checked per completion by the caller.
        latest = add_months(now, -FOLLOW_UP_MONTHS)
        window = {"completed_at__lte": latest + dt.timedelta(days=3), "completed_at__gte": latest - FOLLOW_UP_WINDOW}
    already = Invitation.objects.filter(survey__kind=kind).values("completion_id")
    return list(
        Completion.objects.filter(**window, course__surveys__kind=kind, course__surveys__is_active=True)
        .exclude(pk__in=already)
        .select_related("user", "course")
        .distinct()
    )


def invitations_send_due(*, now: dt.datetime | None = None) -> int:
    """Periodic job: invite each new completion to the after-session survey and, three
    months later, to the follow-up survey. The unique (survey, completion) constraint
    makes each invitation happen once, even if two workers run the job together."""
    now = now or timezone.now()
    cache: dict[tuple[int, str], Survey | None] = {}
    sent = 0
    for kind in (Survey.Kind.AFTER_SESSION, Survey.Kind.FOLLOW_UP):
        for completion in _due_completions(kind, now):
            if kind == Survey.Kind.FOLLOW_UP and follow_up_due_at(completion.completed_at) > now:
                continue
            survey = _survey_for(completion.course_id, kind, cache)
            if survey is None or not completion.user.is_active:
                continue
            if invitation_create(survey=survey, completion=completion, now=now):
                sent += 1
    return sent


@transaction.atomic(durable=True)
def invitation_create(*, survey: Survey, completion: Completion, now: dt.datetime) -> Invitation | None:
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                survey=survey, completion=completion, user=completion.user, sent_at=now
            )
    except IntegrityError:
        return None
    audit_log(
        actor=None,
        role="system",
        action="surveys.invitation.send",
        target=invitation,
        summary=f"{survey.get_kind_display()} — {completion.course.code}",
    )
    _send(invitation, reminder=False)
    return invitation


def invitations_remind_due(*, now: dt.datetime | None = None) -> int:
    """One reminder, a week after the invitation, to those who have not answered."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.filter(
            answered_at__isnull=True, reminded_at__isnull=True, sent_at__lte=now - REMINDER_AFTER
        ).select_related("user", "completion__course")
    )
    for invitation in due:
        invitation_remind(invitation=invitation, now=now)
    return len(due)


@transaction.atomic(durable=True)
def invitation_remind(*, invitation: Invitation, now: dt.datetime) -> bool:
    updated = Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True, answered_at__isnull=True).update(
        reminded_at=now
    )
    if not updated:
        return False
    audit_log(actor=None, role="system", action="surveys.invitation.remind", target=invitation)
    _send(invitation, reminder=True)
    return True


def _clean_answer(question: Question, raw: Any) -> dict[str, Any] | None:
    """The stored form of one answer, or None when left blank. Raises ServiceError."""
    if raw in (None, "", []):
        if question.required:
            raise ServiceError(_("Répondez à la question « %(q)s ».") % {"q": question.label})
        return None
    invalid = ServiceError(_("Réponse invalide à la question « %(q)s ».") % {"q": question.label})
    if question.kind == Question.Kind.TEXT:
        text = str(raw).strip()[:5000]
        return {"text": text} if text else None
    if question.kind == Question.Kind.MULTIPLE:
        values = raw if isinstance(raw, list | tuple) else [raw]
        try:
            indices = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise invalid from None
        if any(not 0 <= i < len(question.choices) for i in indices):
            raise invalid
        return {"choices": indices}
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise invalid from None
    limit = (1, 5) if question.kind == Question.Kind.SCALE else (0, len(question.choices) - 1)
    if not limit[0] <= number <= limit[1]:
        raise invalid
    return {"number": number}


@transaction.atomic(durable=True)
def response_submit(*, invitation: Invitation, answers: dict[int, Any], acting_user: Any) -> Response:
    """Record an anonymous response: the invitation only learns *that* the person answered."""
    invitation = Invitation.objects.select_for_update().select_related("survey", "completion").get(pk=invitation.pk)
    if invitation.user_id != getattr(acting_user, "pk", None):
        raise ServiceError(_("Ce lien d’enquête ne vous est pas destiné."), code="forbidden")
    if invitation.answered_at is not None:
        raise ServiceError(_("Vous avez déjà répondu à cette enquête. Merci !"), code="answered")
    cleaned = []
    for question in invitation.survey.questions.all():
        value = _clean_answer(question, answers.get(question.pk))
        if value is not None:
            cleaned.append((question, value))
    now = timezone.now()
    # The day only, and no link to the person or the invitation: answers stay anonymous.
    response = Response.objects.create(
        survey=invitation.survey, session_id=invitation.completion.session_id, submitted_on=now.date()
    )
    Answer.objects.bulk_create([Answer(response=response, question=q, **value) for q, value in cleaned])
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    audit_log(actor=acting_user, role="self", action="surveys.response.submit", target=invitation.survey)
    return response


#: What an answer depends on: once a question has answers, these stay as they are.
FROZEN_WHEN_ANSWERED = ("kind", "choices")


def answered_question_ids(question_ids: list[int]) -> set[int]:
    ids = [pk for pk in question_ids if pk]
    if not ids:
        return set()
    return set(Answer.objects.filter(question_id__in=ids).values_list("question_id", flat=True).distinct())


def question_change_refused(*, question: Question, answered: set[int], deleting: bool) -> str | None:
    """Why this change to a question cannot be made, or None. Answers keep their question,
    and what they mean (the kind, the choices offered) cannot change under them."""
    if not question.pk or question.pk not in answered:
        return None
    if deleting:
        return _("La question « %(label)s » a déjà des réponses : elle ne peut pas être supprimée.") % {
            "label": question.label
        }
    stored = Question.objects.filter(pk=question.pk).values(*FROZEN_WHEN_ANSWERED).first() or {}
    if any(stored.get(name) != getattr(question, name) for name in FROZEN_WHEN_ANSWERED):
        return _(
            "La question « %(label)s » a déjà des réponses : son type et ses choix ne peuvent plus changer "
            "(le libellé, l’ordre et l’indicateur, si)."
        ) % {"label": question.label}
    return None


@transaction.atomic(durable=True)
def survey_save(
    *,
    survey: Survey,
    acting_user: Any,
    created: bool,
    courses: list[Any] | None = None,
    saved_questions: list[Question] | None = None,
    deleted_questions: list[Question] | None = None,
) -> Survey:
    """Programme admins design surveys in the back office: the survey, the courses it is
    attached to and its questions are saved together, in one audited transaction."""
    saved_questions = saved_questions or []
    deleted_questions = deleted_questions or []
    survey.save()
    if courses is not None:
        survey.courses.set(courses)
    answered = answered_question_ids([q.pk for q in saved_questions + deleted_questions])
    for question in deleted_questions:
        if reason := question_change_refused(question=question, answered=answered, deleting=True):
            raise ServiceError(reason)
        question.delete()
    added = 0
    for question in saved_questions:
        if reason := question_change_refused(question=question, answered=answered, deleting=False):
            raise ServiceError(reason)
        added += not question.pk
        question.survey = survey
        question.save()
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="surveys.survey.create" if created else "surveys.survey.change",
        target=survey,
        summary=survey.title,
        changes={
            "questions_added": added,
            "questions_changed": len(saved_questions) - added,
            "questions_deleted": len(deleted_questions),
            **({"courses": sorted(c.pk for c in courses)} if courses is not None else {}),
        },
    )
    return survey
