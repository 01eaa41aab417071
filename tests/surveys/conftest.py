import pytest

from essaim.surveys.models import Question, Survey
from tests import steering_data as data


def survey_admin_data(course, *questions: dict[str, str], title: str = "Votre avis") -> dict:
    """The admin's « add survey » form as a browser posts it: the survey, then each question
    of its inline formset (position, kind, label, choices as JSON, measure; required)."""
    data_ = {
        "title": title,
        "kind": "after_session",
        "introduction": "",
        "courses": [course.pk],
        "is_active": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, question in enumerate(questions):
        fields = {"position": str(i + 1), "choices": "[]", "required": "on", **question}
        data_.update({f"questions-{i}-{name}": value for name, value in fields.items()})
    return data_


@pytest.fixture
def course(db):
    return data.course("facilitation-fondamentaux", is_introduction=True)


@pytest.fixture
def after_survey(course):
    survey = Survey.objects.create(title="Votre avis à chaud", kind=Survey.Kind.AFTER_SESSION)
    survey.courses.add(course)
    Question.objects.create(
        survey=survey, position=1, kind="scale", label="Êtes-vous satisfait ?", measure="satisfaction"
    )
    Question.objects.create(
        survey=survey,
        position=2,
        kind="multiple",
        label="Qu’avez-vous préféré ?",
        choices=["Les outils", "Le groupe", "Le rythme"],
        required=False,
    )
    Question.objects.create(survey=survey, position=3, kind="text", label="Un commentaire ?", required=False)
    return survey


@pytest.fixture
def follow_up_survey(course):
    survey = Survey.objects.create(title="Trois mois après", kind=Survey.Kind.FOLLOW_UP)
    survey.courses.add(course)
    Question.objects.create(
        survey=survey,
        position=1,
        kind="single",
        label="Avez-vous animé depuis ?",
        choices=["Oui", "Non"],
        measure="practising",
    )
    Question.objects.create(
        survey=survey, position=2, kind="text", label="Qu’est-ce qui vous a freiné ?", required=False
    )
    return survey
