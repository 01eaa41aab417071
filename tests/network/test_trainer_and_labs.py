from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.catalogue.models import Course
from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.network.models import TrainerCertification
from essaim.network.services import cofacilitation_confirm, cofacilitation_declare, directory_profile_update
from essaim.training.models import Session
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.network.conftest import complete, member, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_course(framework):
    return Course.objects.create(
        code="former-les-formateurs",
        title="Former les formateurs",
        summary="…",
        duration_half_days=4,
        framework=framework,
        status=Course.Status.PUBLISHED,
        is_trainer_track=True,
    )


def test_trainer_status_needs_the_course_and_enough_confirmed_cofacilitations(
    agent, trainer, trainer_course, course, ministry, settings
):
    settings.NETWORK_TRAINER_MIN_COFACILITATIONS = 2
    sessions = [past_session(course, ministry, days_ago=d, trainers=[trainer]) for d in (40, 20)]
    records = [cofacilitation_declare(trainee=agent, session=s, mentor=trainer) for s in sessions]

    assert cofacilitation_confirm(record=records[0], acting_user=trainer) is None
    assert cofacilitation_confirm(record=records[1], acting_user=trainer) is None  # course not completed yet
    assert not roles.has_role(agent, Role.TRAINER)

    complete(agent, trainer_course, levels={"world-cafe": 4})
    certification = cofacilitation_confirm(record=records[1], acting_user=trainer)  # confirming again re-checks
    assert certification is not None and certification.cofacilitations == 2
    roles.forget_roles(agent)
    assert roles.has_role(agent, Role.TRAINER)
    assert AuditEntry.objects.filter(action="network.trainer.certify").count() == 1
    assert AuditEntry.objects.filter(action="accounts.role.grant", target_id=str(agent.pk)).exists()


def test_the_number_of_cofacilitations_is_a_setting(agent, trainer, trainer_course, course, ministry, settings):
    settings.NETWORK_TRAINER_MIN_COFACILITATIONS = 1
    complete(agent, trainer_course, levels={"world-cafe": 4})
    record = cofacilitation_declare(
        trainee=agent, session=past_session(course, ministry, trainers=[trainer]), mentor=trainer
    )
    assert cofacilitation_confirm(record=record, acting_user=trainer) is not None


def test_only_a_trainer_of_the_session_mentors_and_only_the_mentor_confirms(
    agent, other_agent, trainer, course, ministry
):
    session = past_session(course, ministry, trainers=[trainer, other_agent])
    with pytest.raises(ServiceError):  # other_agent is on the session but not a trainer
        cofacilitation_declare(trainee=agent, session=session, mentor=other_agent)
    record = cofacilitation_declare(trainee=agent, session=session, mentor=trainer)
    with pytest.raises(ServiceError):
        cofacilitation_declare(trainee=agent, session=session, mentor=trainer)
    with pytest.raises(ServiceError):
        cofacilitation_confirm(record=record, acting_user=agent)
    record.refresh_from_db()
    assert record.confirmed_at is None


