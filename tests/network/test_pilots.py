"""Lab pilots: a civil servant proposes, the lab's coordinators decide and run the pilot,
facilitators get their workshops in their practice log once, a finished pilot becomes a
published case study in the library."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import Role
from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.library.models import Resource
from essaim.library.selectors import resource_search
from essaim.network import pilots
from essaim.network.models import Pilot
from essaim.practice.models import PracticeEntry
from tests.factories import OrganisationFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_lab_coordinator(db):
    other = OrganisationFactory(name="Autre laboratoire", slug="autre-lab", kind="lab")
    user = UserFactory(email="coordination.autre@exemple.gouv.fr", organisation=other)
    grant(user, Role.LAB_COORDINATOR, other)
    return user


@pytest.fixture
def facilitator(db):
    return UserFactory(email="facilitatrice@exemple.gouv.fr", given_name="Awa", usual_name="Diallo")


def propose(lab, agent):
    return pilots.pilot_propose(
        lab=lab,
        proposer=agent,
        title="Accueil sans rendez-vous en sous-préfecture",
        problem="Les usagers attendent des heures.",
        solution="Un accueil orienté par des agents volontaires, testé trois mois.",
    )


def running(lab, agent, coordinator, facilitator):
    """An accepted pilot with the facilitator in its team and a workshop held yesterday."""
    pilot = propose(lab, agent)
    pilots.pilot_decide(pilot=pilot, acting_user=coordinator, accept=True, reason="")
    pilots.pilot_member_add(pilot=pilot, acting_user=coordinator, email=facilitator.email, role="animation")
    workshop = pilots.pilot_workshop_add(
        pilot=pilot,
        acting_user=coordinator,
        date=timezone.localdate() - dt.timedelta(days=1),
        title="Atelier usagers",
        method="World café",
        participants=18,
        facilitator_ids=[facilitator.pk],
    )
    return pilot, workshop


def test_a_proposal_is_accepted_and_goes_through_its_stages(lab, agent, lab_coordinator):
    pilot = propose(lab, agent)
    assert pilot.status == Pilot.Status.PROPOSED
    pilots.pilot_decide(pilot=pilot, acting_user=lab_coordinator, accept=True, reason="Bonne idée")
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.FRAMING and pilot.decided_by == lab_coordinator
    for stage in (Pilot.Status.WORKSHOPS, Pilot.Status.EXPERIMENT, Pilot.Status.REVIEW):
        assert pilots.pilot_advance(pilot=pilot, acting_user=lab_coordinator).status == stage
    with pytest.raises(ServiceError, match="résultats"):  # no results, no end
        pilots.pilot_advance(pilot=pilot, acting_user=lab_coordinator)
    pilots.pilot_describe(
        pilot=pilot, acting_user=lab_coordinator, methods=[], methods_text="Forum ouvert", results="Attente −40 %"
    )
    assert pilots.pilot_advance(pilot=pilot, acting_user=lab_coordinator).status == Pilot.Status.DONE
    with pytest.raises(ServiceError):
        pilots.pilot_advance(pilot=pilot, acting_user=lab_coordinator)
    actions = list(AuditEntry.objects.filter(target_id=str(pilot.pk)).values_list("action", flat=True))
    assert {"network.pilot.propose", "network.pilot.accept", "network.pilot.stage", "network.pilot.describe"} <= set(
        actions
    )


def test_declining_needs_a_reason_that_the_proposer_reads(client, lab, agent, lab_coordinator):
    pilot = propose(lab, agent)
    with pytest.raises(ServiceError):
        pilots.pilot_decide(pilot=pilot, acting_user=lab_coordinator, accept=False, reason=" ")
    pilots.pilot_decide(pilot=pilot, acting_user=lab_coordinator, accept=False, reason="Déjà expérimenté en 2024")
    client.force_login(agent)
    page = client.get(reverse("network:my-proposals")).content.decode()
    assert "Déjà expérimenté en 2024" in page and "Proposition déclinée" in page
    # A declined proposal is not on the lab's public page.
    assert pilot.title not in client.get(reverse("network:lab", args=[lab.slug])).content.decode()


def test_another_labs_coordinator_and_the_proposer_cannot_act(
    client, lab, agent, lab_coordinator, other_lab_coordinator
):
    pilot = propose(lab, agent)
    with pytest.raises(ServiceError):
        pilots.pilot_decide(pilot=pilot, acting_user=other_lab_coordinator, accept=True, reason="")
    with pytest.raises(ServiceError):
        pilots.pilot_decide(pilot=pilot, acting_user=agent, accept=True, reason="")
    pilots.pilot_decide(pilot=pilot, acting_user=lab_coordinator, accept=True, reason="")

    client.force_login(agent)  # the proposer sees the pilot but cannot change its stage
    url = reverse("network:pilot", args=[lab.slug, pilot.pk])
    assert client.get(url).status_code == 200
    assert client.post(reverse("network:pilot-advance", args=[lab.slug, pilot.pk])).status_code == 403
    client.force_login(other_lab_coordinator)
    assert client.post(reverse("network:pilot-advance", args=[lab.slug, pilot.pk])).status_code == 403
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.FRAMING

    client.force_login(lab_coordinator)
    response = client.post(reverse("network:pilot-advance", args=[lab.slug, pilot.pk]), follow=True)
    assert "passe à l’étape suivante" in response.content.decode()
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.WORKSHOPS


def test_a_pending_proposal_is_seen_only_by_its_proposer_and_the_labs_coordinators(
    client, lab, agent, other_agent, lab_coordinator, other_lab_coordinator
):
    pilot = propose(lab, agent)
    url = reverse("network:pilot", args=[lab.slug, pilot.pk])
    for viewer, status in ((agent, 200), (lab_coordinator, 200), (other_agent, 404), (other_lab_coordinator, 404)):
        client.force_login(viewer)
        assert client.get(url).status_code == status, viewer
    client.force_login(lab_coordinator)
    assert "Enregistrer la décision" in client.get(url).content.decode()
    assert pilot.title in client.get(reverse("network:pilots", args=[lab.slug])).content.decode()
    client.force_login(other_agent)
    assert pilot.title not in client.get(reverse("network:pilots", args=[lab.slug])).content.decode()


def test_a_held_workshop_reaches_each_facilitators_practice_log_once(lab, agent, lab_coordinator, facilitator):
    pilot, workshop = running(lab, agent, lab_coordinator, facilitator)
    pilots.pilot_member_add(pilot=pilot, acting_user=lab_coordinator, email=agent.email, role="usager-expert")
    second = pilots.pilot_workshop_add(
        pilot=pilot,
        acting_user=lab_coordinator,
        date=timezone.localdate(),
        title="Restitution",
        method="Forum ouvert",
        participants=30,
        facilitator_ids=[facilitator.pk, agent.pk],
    )
    pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=lab_coordinator)
    pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=lab_coordinator)  # again: nothing more
    pilots.pilot_workshop_mark_held(workshop=second, acting_user=lab_coordinator)
    pilots.pilot_workshop_mark_held(workshop=second, acting_user=lab_coordinator)
    assert sorted(PracticeEntry.objects.filter(user=facilitator).values_list("title", flat=True)) == [
        "Atelier usagers",
        "Restitution",
    ]
    entry = PracticeEntry.objects.get(user=agent)
    assert (entry.method, entry.participants) == ("Forum ouvert", 30)
    assert "Accueil sans rendez-vous" in entry.audience
    assert not PracticeEntry.objects.filter(user=lab_coordinator).exists()
    assert AuditEntry.objects.filter(action="practice.entry.create").count() == 3


def test_facilitators_come_from_the_team_and_a_future_workshop_cannot_be_held(
    lab, agent, lab_coordinator, facilitator, other_agent
):
    pilot, _workshop = running(lab, agent, lab_coordinator, facilitator)
    with pytest.raises(ServiceError, match="équipe"):
        pilots.pilot_workshop_add(
            pilot=pilot,
            acting_user=lab_coordinator,
            date=timezone.localdate(),
            title="X",
            method="Y",
            participants=5,
            facilitator_ids=[other_agent.pk],
        )
    future = pilots.pilot_workshop_add(
        pilot=pilot,
        acting_user=lab_coordinator,
        date=timezone.localdate() + dt.timedelta(days=3),
        title="Plus tard",
        method="Y",
        participants=5,
        facilitator_ids=[facilitator.pk],
    )
    with pytest.raises(ServiceError, match="pas encore eu lieu"):
        pilots.pilot_workshop_mark_held(workshop=future, acting_user=lab_coordinator)
    assert not PracticeEntry.objects.exists()


def test_a_finished_pilot_is_published_as_a_case_study_found_in_the_library(
    client, lab, agent, lab_coordinator, facilitator
):
    pilot, workshop = running(lab, agent, lab_coordinator, facilitator)
    pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=lab_coordinator)
    method = Resource.objects.create(
        slug="world-cafe", title="Le world café", summary="…", status=Resource.Status.PUBLISHED
    )
    with pytest.raises(ServiceError, match="terminé"):
        pilots.pilot_publish_case_study(pilot=pilot, acting_user=lab_coordinator)
    pilots.pilot_describe(
        pilot=pilot,
        acting_user=lab_coordinator,
        methods=[method],
        methods_text="",
        results="Temps d’attente divisé par deux <script>alert(1)</script>",
    )
    for _stage in range(4):
        pilots.pilot_advance(pilot=pilot, acting_user=lab_coordinator)

    resource = pilots.pilot_publish_case_study(pilot=pilot, acting_user=lab_coordinator)
    assert (resource.type, resource.status, resource.licence, resource.organisation) == (
        Resource.Type.CASE_STUDY,
        Resource.Status.PUBLISHED,
        Resource.Licence.ETALAB,
        lab,
    )
    assert "Le world café" in resource.body and "Atelier usagers" in resource.body
    assert "<script>" not in resource.body
    with pytest.raises(ServiceError, match="déjà publié"):
        pilots.pilot_publish_case_study(pilot=pilot, acting_user=lab_coordinator)

    found = resource_search(user=None, query="attente divisé", with_facets=False)
    assert [hit.resource.pk for hit in found.hits] == [resource.pk]
    assert AuditEntry.objects.filter(action="network.pilot.publish", actor=lab_coordinator).exists()
    client.force_login(agent)
    detail = reverse("library:detail", args=[resource.pk])
    assert detail in client.get(reverse("network:pilot", args=[lab.slug, pilot.pk])).content.decode()
    assert detail in client.get(reverse("network:lab", args=[lab.slug])).content.decode()


def test_a_coordinator_runs_a_pilot_through_the_pages(client, lab, agent, lab_coordinator, facilitator):
    client.force_login(agent)
    response = client.post(
        reverse("network:pilot-propose", args=[lab.slug]),
        {"title": "Formulaires en langage clair", "problem": "Personne ne comprend.", "solution": "Les réécrire."},
    )
    pilot = Pilot.objects.get()
    assert response.url == reverse("network:pilot", args=[lab.slug, pilot.pk])
    client.force_login(lab_coordinator)
    base = [lab.slug, pilot.pk]
    client.post(reverse("network:pilot-decide", args=base), {"decision-answer": "accept", "decision-reason": ""})
    client.post(
        reverse("network:pilot-member", args=base), {"member-email": facilitator.email, "member-role": "animation"}
    )
    client.post(
        reverse("network:pilot-workshop", args=base),
        {
            "workshop-title": "Atelier relecture",
            "workshop-date": timezone.localdate().isoformat(),
            "workshop-method": "Atelier d’écriture",
            "workshop-participants": "12",
            "workshop-facilitators": [str(facilitator.pk)],
        },
    )
    workshop = pilot.workshops.get()
    response = client.post(reverse("network:pilot-workshop-held", args=[*base, workshop.pk]), follow=True)
    assert "journal de pratique" in response.content.decode()
    assert PracticeEntry.objects.get(user=facilitator).title == "Atelier relecture"


def test_query_counts_of_the_lab_page_and_the_pilot_pages(
    client, lab, agent, lab_coordinator, facilitator, django_assert_max_num_queries
):
    for n in range(3):
        pilot, workshop = running(lab, agent, lab_coordinator, facilitator)
        pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=lab_coordinator)
        Pilot.objects.filter(pk=pilot.pk).update(title=f"Pilote {n}")
    client.force_login(agent)
    # Measured: 9, 5, 4 and 10 queries (session and user included), whatever the number of pilots.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("network:lab", args=[lab.slug])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("network:pilots", args=[lab.slug])).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("network:my-proposals")).status_code == 200
    client.force_login(lab_coordinator)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("network:pilot", args=[lab.slug, pilot.pk])).status_code == 200


def test_erasure_keeps_the_labs_pilot_without_the_person(lab, agent, lab_coordinator, facilitator):
    from essaim.network import personal_data

    pilot, _workshop = running(lab, agent, lab_coordinator, facilitator)
    assert personal_data.export(agent)["pilot_proposals"][0]["title"] == pilot.title
    assert personal_data.export(facilitator)["pilot_teams"] == [{"pilot": pilot.title, "role": "animation"}]
    personal_data.anonymise(agent)
    personal_data.anonymise(facilitator)
    pilot.refresh_from_db()
    assert pilot.proposer is None and not pilot.team.exists()


def test_the_labs_coordinators_manage_its_page(client, lab, agent, lab_coordinator, other_lab_coordinator):
    edit = reverse("organisations:edit", args=[lab.slug])
    client.force_login(lab_coordinator)
    assert edit in client.get(reverse("network:lab", args=[lab.slug])).content.decode()
    for viewer in (agent, other_lab_coordinator):
        client.force_login(viewer)
        assert edit not in client.get(reverse("network:lab", args=[lab.slug])).content.decode()
