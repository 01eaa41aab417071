"""Reads of the surveys: the questions to answer, and aggregated results.

Results are shown only over at least `SMALL_COUNT_THRESHOLD` responses, free text
included: under that, a person could be recognised by their answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from essaim.reporting.selectors import Scope, suppressed_rate, threshold
from essaim.surveys.models import Answer, Invitation, Question, Response, Survey
from essaim.training.models import Session


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("survey", "completion__course", "completion__session")
        .filter(token=token)
        .first()
    )


@dataclass
class QuestionResult:
    question: Question
    count: int
    mean: float | None = None
    options: list[tuple[str, int, int]] = field(default_factory=list)  # label, count, percent
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    invited: int
    answered: int
    shown: bool
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> int | None:
        return suppressed_rate(self.answered, self.invited)


def survey_results(
    *, survey: Survey, scope: Scope, course_id: int | None = None, year: int | None = None
) -> SurveyResults:
    """Five queries: rates, response count, questions, answers (only when shown)."""
    sessions = scope.apply(Session.objects.all())
    if course_id:
        sessions = sessions.filter(course_id=course_id)
    if year:
        sessions = sessions.filter(starts_at__year=year)
    session_ids = sessions.values("pk")
    rates = Invitation.objects.filter(survey=survey, completion__session_id__in=session_ids).aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
    )
    responses = Response.objects.filter(survey=survey, session_id__in=session_ids)
    count = responses.count()
    shown = count >= threshold()
    results: list[QuestionResult] = []
    if shown:
        questions = list(survey.questions.all())
        answers: dict[int, list[Answer]] = {q.pk: [] for q in questions}
        for answer in Answer.objects.filter(response__in=responses).only("question_id", "number", "choices", "text"):
            answers.setdefault(answer.question_id, []).append(answer)
        for question in questions:
            given = answers[question.pk]
            result = QuestionResult(question=question, count=len(given))
            if question.kind == Question.Kind.SCALE:
                numbers = [a.number for a in given if a.number is not None]
                result.mean = round(sum(numbers) / len(numbers), 1) if numbers else None
                scale = Counter(numbers)
                result.options = [(str(n), scale[n], _percent(scale[n], len(numbers))) for n in range(1, 6)]
            elif question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                tally = Counter[int | None]()
                for a in given:
                    tally.update(list(a.choices) if question.kind == Question.Kind.MULTIPLE else [a.number])
                result.options = [
                    (label, tally[i], _percent(tally[i], len(given))) for i, label in enumerate(question.choices)
                ]
            else:
                result.texts = [a.text for a in given if a.text]
            results.append(result)
    return SurveyResults(
        survey=survey,
        responses=count,
        invited=rates["invited"],
        answered=rates["answered"],
        shown=shown,
        questions=results,
    )


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def surveys_list() -> list[dict[str, Any]]:
    rows = Survey.objects.annotate(n_questions=Count("questions")).values("pk", "title", "kind", "n_questions")
    return [dict(row) for row in rows]
