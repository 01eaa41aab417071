"""Every steering page reads a fixed number of queries, whatever the volume."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essaim.reporting.opendata import opendata_publish
from essaim.reporting.rollups import rollups_refresh
from tests import steering_data as data
from tests.factories import OrganisationFactory


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(captured)


def _grow(intro, year, region):
    for month in (1, 4, 8, 11):
        organiser = OrganisationFactory(kind="ministry")
        data.held_session(course=intro, organiser=organiser, people=5, when=data.moment(year, month), region=region)
    rollups_refresh()
    opendata_publish()


def test_progress_report_open_data_and_exports_do_not_grow(client, figures, year, intro):
    opendata_publish()
    pages = [
        (reverse("reporting:progress"), {"year": year}),
        (reverse("reporting:opendata"), {}),
        (reverse("reporting:dataset_csv", args=["formations-validees"]), {}),
    ]
    before = [_queries(client, url, params) for url, params in pages]
    _grow(intro, year, figures["bretagne"])
    after = [_queries(client, url, params) for url, params in pages]
    assert before == after
    assert max(after) <= 5


def test_survey_results_page_does_not_grow(client, programme_admin, figures, intro):
    from essaim.surveys.models import Answer, Question, Response, Survey
    from essaim.training.models import Session

    survey = Survey.objects.create(title="À chaud", kind=Survey.Kind.AFTER_SESSION)
    questions = [
        Question.objects.create(survey=survey, kind="scale", label="Satisfaction", measure="satisfaction"),
        Question.objects.create(survey=survey, kind="multiple", label="Préféré", choices=["A", "B"]),
        Question.objects.create(survey=survey, kind="text", label="Commentaire"),
    ]
    session = Session.objects.filter(course=intro).first()

    def answer(count):
        for _ in range(count):
            response = Response.objects.create(survey=survey, session=session, submitted_on=session.starts_at.date())
            Answer.objects.create(response=response, question=questions[0], number=4)
            Answer.objects.create(response=response, question=questions[1], choices=[0, 1])
            Answer.objects.create(response=response, question=questions[2], text="Bien")

    answer(5)
    client.force_login(programme_admin)
    url = reverse("surveys:survey_results", args=[survey.pk])
    client.get(url)
    before = _queries(client, url)
    answer(20)
    assert _queries(client, url) == before
