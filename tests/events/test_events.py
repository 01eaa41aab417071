"""Events: registration through the training engine, never counted as training, who may
manage them, the public pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.core.exceptions import ServiceError
from essaim.events.models import Event
from essaim.reporting.models import SessionFigures
from essaim.reporting.rollups import rollups_refresh
from essaim.training.attendance import session_close
from essaim.training.models import Completion, Registration, Session
from tests.events.conftest import make_event
from tests.factories import UserFactory
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db
S = Registration.Status


def _register(client, user, event):
    client.force_login(user)
    return client.post(reverse("events:register", args=[event.slug]))


def test_seats_waiting_list_and_freed_seat_go_through_the_registration_engine(
    client, event, django_capture_on_commit_callbacks, mailoutbox
):
    first, second, third = (UserFactory() for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        for person in (first, second, third):
            response = _register(client, person, event)
            assert response.status_code == 302 and response.url == reverse("events:detail", args=[event.slug])
    statuses = dict(Registration.objects.filter(session=event.session).values_list("user_id", "status"))
    assert statuses == {first.pk: S.BOOKED, second.pk: S.BOOKED, third.pk: S.WAITLISTED}
    # The waiting person sees their place in line on the event's page.
    page = client.get(reverse("events:detail", args=[event.slug]))
    assert "Vous êtes n° 1 sur la liste d’attente." in page.content.decode()
    # The engine's own e-mails, titled with the event, the booked ones with an invitation.
    booked_mail = next(m for m in mailoutbox if m.to == [first.email])
    assert event.title in booked_mail.subject and booked_mail.attachments
    # The first person cancels from the event page and comes back to it; the seat is
    # offered to the person waiting once the cancellation commits.
    client.force_login(first)
    mine = Registration.objects.get(session=event.session, user=first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training:cancel", args=[mine.pk]), {"next": reverse("events:detail", args=[event.slug])}
        )
    assert response.url == reverse("events:detail", args=[event.slug])
    assert Registration.objects.get(session=event.session, user=third).status == S.OFFERED
    client.force_login(third)
    assert "Accepter la place" in client.get(reverse("events:detail", args=[event.slug])).content.decode()


def test_capacity_is_respected_and_a_second_sign_up_is_refused(client, event):
    person = UserFactory()
    _register(client, person, event)
    response = _register(client, person, event)
    assert Registration.objects.filter(session=event.session, user=person).count() == 1
    assert "déjà inscrit" in client.get(response.url).content.decode()


def test_anonymous_visitors_are_sent_to_log_in_and_register_nothing(client, event):
    response = client.post(reverse("events:register", args=[event.slug]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not Registration.objects.filter(session=event.session).exists()
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "Se connecter pour s’inscrire" in page


def test_events_never_count_as_training(client, event, ministry, framework):
    people = [UserFactory() for _ in range(2)]
    for person in people:
        _register(client, person, event)
    # Even once it has taken place, an event issues no completion.
    Session.objects.filter(pk=event.session_id).update(
        starts_at=timezone.now() - dt.timedelta(days=2), ends_at=timezone.now() - dt.timedelta(days=2, hours=-1)
    )
    with pytest.raises(ServiceError):
        session_close(session=event.session, acting_user=None)
    assert not Completion.objects.exists()
    rollups_refresh(full=True)
    assert not SessionFigures.objects.filter(session_id=event.session_id).exists()
    # Not in the public list of training sessions; its session URL leads to the event.
    client.logout()
    assert event.title not in client.get(reverse("training:list")).content.decode()
    detail = client.get(reverse("training:detail", args=[event.session_id]))
    assert detail.status_code == 302 and detail.url == reverse("events:detail", args=[event.slug])


def test_an_organiser_edits_their_own_events_only(client, organiser, ministry, other_ministry, framework):
    own = make_event(ministry, title="Conférence du ministère A")
    other = make_event(other_ministry, title="Conférence du ministère B")
    client.force_login(organiser)
    assert client.get(reverse("events_admin:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("events_admin:edit", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("events_admin:edit", args=[other.pk]),
        {"kind": "conference", "title": "Piratée", "description": "x", **_empty_speakers()},
    )
    assert response.status_code == 404
    assert Event.objects.get(pk=other.pk).title == "Conférence du ministère B"
    listed = client.get(reverse("events_admin:list")).content.decode()
    assert "Conférence du ministère A" in listed and "Conférence du ministère B" not in listed
    # Creating an event for another ministry is refused by the form.
    start = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.localtime() + dt.timedelta(days=20, hours=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "kind": "conference",
        "title": "Nouvelle conférence",
        "description": "Présentation.",
        "organiser": other_ministry.pk,
        "starts_at": start,
        "ends_at": end,
        "capacity": 30,
        "venue": "place",
        "address": "1 rue de Test, Paris",
        "publish": "on",
        **_empty_speakers(),
    }
    assert client.post(reverse("events_admin:create"), data).status_code == 400
    response = client.post(reverse("events_admin:create"), {**data, "organiser": ministry.pk})
    created = Event.objects.get(title="Nouvelle conférence")
    assert response.url == reverse("events:detail", args=[created.slug])
    assert created.session.kind == Session.Kind.EVENT and created.session.organiser == ministry


def test_agents_may_not_use_the_events_back_office(client, agent, event):
    client.force_login(agent)
    assert client.get(reverse("events_admin:list")).status_code == 403
    assert client.get(reverse("events_admin:edit", args=[event.pk])).status_code == 404


def _empty_speakers():
    return {
        "speakers-TOTAL_FORMS": "1",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "12",
        "speakers-0-name": "",
        "speakers-0-affiliation": "",
        "speakers-0-kind": "academia",
    }


def test_a_past_event_shows_its_replay_and_only_the_resources_the_visitor_may_see(client, organiser, event, agent):
    public = make_resource("Le world café", "Animer des conversations.")
    agents_only = make_resource("Jury citoyen interne", "Réservé aux agents.", visibility="agents")
    client.force_login(organiser)
    response = client.post(
        reverse("events_admin:edit", args=[event.pk]),
        {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "replay_url": "https://videos.exemple.fr/replay",
            "resources": f"{public.slug}\n{agents_only.slug}",
            "publish": "on",
            **_empty_speakers(),
        },
    )
    assert response.status_code == 302
    Session.objects.filter(pk=event.session_id).update(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=3, hours=-1)
    )
    client.logout()
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "https://videos.exemple.fr/replay" in page
    assert "Le world café" in page and "Jury citoyen interne" not in page
    assert "M’inscrire" not in page
    client.force_login(agent)
    assert "Jury citoyen interne" in client.get(reverse("events:detail", args=[event.slug])).content.decode()
    past = client.get(reverse("events:list")).content.decode()
    assert "Replay disponible" in past


def test_event_list_and_api_query_counts_do_not_grow(
    client, framework, ministry, partner_org, django_assert_max_num_queries
):
    for index in range(3):
        make_event(ministry, title=f"Événement {index}", partners=[partner_org])
    with django_assert_max_num_queries(6):
        small = client.get(reverse("events:list"))
    for index in range(3, 12):
        make_event(ministry, title=f"Événement {index}", partners=[partner_org])
    with django_assert_max_num_queries(6):
        large = client.get(reverse("events:list"))
    assert small.status_code == large.status_code == 200
    assert "Événement 11" in large.content.decode()
    with django_assert_max_num_queries(8):
        api = client.get("/api/v1/events")
    rows = api.json()
    assert len(rows) == 12
    assert rows[0]["partners"] == ["Démocratie Test"] and rows[0]["seats_left"] == 2
    assert rows[0]["speakers"][0]["kind"] == "civil_society"