def test_mentor_confirms_from_their_page(client, agent, trainer, course, ministry):
    record = cofacilitation_declare(
        trainee=agent, session=past_session(course, ministry, trainers=[trainer]), mentor=trainer
    )
    client.force_login(trainer)
    assert agent.full_name in client.get(reverse("network:my-profile")).content.decode()
    client.post(reverse("network:cofacilitation-confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.confirmed_at is not None
    client.force_login(agent)  # the trainee cannot confirm their own
    assert client.post(reverse("network:cofacilitation-confirm", args=[record.pk])).status_code == 404


def test_trainer_page_lists_courses_they_may_deliver_and_their_sessions(client, agent, trainer, course, ministry):
    complete(trainer, course, levels={"world-cafe": 3})
    delivered = past_session(course, ministry, trainers=[trainer])
    directory_profile_update(user=trainer, acting_user=trainer, consent=True)  # shown to agents when listed
    client.force_login(agent)
    page = client.get(reverse("network:trainer", args=[trainer.pk])).content.decode()
    assert course.title in page and delivered.starts_at.strftime("%d/%m/%Y") in page
    assert client.get(reverse("network:trainer", args=[agent.pk])).status_code == 404


def test_labs_by_region_and_a_lab_page(client, agent, course, places):
    lab = OrganisationFactory(name="Lab Bretagne", slug="lab-bzh", kind="lab", region=places["bretagne"])
    OrganisationFactory(name="Lab IDF", slug="lab-idf", kind="lab", region=places["idf"])
    coordinator = UserFactory(email="coord@x.gouv.fr", organisation=lab)
    grant(coordinator, Role.LAB_COORDINATOR, lab)
    upcoming = past_session(course, lab, days_ago=-10)
    Session.objects.filter(pk=upcoming.pk).update(status=Session.Status.PUBLISHED, lab=lab)
    breton = member(course, email="bzh@x.gouv.fr", departement=places["finistere"])
    parisian = member(course, email="paris@x.gouv.fr", departement=places["paris"])

    listing = client.get(reverse("network:labs")).content.decode()
    assert "Bretagne" in listing and "Lab Bretagne" in listing and "Lab IDF" in listing
    client.force_login(agent)
    page = client.get(reverse("network:lab", args=["lab-bzh"])).content.decode()
    assert coordinator.full_name in page
    assert reverse("training:detail", args=[upcoming.pk]) in page
    assert breton.full_name in page and parisian.full_name not in page
    client.logout()
    assert breton.full_name not in client.get(reverse("network:lab", args=["lab-bzh"])).content.decode()
    assert client.get(reverse("network:lab", args=["ministere-a"])).status_code == 404


def test_the_periodic_refresh_copies_new_completions_and_certifies(
    agent, trainer, trainer_course, course, ministry, settings
):
    from essaim.network.services import directory_profile_update
    from essaim.network.tasks import refresh_network

    settings.NETWORK_TRAINER_MIN_COFACILITATIONS = 1
    directory_profile_update(user=agent, acting_user=agent, consent=True)
    assert not agent.directory_profile.skills.exists()
    record = cofacilitation_declare(
        trainee=agent, session=past_session(course, ministry, trainers=[trainer]), mentor=trainer
    )
    cofacilitation_confirm(record=record, acting_user=trainer)
    complete(agent, trainer_course, levels={"forum-ouvert": 4})  # the session was just closed
    refresh_network.call_local()
    assert list(agent.directory_profile.skills.values_list("competency_code", "level_rank")) == [("forum-ouvert", 4)]
    assert TrainerCertification.objects.filter(user=agent).exists()


def test_skill_gaps_per_region_and_ministry_for_programme_admins(
    client, agent, programme_admin, course, places, settings, django_assert_max_num_queries
):
    settings.NETWORK_GAP_TRAINED_TARGET = 3
    from tests.factories import OrganisationFactory as Org

    interior = Org(name="Ministère de l’Intérieur de test", slug="interieur-test")
    for n in range(2):
        member(course, email=f"bzh{n}@x.gouv.fr", departement=places["finistere"], ministry=interior)
    trainer_person = member(course, email="trainer@x.gouv.fr", departement=places["finistere"], ministry=interior)
    grant(trainer_person, Role.TRAINER)
    member(course, email="idf@x.gouv.fr", departement=places["paris"], consent=False)  # aggregates count everyone

    client.force_login(agent)
    assert client.get(reverse("network:gaps")).status_code == 403
    client.force_login(programme_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("network:gaps"))
    rows = {(caption, row.name): row for caption, table in response.context["tables"] for row in table}
    bretagne = rows[("Par région", "Bretagne")]
    assert (bretagne.trained, bretagne.trainers, bretagne.missing_trained, bretagne.missing_trainers) == (3, 1, 0, 1)
    assert rows[("Par région", "Île-de-France")].trained == 1
    assert rows[("Par ministère", str(interior))].trained == 3
    assert rows[("Par région", "Corse")].trained == 0
    assert "aucune personne formée" in response.content.decode()


def test_a_trainee_declares_a_cofacilitation_from_their_page(client, agent, trainer, course, ministry):
    session = past_session(course, ministry, days_ago=10, trainers=[trainer])
    client.force_login(agent)
    page = client.get(reverse("network:my-profile")).content.decode()
    assert f'value="{session.pk}:{trainer.pk}"' in page
    client.post(reverse("network:cofacilitation-declare"), {"pair": f"{session.pk}:{trainer.pk}"})
    record = agent.cofacilitations.get()
    assert (record.session, record.mentor, record.confirmed_at) == (session, trainer, None)
    response = client.post(reverse("network:cofacilitation-declare"), {"pair": "999:1"}, follow=True)
    assert "Choisissez une session" in response.content.decode()
    assert agent.cofacilitations.count() == 1
