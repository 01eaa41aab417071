"""The home page of each audience shows what the person has to do now, in a fixed number
of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.training.models import Session
from essaim.training.services import registration_cancel, registration_create
from tests.factories import UserFactory
from tests.training import conftest as training
from tests.training.conftest import make_session

# The training tests' course and framework, as fixtures of this module too.
framework = training.framework
intro_course = training.intro_course

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_agent_sees_the_seat_offered_to_them_with_its_deadline(
    client, intro_course, ministry, agent, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=1)
    first = UserFactory()
    held = registration_create(session=session, agent=first, acting_user=first)
    registration_create(session=session, agent=agent, acting_user=agent)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=held, acting_user=first)
    page = _home(client, agent)
    assert "Mes prochaines sessions" in page
    assert "Place proposée" in page and "répondez avant le" in page
    assert "apparaîtront ici" not in page


def test_an_organiser_sees_the_requests_waiting_for_approval(client, intro_course, ministry, organiser):
    session = make_session(intro_course, ministry, capacity=5, approval_mode=Session.ApprovalMode.ORGANISER)
    for person in (UserFactory(), UserFactory()):
        registration_create(session=session, agent=person, acting_user=person)
    page = _home(client, organiser)
    assert "Sessions à suivre" in page
    assert "2\u00a0demandes à valider" in page or "2 demandes à valider" in page
    assert reverse("training_admin:detail", args=[session.pk]) in page


def test_a_programme_admin_sees_the_moderation_queue_and_the_figures(client, programme_admin, partner):
    from essaim.library.services import ResourceData, resource_create

    resource_create(
        data=ResourceData(
            title="Le forum ouvert",
            summary="Un ordre du jour construit par les participants.",
            body="",
            type="method",
            audience="agents",
            language="fr",
            licence="etalab-2.0",
            licence_reason="",
            authors="",
            organisation=None,
            visibility="public",
            feedback_enabled=True,
        ),
        acting_user=partner,
    )
    page = _home(client, programme_admin)
    assert "File de modération" in page and "Le forum ouvert" in page
    assert "Le programme en chiffres" in page


def test_a_visitor_is_offered_sessions_the_path_events_and_figures(client):
    page = client.get(reverse("core:home")).content.decode()
    for name in ("training:list", "catalogue:path", "events:list", "reporting:public"):
        assert f'href="{reverse(name)}"' in page, name
    # The three tiles are links now, not decoration.
    assert page.count('class="fr-tile fr-enlarge-link"') == 3


def test_the_agent_home_costs_the_same_queries_with_more_data(client, intro_course, ministry, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)
    first = make_session(intro_course, ministry, capacity=3, days_ahead=5)
    registration_create(session=first, agent=agent, acting_user=agent)
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for days in (10, 20, 40, 50):
        session = make_session(intro_course, ministry, capacity=3, days_ahead=days)
        registration_create(session=session, agent=agent, acting_user=agent)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/").content.decode()
    # (14: one more than before issues 16 to 18 landed together)
    assert len(five.captured_queries) == len(one.captured_queries) <= 14
    assert page.count(">Inscrit<") == 4  # four rows shown, the fifth behind « Trouver une session »


def test_a_programme_admin_is_alerted_from_existing_data(client, intro_course, ministry, programme_admin):
    from essaim.core.models import OutboxMessage

    OutboxMessage.objects.create(
        queue="mail", task="send", ref="personne@exemple.gouv.fr", status=OutboxMessage.Status.FAILED
    )
    OutboxMessage.objects.create(queue="mail", task="send", status=OutboxMessage.Status.SENT)
    make_session(intro_course, ministry, days_ahead=5)  # no trainer yet
    page = _home(client, programme_admin)
    assert "Alertes" in page and "Aucune alerte." not in page
    assert "1 message n’a pas pu être envoyé après toutes les tentatives" in page.replace("&#x27;", "’")
    assert "personne@exemple.gouv.fr" not in page  # a count, never the addresses
    assert "1 session commence dans moins de 14 jours sans formateur" in page
    assert f'href="{reverse("training_admin:list")}"' in page


def test_a_programme_admin_without_alerts_is_told_so(client, intro_course, ministry, programme_admin, trainer):
    # An introduction session under way today, with its trainer: this quarter is covered,
    # nobody is missing. It is scheduled tomorrow (a new session cannot start in the past)
    # then the clock moves on: its start becomes an hour ago, whatever the time of the run.
    session = make_session(intro_course, ministry, days_ahead=1)
    session.trainers.add(trainer)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    page = _home(client, programme_admin)
    assert "Aucune alerte." in page
    assert "formation d’introduction n’est publiée ce trimestre" not in page.replace("&#x27;", "’")


def test_an_admin_home_with_no_intro_session_this_quarter_says_so(client, programme_admin):
    page = _home(client, programme_admin).replace("&#x27;", "’")
    assert "Aucune session de la formation d’introduction n’est publiée ce trimestre" in page
    assert f'href="{reverse("training_admin:planning")}"' in page


def test_the_admin_home_costs_the_same_queries_with_more_alerts(client, intro_course, ministry, programme_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essaim.core.models import OutboxMessage

    client.force_login(programme_admin)
    client.get("/")  # the figures, kept ten minutes, out of the count
    with CaptureQueriesContext(connection) as none:
        client.get("/")
    for days in (2, 4, 6):
        make_session(intro_course, ministry, days_ahead=days)
        OutboxMessage.objects.create(queue="mail", task="send", status=OutboxMessage.Status.FAILED)
    with CaptureQueriesContext(connection) as three:
        page = client.get("/").content.decode()
    assert "3 sessions commencent dans moins de 14 jours sans formateur" in page
    # (18: the moderation and managed-sessions panels, and three counting queries for the alerts)
    assert len(three.captured_queries) == len(none.captured_queries) <= 18


def test_an_english_page_marks_french_titles_lang_fr(client, intro_course, ministry):
    session = make_session(intro_course, ministry, days_ahead=10)
    french = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert f"<h1>{intro_course.title}</h1>" in french  # nothing to mark on a French page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert 'lang="en"' in english[:400]
    assert f'<h1 lang="fr">{intro_course.title}</h1>' in english
    listed = client.get(reverse("training:list")).content.decode()
    assert f'lang="fr">{intro_course.title}</a>' in listed
    course = client.get(reverse("catalogue:detail", args=[intro_course.code])).content.decode()
    assert f'<h1 lang="fr">{intro_course.title}</h1>' in course
