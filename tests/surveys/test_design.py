"""Programme admins design surveys in the back office and attach them to courses."""

from __future__ import annotations

from django.urls import reverse

from essaim.core.models import AuditEntry
from essaim.surveys.models import Survey


def test_programme_admin_designs_a_survey_with_questions(client, programme_admin, course):
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:surveys_survey_add"),
        {
            "title": "Votre avis",
            "kind": "after_session",
            "introduction": "",
            "courses": [course.pk],
            "is_active": "on",
            "questions-TOTAL_FORMS": "2",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-position": "1",
            "questions-0-kind": "scale",
            "questions-0-label": "Satisfait ?",
            "questions-0-choices": "[]",
            "questions-0-required": "on",
            "questions-0-measure": "satisfaction",
            "questions-1-position": "2",
            "questions-1-kind": "single",
            "questions-1-label": "Avez-vous animé ?",
            "questions-1-choices": '["Oui", "Non"]',
            "questions-1-required": "on",
            "questions-1-measure": "practising",
        },
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
