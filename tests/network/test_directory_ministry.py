"""Issue 17, point 10: the directory's « Ministère » column names a ministry, whatever the
depth of the person's organisation and whether its tree has a ministry at all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.network.services import directory_profile_update
from essaim.organisations.models import Organisation
from tests.factories import OrganisationFactory, UserFactory
from tests.network.conftest import complete

pytestmark = pytest.mark.django_db


def _listed(user, course):
    complete(user, course, levels={"world-cafe": 2})
    directory_profile_update(user=user, acting_user=user, consent=True, availability="available")
    user.directory_profile.refresh_from_db()
    return user.directory_profile


def test_a_service_under_a_directorate_under_a_ministry_reads_the_ministry(client, course, agent):
    interior = OrganisationFactory(name="Ministère de l’Intérieur")
    directorate = OrganisationFactory(name="Direction du numérique", kind="service", parent=interior)
    service = OrganisationFactory(name="Bureau des usages", kind="service", parent=directorate)
    profile = _listed(UserFactory(email="bureau@x.gouv.fr", organisation=service), course)
    assert profile.ministry_id == interior.pk
    client.force_login(agent)
    html = client.get(reverse("network:directory")).content.decode()
    assert "<td>Ministère de l’Intérieur</td>" in html
    assert "<td>Bureau des usages</td>" not in html and "<td>Direction du numérique</td>" not in html


def test_an_organisation_whose_tree_has_no_ministry_shows_none(course):
    partner = OrganisationFactory(name="Association Démocratie", kind="partner")
    team = OrganisationFactory(name="Équipe bénévole", kind="service", parent=partner)
    assert _listed(UserFactory(email="asso@x.gouv.fr", organisation=team), course).ministry_id is None
    lab = OrganisationFactory(name="Lab régional", kind="lab")
    assert _listed(UserFactory(email="lab@x.gouv.fr", organisation=lab), course).ministry_id is None


def test_an_organisation_without_a_path_root_still_finds_its_ministry(course):
    """An organisation whose materialised path was never written (imported rows): the
    parent chain is the truth."""
    culture = OrganisationFactory(name="Ministère de la Culture")
    service = OrganisationFactory(name="Service des musées", kind="service", parent=culture)
    Organisation.objects.filter(pk=service.pk).update(path="")
    assert _listed(UserFactory(email="musees@x.gouv.fr", organisation=service), course).ministry_id == culture.pk


def test_the_data_migration_rewrites_ministries_stored_by_the_old_rule(course):
    import importlib

    from django.apps import apps

    from essaim.network.models import DirectoryProfile, DirectorySkill

    migration = importlib.import_module("essaim.network.migrations.0003_directory_ministry_recomputed")
    partner = OrganisationFactory(name="Association Démocratie", kind="partner")
    interior = OrganisationFactory(name="Ministère de l’Intérieur")
    service = OrganisationFactory(name="Bureau", kind="service", parent=interior)
    asso = _listed(UserFactory(email="asso@x.gouv.fr", organisation=partner), course)
    agent = _listed(UserFactory(email="bureau@x.gouv.fr", organisation=service), course)
    DirectoryProfile.objects.filter(pk=asso.pk).update(ministry_id=partner.pk)  # the old rule's value
    DirectorySkill.objects.filter(profile_id=asso.pk).update(ministry_id_copy=partner.pk)
    migration.recompute(apps, None)
    assert DirectoryProfile.objects.get(pk=asso.pk).ministry_id is None
    assert set(DirectorySkill.objects.filter(profile_id=asso.pk).values_list("ministry_id_copy", flat=True)) == {None}
    assert DirectoryProfile.objects.get(pk=agent.pk).ministry_id == interior.pk
