from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.network.matching import facilitation_request_create
from essaim.network.models import ContactMessage, DirectorySkill
from essaim.network.selectors import directory_search, request_candidates
from essaim.network.services import contact_message_send, directory_profile_update
from tests.network.conftest import member

pytestmark = pytest.mark.django_db


def test_skills_levels_and_places_come_from_completions_and_organisation(course, places):
    user = member(course, email="a@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3, "forum-ouvert": 1})
    profile = user.directory_profile
    assert profile.region_id == "11" and profile.departement_id == "75"
    assert profile.ministry_id == user.organisation.parent_id
    assert {(s.competency_code, s.level_rank, s.competency_name) for s in profile.skills.all()} == {
        ("world-cafe", 3, "Animer un world café"),
        ("forum-ouvert", 1, "Animer un forum ouvert"),
    }
    assert AuditEntry.objects.filter(action="network.consent.give", target_id=str(profile.pk)).exists()


def test_nobody_is_listed_without_consent(course, places):
    member(course, email="quiet@x.gouv.fr", departement=places["paris"], consent=False)
    assert list(directory_search()) == []
    assert not DirectorySkill.objects.exists()


def test_filters_by_competency_level_region_ministry_and_availability(course, places, framework):
    a = member(course, email="a@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    b = member(course, email="b@x.gouv.fr", departement=places["finistere"], levels={"world-cafe": 1})
    c = member(
        course, email="c@x.gouv.fr", departement=places["paris"], levels={"forum-ouvert": 4}, availability="limited"
    )

    def names(**filters):
        return {p.user.email for p in directory_search(**filters)}

    assert names() == {a.email, b.email, c.email}
    assert names(competency="world-cafe") == {a.email, b.email}
    assert names(competency="world-cafe", min_level=2) == {a.email}
    assert names(region="53") == {b.email}
    assert names(competency="world-cafe", region="53") == {b.email}
    assert names(ministry=a.directory_profile.ministry_id) == {a.email}
    assert names(availability="limited") == {c.email}
    assert names(min_level=4) == {c.email}
    # Best level first when a competency is asked for.
    assert [p.user.email for p in directory_search(competency="world-cafe")] == [a.email, b.email]


def test_withdrawing_consent_hides_the_person_everywhere_at_once(client, agent, course, places, framework):
    person = member(course, email="gone@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 3})
    profile = person.directory_profile
    need = facilitation_request_create(
        requester=agent,
        topic="Concertation",
        date=profile.updated_at.date(),
        competency_code="world-cafe",
        audience_size=30,
        departement=places["paris"],
    )
    client.force_login(agent)
    assert person.full_name in client.get(reverse("network:directory")).content.decode()
    assert client.get(reverse("network:person", args=[profile.pk])).status_code == 200
    assert [c.profile.user for c in request_candidates(request=need)] == [person]

    directory_profile_update(user=person, acting_user=person, consent=False)

    assert person.full_name not in client.get(reverse("network:directory")).content.decode()
    assert person.full_name not in client.get(reverse("network:directory") + "?competency=world-cafe").content.decode()
    assert client.get(reverse("network:person", args=[profile.pk])).status_code == 404
    api = client.get("/api/v1/network/directory").json()
    assert api["count"] == 0
    assert request_candidates(request=need) == []
    with pytest.raises(ServiceError):
        contact_message_send(sender=agent, recipient_profile=profile, subject="Bonjour", body="Un atelier ?")
    assert AuditEntry.objects.filter(action="network.consent.withdraw").exists()


def test_directory_pages_never_show_email_addresses(client, agent, course, places):
    person = member(course, email="secret.address@x.gouv.fr", departement=places["paris"])
    client.force_login(agent)
    for url in (reverse("network:directory"), reverse("network:person", args=[person.directory_profile.pk])):
        assert "secret.address" not in client.get(url).content.decode()
    assert "secret.address" not in client.get("/api/v1/network/directory").content.decode()


def test_directory_requires_login(client):
    response = client.get(reverse("network:directory"))
    assert response.status_code == 302 and "/connexion" in response["Location"]


def test_directory_query_count_is_constant(client, agent, course, places, django_assert_num_queries):
    for n in range(3):
        member(
            course, email=f"p{n}@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2, "forum-ouvert": 1}
        )
    client.force_login(agent)
    url = reverse("network:directory") + "?competency=world-cafe"
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3, 15):
        member(course, email=f"p{n}@x.gouv.fr", departement=places["finistere"], levels={"world-cafe": 3})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("/reseau/personnes/") == 15
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as unfiltered:
        client.get(reverse("network:directory"))
    assert len(unfiltered) == len(few)


def test_contact_goes_through_the_platform_and_is_rate_limited(
    client, agent, course, places, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.NETWORK_CONTACT_DAILY_LIMIT = 2
    person = member(course, email="contact.me@x.gouv.fr", departement=places["paris"])
    url = reverse("network:person", args=[person.directory_profile.pk])
    client.force_login(agent)
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"subject": f"Atelier {n}", "body": "Pourriez-vous animer ?"})
        assert response.status_code == 302
    assert len(mailoutbox) == 2
    mail = mailoutbox[0]
    assert mail.to == ["contact.me@x.gouv.fr"] and mail.reply_to == [agent.email]
    assert "Pourriez-vous animer ?" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"subject": "Encore", "body": "…"})
    assert refused.status_code == 429
    assert "réessayez demain" in refused.content.decode()
    assert len(mailoutbox) == 2 and ContactMessage.objects.count() == 2


