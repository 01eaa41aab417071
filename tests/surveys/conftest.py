import pytest

from essaim.surveys.models import Question, Survey
from tests import steering_data as data


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
