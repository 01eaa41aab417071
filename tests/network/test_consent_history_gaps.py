"""Consent on lab pages and trainer pages, affiliation history and turnover, skills from
credentials, and small counts on the skill gaps page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import Role
from essaim.credentials.models import Credential
from essaim.network.services import directory_profile_update
from essaim.network.tasks import refresh_network
from essaim.organisations.models import Affiliation
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.network.conftest import complete, member

pytestmark = pytest.mark.django_db


def test_withdrawing_consent_hides_a_person_from_the_lab_page(client, agent, course, places):
    lab = OrganisationFactory(name="Lab Bretagne", slug="lab-bzh", kind="lab", region=places["bretagne"])
    breton = member(course, email="bzh@x.gouv.fr", departement=places["finistere"])
    client.force_login(agent)
    url = reverse("network:lab", args=[lab.slug])
    assert breton.full_name in client.get(url).content.decode()
    directory_profile_update(user=breton, acting_user=breton, consent=False)
    assert breton.full_name not in client.get(url).content.decode()


def test_a_trainer_outside_the_directory_is_shown_only_to_those_who_schedule(
    client, agent, trainer, organiser, programme_admin, course, places
):
    url = reverse("network:trainer", args=[trainer.pk])
    directory_profile_update(user=trainer, acting_user=trainer, consent=True)
    client.force_login(agent)
    assert client.get(url).status_code == 200
    directory_profile_update(user=trainer, acting_user=trainer, consent=False)
    assert client.get(url).status_code == 404
    for viewer in (organiser, programme_admin, trainer):
        client.force_login(viewer)
        assert client.get(url).status_code == 200, viewer


def test_the_directory_page_shows_the_affiliation_history(client, agent, course, places):
    first = OrganisationFactory(name="Préfecture du Finistère", slug="pref-29", kind="prefecture")
    person = member(course, email="mobile@x.gouv.fr", departement=places["finistere"])
    Affiliation.objects.create(
        user=person, organisation=first, start_date=dt.date(2020, 1, 1), end_date=dt.date(2025, 6, 30)
    )
    Affiliation.objects.create(user=person, organisation=person.organisation, start_date=dt.date(2025, 7, 1))
    client.force_login(agent)
    page = client.get(reverse("network:person", args=[person.directory_profile.pk])).content.decode()
    assert "Préfecture du Finistère" in page and "de 01/2020 à 06/2025" in page
    assert "depuis 07/2025 (poste actuel)" in page
    assert person.directory_profile.skills.exists()  # still a member after the move


def test_turnover_per_ministry_for_programme_admins(client, agent, programme_admin, course, places):
    interior = OrganisationFactory(name="Ministère de l’Intérieur de test", slug="interieur-test")
    old_post = OrganisationFactory(name="Ancien poste", slug="ancien-poste")
    people = [member(course, email=f"p{n}@x.gouv.fr", departement=places["paris"], ministry=interior) for n in range(4)]
    recent = timezone.localdate() - dt.timedelta(days=60)
    Affiliation.objects.create(user=people[0], organisation=old_post, start_date=dt.date(2020, 1, 1), end_date=recent)
    Affiliation.objects.create(
        user=people[1], organisation=old_post, start_date=dt.date(2015, 1, 1), end_date=dt.date(2019, 1, 1)
    )  # moved long ago: not counted
    client.force_login(agent)
    assert client.get(reverse("network:turnover")).status_code == 403
    client.force_login(programme_admin)
    response = client.get(reverse("network:turnover"))
    row = next(r for r in response.context["rows"] if r.name == str(interior))
    assert (row.trained, row.moved, row.share) == (4, 1, 25)
    assert "25 %" in response.content.decode()


def test_a_revoked_credential_removes_the_skill_it_gave(agent, course, places):
    person = member(course, email="cred@x.gouv.fr", departement=places["paris"], levels={"world-cafe": 2})
    later = complete(person, course, levels={"world-cafe": 4, "forum-ouvert": 3})
    credential = Credential.objects.create(
        completion=later, user=person, code="ESSAIM-TEST", status_index=7, kid="k", jwt="x"
    )
    directory_profile_update(user=person, acting_user=person, consent=True)
    skills = person.directory_profile.skills
    assert dict(skills.values_list("competency_code", "level_rank")) == {"world-cafe": 4, "forum-ouvert": 3}

    Credential.objects.filter(pk=credential.pk).update(revoked_at=timezone.now())
    refresh_network.call_local()  # the periodic refresh picks up recent revocations
    assert dict(skills.values_list("competency_code", "level_rank")) == {"world-cafe": 2}


def test_skill_gaps_suppress_small_counts_for_organisers_but_keep_zeros(
    client, organiser, programme_admin, course, places, settings
):
    settings.SMALL_COUNT_THRESHOLD = 5
    settings.NETWORK_GAP_TRAINED_TARGET = 20
    interior = OrganisationFactory(name="Ministère de l’Intérieur de test", slug="interieur-test")
    for n in range(2):
        member(course, email=f"bzh{n}@x.gouv.fr", departement=places["finistere"], ministry=interior)
    for n in range(6):
        member(course, email=f"idf{n}@x.gouv.fr", departement=places["paris"], ministry=interior)
    gone = UserFactory(email="parti@x.gouv.fr", organisation=interior, is_active=False)
    complete(gone, course, levels={"world-cafe": 1})  # inactive accounts are not active trained people
    grant(UserFactory(email="formateur.idf@x.gouv.fr"), Role.TRAINER)

    client.force_login(organiser)
    response = client.get(reverse("network:gaps"))
    assert response.status_code == 200
    rows = {(caption, row.name): row for caption, table in response.context["tables"] for row in table}
    bretagne = rows[("Par région", "Bretagne")]
    assert (bretagne.trained, bretagne.missing_trained) == (None, None)  # 2 people: hidden
    assert rows[("Par région", "Île-de-France")].trained == 6
    corse = rows[("Par région", "Corse")]
    assert (corse.trained, corse.missing_trained) == (0, 20)  # nobody: the gap stays visible
    page = response.content.decode()
    assert "moins de 5" in page and "aucune personne formée" in page
    assert ">2<" not in page.replace(" ", "")

    client.force_login(programme_admin)
    rows = {
        (caption, row.name): row
        for caption, table in client.get(reverse("network:gaps")).context["tables"]
        for row in table
    }
    assert rows[("Par région", "Bretagne")].trained == 2
    assert rows[("Par ministère", str(interior))].trained == 8
