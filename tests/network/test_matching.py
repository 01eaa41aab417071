from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.network.matching import (
    facilitation_request_create,
    invitation_mark_done,
    invitation_respond,
    invitation_send,
)
from essaim.network.models import FacilitationRequest, Invitation
from essaim.network.selectors import request_candidates
from tests.factories import UserFactory
from tests.network.conftest import member

pytestmark = pytest.mark.django_db


def _need(requester, places, **overrides):
    values = {
        "requester": requester,
        "topic": "Concertation sur le budget",
        "date": timezone.localdate() + dt.timedelta(days=20),
        "competency_code": "world-cafe",
        "audience_size": 40,
        "departement": places["paris"],
    }
    values.update(overrides)
    return facilitation_request_create(**values)


def _invite_in_the_past(facilitator, requester, places, *, days_ago):
    need = _need(requester, places, topic=f"Ancien {days_ago}")
    invitation = Invitation.objects.create(request=need, facilitator=facilitator)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))


def test_ranking_weighs_level_distance_and_availability_and_explains_itself(agent, course, places):
    same_dept = member(course, email="d@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2})
    same_region = member(course, email="r@x.gouv.fr", departement=places["essonne"], levels={"world-cafe": 2})
    far_expert = member(course, email="f@x.gouv.fr", departement=places["finistere"], levels={"world-cafe": 4})
    limited = member(
        course, email="l@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2}, availability="limited"
    )
    member(
        course, email="u@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 4}, availability="unavailable"
    )
    member(course, email="o@x.gouv.fr", departement=places["paris"], levels={"forum-ouvert": 4})

    ranked = request_candidates(request=_need(agent, places))
    # 20+20+10=50, 40+0+10=50 (tie: database order), 20+10+10=40, 20+20+0=40
    scores = {c.profile.user: c.score for c in ranked}
    assert scores == {same_dept: 50, far_expert: 50, same_region: 40, limited: 40}
    explanation = " ".join(next(c for c in ranked if c.profile.user == same_dept).reasons)
    assert "Même département : +20" in explanation and "Niveau 2" in explanation and "Disponible : +10" in explanation

    remote = request_candidates(request=_need(agent, places, is_remote=True, departement=None))
    assert remote[0].profile.user == far_expert
    assert "à distance" in " ".join(remote[0].reasons)


def test_load_is_spread_people_asked_often_come_after(agent, other_agent, course, places):
    busy = member(course, email="busy@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    fresh = member(course, email="fresh@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    for days_ago in (10, 100, 200):
        _invite_in_the_past(busy, other_agent, places, days_ago=days_ago)
    _invite_in_the_past(fresh, other_agent, places, days_ago=400)  # older than 12 months: not counted

    ranked = request_candidates(request=_need(agent, places))
    assert [c.profile.user for c in ranked] == [fresh, busy]
    assert ranked[0].recent_invitations == 0
    assert ranked[1].recent_invitations == 3 and ranked[1].score == ranked[0].score - 15
    assert "Déjà sollicité·e 3 fois en 12 mois : −15" in ranked[1].reasons


def test_ranking_query_count_is_constant(agent, course, places, django_assert_num_queries):
    for n in range(2):
        member(course, email=f"a{n}@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2})
    need = _need(agent, places)
    with django_assert_num_queries(5):  # three bounded scans, the people, their load
        assert len(request_candidates(request=need)) == 2
    for n in range(12):
        member(course, email=f"b{n}@x.gouv.fr", departement=places["finistere"], levels={"world-cafe": 3})
        _invite_in_the_past(UserFactory(email=f"b{n}@x.gouv.fr"), agent, places, days_ago=5)
    with django_assert_num_queries(5):  # three bounded scans, the people, their load
        assert len(request_candidates(request=need)) == 14


def test_request_invite_accept_and_the_workshop_lands_in_the_practice_log(
    agent, course, places, mailoutbox, django_capture_on_commit_callbacks
):
    facilitator = member(course, email="fac@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    need = _need(agent, places, date=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invitation_send(request=need, facilitator_ids=[facilitator.pk], acting_user=agent)
    assert mailoutbox[-1].to == [facilitator.email]
    assert invitation.explanation and invitation.score == 60  # 3 × 10 + same département 20 + available 10
    assert request_candidates(request=need) == []  # already invited: not proposed twice
    with django_capture_on_commit_callbacks(execute=True):
        invitation_respond(invitation=invitation, acting_user=facilitator, accept=True)
    assert mailoutbox[-1].to == [agent.email]
    invitation_mark_done(invitation=invitation, acting_user=facilitator, participants=35)
    invitation.refresh_from_db()
    entry = facilitator.practice_entries.get()
    assert invitation.status == Invitation.Status.DONE and invitation.practice_entry == entry
    assert (entry.title, entry.method, entry.participants, entry.date) == (
        "Concertation sur le budget",
        "Animer un world café",
        35,
        timezone.localdate(),
    )
    facilitator.directory_profile.refresh_from_db()
    assert facilitator.directory_profile.practice_count == 1
    assert AuditEntry.objects.filter(action="practice.entry.create", actor=facilitator).exists()


def test_a_workshop_is_marked_done_only_after_its_date_and_once_accepted(agent, course, places):
    facilitator = member(course, email="fac@x.gouv.fr", departement=places["paris"])
    [invitation] = invitation_send(request=_need(agent, places), facilitator_ids=[facilitator.pk], acting_user=agent)
    with pytest.raises(ServiceError):
        invitation_mark_done(invitation=invitation, acting_user=facilitator, participants=10)
    invitation_respond(invitation=invitation, acting_user=facilitator, accept=True)
    with pytest.raises(ServiceError, match="pas encore eu lieu"):
        invitation_mark_done(invitation=invitation, acting_user=facilitator, participants=10)
    assert not facilitator.practice_entries.exists()


def test_only_ranked_candidates_can_be_invited_and_only_by_the_requester(agent, other_agent, course, places):
    facilitator = member(course, email="fac@x.gouv.fr", departement=places["paris"])
    hidden = member(course, email="hidden@x.gouv.fr", departement=places["paris"], consent=False)
    need = _need(agent, places)
    with pytest.raises(ServiceError):
        invitation_send(request=need, facilitator_ids=[hidden.pk], acting_user=agent)
    with pytest.raises(ServiceError):
        invitation_send(request=need, facilitator_ids=[facilitator.pk], acting_user=other_agent)
    [invitation] = invitation_send(request=need, facilitator_ids=[facilitator.pk], acting_user=agent)
    with pytest.raises(ServiceError):
        invitation_respond(invitation=invitation, acting_user=other_agent, accept=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": timezone.localdate() - dt.timedelta(days=1)}, "passée"),
        ({"competency_code": "inconnue"}, "Méthode inconnue"),
        ({"departement": None}, "département"),
        ({"topic": "  "}, "sujet"),
    ],
)
def test_bad_requests_are_refused_with_a_message(agent, framework, places, overrides, message):
    with pytest.raises(ServiceError, match=message):
        _need(agent, places, **overrides)
    assert not FacilitationRequest.objects.exists()


def test_pages_the_requester_and_the_facilitator_see(client, agent, other_agent, course, places):
    facilitator = member(course, email="fac@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    client.force_login(agent)
    response = client.post(
        reverse("network:requests"),
        {
            "topic": "Atelier usagers",
            "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "competency_code": "world-cafe",
            "audience_size": "20",
            "departement": "75",
        },
    )
    need = FacilitationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("network:request", args=[need.pk])
    page = client.get(response["Location"]).content.decode()
    assert facilitator.full_name in page and "Même département : +20" in page
    client.post(reverse("network:request", args=[need.pk]), {"facilitator": [str(facilitator.pk)]})
    assert Invitation.objects.filter(request=need, facilitator=facilitator).exists()

    client.force_login(other_agent)  # someone else's request: as if it did not exist
    assert client.get(reverse("network:request", args=[need.pk])).status_code == 404
    assert client.get(f"/api/v1/network/requests/{need.pk}/candidates").status_code == 404

    client.force_login(facilitator)
    invitation = Invitation.objects.get()
    assert "Atelier usagers" in client.get(reverse("network:invitations")).content.decode()
    client.post(reverse("network:invitation-answer", args=[invitation.pk]), {"answer": "accept"})
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED

    client.force_login(other_agent)
    response = client.post(reverse("network:invitation-answer", args=[invitation.pk]), {"answer": "decline"})
    assert response.status_code == 404


def test_bad_request_form_input_gets_a_message_not_a_500(client, agent, framework):
    client.force_login(agent)
    response = client.post(reverse("network:requests"), {"topic": "x", "date": "demain", "audience_size": "-3"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"date", "audience_size", "competency_code"}


def test_api_request_candidates_invite_and_answer(client, agent, course, places):
    facilitator = member(course, email="fac@x.gouv.fr", departement=places["essonne"], levels={"world-cafe": 2})
    client.force_login(agent)
    created = client.post(
        "/api/v1/network/requests",
        {
            "topic": "Atelier",
            "date": str(timezone.localdate() + dt.timedelta(days=5)),
            "competency": "world-cafe",
            "audience_size": 12,
            "departement": "75",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    [candidate] = client.get(f"/api/v1/network/requests/{request_id}/candidates").json()
    assert candidate["user_id"] == facilitator.pk and "Même région : +10" in candidate["reasons"]
    invited = client.post(
        f"/api/v1/network/requests/{request_id}/invitations",
        {"facilitators": [facilitator.pk]},
        content_type="application/json",
    )
    assert invited.status_code == 201
    bad = client.post(
        "/api/v1/network/requests",
        {"topic": "A", "date": "2020-01-01", "competency": "world-cafe", "audience_size": 3, "is_remote": True},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "passée" in bad.json()["detail"]
    client.force_login(facilitator)
    invitation_id = invited.json()[0]["id"]
    assert client.post(f"/api/v1/network/invitations/{invitation_id}/accept").json()["status"] == "accepted"
