"""Answering a survey: only one's own link, once, clear messages; results anonymous and
never shown under 5 respondents."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from essaim.reporting.rollups import rollups_refresh
from essaim.reporting.selectors import PUBLIC_SCOPE, Filters, dashboard
from essaim.surveys.models import Answer, Invitation, Response
from essaim.surveys.services import invitations_send_due
from tests import steering_data as data


def _invite(course, ministry, people):
    session = data.held_session(course=course, organiser=ministry, people=people, when=data.moment(2026, 3, 2))
    invitations_send_due(now=session.ends_at + dt.timedelta(hours=1))
    return session, list(Invitation.objects.select_related("user").order_by("pk"))


def _answer(client, invitation, after_survey, *, score="4", text="Très utile"):
    client.force_login(invitation.user)
    questions = list(after_survey.questions.all())
    return client.post(
        reverse("surveys:answer", args=[invitation.token]),
        {f"q{questions[0].pk}": score, f"q{questions[1].pk}": ["0", "2"], f"q{questions[2].pk}": text},
    )


def test_answering_records_an_anonymous_response_once(client, course, ministry, after_survey):
    _, invitations = _invite(course, ministry, 1)
    response = _answer(client, invitations[0], after_survey)
    assert response.status_code == 302
    stored = Response.objects.get()
    assert not hasattr(stored, "user_id") and not hasattr(stored, "invitation_id")
    assert sorted(Answer.objects.values_list("number", flat=True), key=str) == [4, None, None]
    again = client.get(reverse("surveys:answer", args=[invitations[0].token]))
    assert "Merci pour vos réponses" in again.content.decode()
    _answer(client, invitations[0], after_survey)
    assert Response.objects.count() == 1


def test_someone_elses_link_is_refused(client, course, ministry, after_survey, other_agent):
    _, invitations = _invite(course, ministry, 1)
    client.force_login(other_agent)
    response = client.get(reverse("surveys:answer", args=[invitations[0].token]))
    assert response.status_code == 403
    assert "ne vous est pas destiné" in response.content.decode()
    assert client.get(reverse("surveys:answer", args=["inconnu"])).status_code == 404


def test_bad_answer_is_a_readable_400(client, course, ministry, after_survey):
    _, invitations = _invite(course, ministry, 1)
    response = _answer(client, invitations[0], after_survey, score="9")
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert Response.objects.count() == 0


def test_results_hidden_under_five_respondents_free_text_included(
    client, course, ministry, after_survey, programme_admin
):
    _, invitations = _invite(course, ministry, 6)
    for invitation in invitations[:4]:
        _answer(client, invitation, after_survey, text="Un secret identifiable")
    client.force_login(programme_admin)
    page = client.get(reverse("surveys:survey_results", args=[after_survey.pk]))
    html = page.content.decode()
    assert "Moins de 5 réponses" in html and "Un secret identifiable" not in html
    assert "4 réponses sur 6 invitations" not in html  # even the counts stay hidden under 5
    _answer(client, invitations[4], after_survey, score="2", text="Un secret identifiable")
    client.force_login(programme_admin)
    page = client.get(reverse("surveys:survey_results", args=[after_survey.pk]))
    html = page.content.decode()
    assert "Un secret identifiable" in html
    assert "Moyenne : 3,6 sur 5" in html or "Moyenne : 3.6 sur 5" in html
    assert "5 réponses sur 6 invitations" in html and "(83 %)" in html


def test_satisfaction_reaches_the_dashboard_only_over_five_answers(client, course, ministry, after_survey):
    session, invitations = _invite(course, ministry, 6)
    for invitation in invitations[:4]:
        _answer(client, invitation, after_survey, score="5")
    rollups_refresh()
    year = session.starts_at.year
    assert dashboard(scope=PUBLIC_SCOPE, filters=Filters(year=year)).totals["satisfaction"] is None
    _answer(client, invitations[4], after_survey, score="3")
    rollups_refresh()
    totals = dashboard(scope=PUBLIC_SCOPE, filters=Filters(year=year)).totals
    assert totals["satisfaction"] == 4.6
    assert totals["after_rate"] == 83


def test_agent_may_not_see_results(client, agent, db):
    client.force_login(agent)
    assert client.get(reverse("surveys:results")).status_code == 403