def test_bad_profile_input_is_refused_with_a_message(client, agent):
    client.force_login(agent)
    response = client.post(reverse("network:my-profile"), {"consent": "on", "availability": "sometimes"})
    assert response.status_code == 400
    assert "availability" in response.context["form"].errors


def test_my_profile_page_gives_and_withdraws_consent(client, agent, course):
    client.force_login(agent)
    assert client.get(reverse("network:my-profile")).status_code == 200
    client.post(reverse("network:my-profile"), {"consent": "on", "availability": "available", "bio": "Facilitatrice"})
    agent.refresh_from_db()
    assert agent.directory_profile.consent and agent.directory_profile.consented_at
    client.post(reverse("network:my-profile"), {"availability": "available"})
    agent.directory_profile.refresh_from_db()
    assert not agent.directory_profile.consent and agent.directory_profile.consented_at is None


def test_a_new_post_moves_the_person_in_the_directory_and_keeps_their_entry(agent, course, places, ministry):
    from essaim.accounts.services import affiliation_change
    from essaim.network.tasks import refresh_network
    from tests.factories import OrganisationFactory

    person = member(course, email="moving@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2})
    breton = OrganisationFactory(
        kind="service", parent=ministry, departement=places["finistere"], region=places["bretagne"]
    )
    affiliation_change(user=person, organisation=breton, acting_user=person)
    refresh_network.call_local()
    assert [p.user for p in directory_search(region="53")] == [person]
    assert [p.user for p in directory_search(competency="world-cafe", region="53")] == [person]
    assert directory_search(region="11").count() == 0


def test_api_my_profile_consent_and_bad_input(client, agent, course, places):
    client.force_login(agent)
    assert client.get("/api/v1/network/me/profile").status_code == 404
    given = client.put(
        "/api/v1/network/me/profile", {"consent": True, "languages": "français"}, content_type="application/json"
    )
    assert given.status_code == 200 and given.json()["consent"] is True
    assert client.get("/api/v1/network/directory").json()["count"] == 1
    bad = client.put(
        "/api/v1/network/me/profile", {"consent": True, "availability": "parfois"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"] == "Disponibilité inconnue."
    client.put("/api/v1/network/me/profile", {"consent": False}, content_type="application/json")
    assert client.get("/api/v1/network/directory").json()["count"] == 0
    client.logout()
    assert client.get("/api/v1/network/directory").status_code == 401


def test_personal_data_export_and_erasure(agent, course, places):
    from essaim.network import personal_data

    person = member(course, email="erase.me@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2})
    contact_message_send(
        sender=agent, recipient_profile=person.directory_profile, subject="Bonjour", body="Un atelier ?"
    )
    exported = personal_data.export(person)
    assert exported["directory_profile"]["skills"] == [{"competency": "world-cafe", "level_rank": 2}]
    assert exported["messages_received"][0]["body"] == "Un atelier ?"
    personal_data.anonymise(person)
    assert list(directory_search()) == []
    assert ContactMessage.objects.get().body == ""


def test_large_results_ask_to_refine_instead_of_counting_everything(client, agent, course, places, monkeypatch):
    from essaim.network import selectors

    monkeypatch.setattr(selectors, "DIRECTORY_COUNT_CAP", 2)
    for n in range(3):
        member(course, email=f"many{n}@x.gouv.fr", departement=places["paris"])
    client.force_login(agent)
    page = client.get(reverse("network:directory")).content.decode()
    assert "Plus de 2 personnes : affinez avec les filtres." in page
