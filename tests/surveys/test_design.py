"""Programme admins design surveys in the back office and attach them to courses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.models import AuditEntry
from essaim.surveys.models import Survey
from tests.surveys.conftest import survey_admin_data


def test_programme_admin_designs_a_survey_with_questions(client, programme_admin, course):
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:surveys_survey_add"),
        survey_admin_data(
            course,
            {"kind": "scale", "label": "Satisfait ?", "measure": "satisfaction"},
            {"kind": "single", "label": "Avez-vous animé ?", "choices": '["Oui", "Non"]', "measure": "practising"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get(title="Votre avis")
    assert list(survey.courses.all()) == [course]
    assert [q.kind for q in survey.questions.all()] == ["scale", "single"]
    assert AuditEntry.objects.filter(action="surveys.survey.create").exists()


def test_an_organiser_cannot_design_surveys(client, organiser, db):
    client.force_login(organiser)
    response = client.get(reverse("admin:surveys_survey_add"))
    assert response.status_code in (302, 403)


def _answered(survey, course):
    """One anonymous response answering every question of the survey."""
    from essaim.surveys.models import Answer, Response
    from tests import steering_data as data
    from tests.factories import OrganisationFactory

    session = data.held_session(course=course, organiser=OrganisationFactory(), people=0, when=data.moment(2026, 3))
    response = Response.objects.create(survey=survey, session=session, submitted_on=session.starts_at.date())
    for question in survey.questions.all():
        Answer.objects.create(response=response, question=question, number=1 if question.kind != "text" else None)


def _formset(survey, **overrides):
    """The admin form of `survey` as posted unchanged, with `overrides` applied."""
    questions = list(survey.questions.all())
    data = {
        "title": survey.title,
        "kind": survey.kind,
        "introduction": survey.introduction,
        "courses": [c.pk for c in survey.courses.all()],
        "is_active": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    import json

    for i, q in enumerate(questions):
        data |= {
            f"questions-{i}-id": str(q.pk),
            f"questions-{i}-survey": str(survey.pk),
            f"questions-{i}-position": str(q.position),
            f"questions-{i}-kind": q.kind,
            f"questions-{i}-label": q.label,
            f"questions-{i}-choices": json.dumps(q.choices),
            # The admin renders the initial value of a field with a callable default beside it.
            f"initial-questions-{i}-choices": json.dumps(q.choices),
            f"questions-{i}-measure": q.measure,
        }
        if q.required:
            data[f"questions-{i}-required"] = "on"
    data |= overrides
    return data


def test_question_edits_are_saved_with_the_survey_and_audited(client, programme_admin, after_survey):
    client.force_login(programme_admin)
    url = reverse("admin:surveys_survey_change", args=[after_survey.pk])
    second = after_survey.questions.all()[1]
    response = client.post(
        url,
        _formset(
            after_survey, **{"questions-0-label": "Êtes-vous satisfaite ou satisfait ?", "questions-2-DELETE": "on"}
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [q.label for q in after_survey.questions.all()] == ["Êtes-vous satisfaite ou satisfait ?", second.label]
    entry = AuditEntry.objects.filter(action="surveys.survey.change").latest("pk")
    assert entry.changes["questions_changed"] == 1
    assert entry.changes["questions_deleted"] == 1


def test_an_answered_question_keeps_its_meaning(client, programme_admin, after_survey, course):
    _answered(after_survey, course)
    client.force_login(programme_admin)
    url = reverse("admin:surveys_survey_change", args=[after_survey.pk])
    before = [(q.pk, q.kind, q.choices) for q in after_survey.questions.all()]

    deleting = client.post(url, _formset(after_survey, **{"questions-2-DELETE": "on"}))
    assert deleting.status_code == 200
    # The admin names the answers that protect the question.
    assert "protégés suivants" in deleting.content.decode()

    retyping = client.post(url, _formset(after_survey, **{"questions-1-kind": "single"}))
    assert retyping.status_code == 200
    assert "son type et ses choix ne peuvent plus changer" in retyping.content.decode()

    # Nothing was saved, and nothing audited, by the refused attempts.
    assert [(q.pk, q.kind, q.choices) for q in after_survey.questions.all()] == before
    assert not AuditEntry.objects.filter(action="surveys.survey.change").exists()

    # Rewording and reordering remain possible.
    fine = client.post(url, _formset(after_survey, **{"questions-0-label": "Satisfait ?", "questions-0-position": "9"}))
    assert fine.status_code == 302
    assert after_survey.questions.get(pk=before[0][0]).label == "Satisfait ?"


def test_the_service_refuses_what_the_form_would(programme_admin, after_survey, course):
    from essaim.core.exceptions import ServiceError
    from essaim.surveys.services import survey_save

    _answered(after_survey, course)
    question = after_survey.questions.first()
    with pytest.raises(ServiceError):
        survey_save(survey=after_survey, acting_user=programme_admin, created=False, deleted_questions=[question])
    assert after_survey.questions.filter(pk=question.pk).exists()
