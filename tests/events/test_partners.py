"""Partner pages: description, co-run sessions and events, members without e-mails."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.network.models import DirectoryProfile
from essaim.training.sessions import session_set_partners
from tests.factories import OrganisationFactory, UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(partner_org):
    listed = UserFactory(
        email="visible@democratie-test.org", given_name="Alice", usual_name="Listée", organisation=partner_org
    )
    hidden = UserFactory(
        email="discrete@democratie-test.org", given_name="Bruno", usual_name="Discret", organisation=partner_org
    )
    DirectoryProfile.objects.create(user=listed, consent=True, consented_at=timezone.now())
    DirectoryProfile.objects.create(user=hidden, consent=False)
    return listed, hidden


def test_partner_page_shows_consenting_names_to_signed_in_people_and_never_an_email(
    client, partner_org, members, agent
):
    anonymous = client.get(reverse("partners:detail", args=[partner_org.slug])).content.decode()
    assert "2 membres inscrits sur Essaim." in anonymous
    assert "Listée" not in anonymous and "@democratie-test.org" not in anonymous
    client.force_login(agent)
    page = client.get(reverse("partners:detail", args=[partner_org.slug])).content.decode()
    assert "Alice Listée" in page
    assert "Discret" not in page
    assert "@democratie-test.org" not in page


def test_partner_page_lists_co_run_sessions_and_events(client, partner_org, event, intro_course, ministry):
    session = make_session(intro_course, ministry)
    session_set_partners(session=session, partners=[partner_org], acting_user=None)
    make_session(intro_course, ministry, days_ahead=40)  # not co-run
    page = client.get(reverse("partners:detail", args=[partner_org.slug])).content.decode()
    assert page.count(intro_course.title) == 1
    assert event.title in page
    # And the session page says who co-runs it.
    detail = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert "Co-animée avec" in detail and partner_org.name in detail


def test_only_partners_are_listed_and_have_a_page(client, partner_org, ministry):
    listed = client.get(reverse("partners:list")).content.decode()
    assert partner_org.name in listed and ministry.name not in listed
    assert client.get(reverse("partners:detail", args=[ministry.slug])).status_code == 404


def test_partner_pages_query_counts(client, partner_org, django_assert_max_num_queries, agent, members):
    for index in range(8):
        OrganisationFactory(name=f"Association {index}", kind="partner")
    with django_assert_max_num_queries(3):
        assert client.get(reverse("partners:list")).status_code == 200
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("partners:detail", args=[partner_org.slug])).status_code == 200


def test_a_partner_member_may_edit_their_organisation_not_another(client, partner, partner_org):
    client.force_login(partner)
    own = partner.organisation
    assert client.get(reverse("organisations:edit", args=[own.slug])).status_code == 200
    assert client.get(reverse("organisations:edit", args=[partner_org.slug])).status_code == 403
    assert "Modifier la fiche" in client.get(reverse("partners:detail", args=[own.slug])).content.decode()


def test_only_partners_co_run_a_session(intro_course, ministry, other_ministry):
    from essaim.core.exceptions import ServiceError

    session = make_session(intro_course, ministry)
    with pytest.raises(ServiceError):
        session_set_partners(session=session, partners=[other_ministry], acting_user=None)


def test_the_organiser_names_co_running_partners_from_the_back_office(
    client, organiser, intro_course, ministry, other_ministry, partner_org
):
    own = make_session(intro_course, ministry)
    other = make_session(intro_course, other_ministry, days_ahead=50)
    client.force_login(organiser)
    response = client.post(reverse("training_admin:partners", args=[own.pk]), {"partners": [partner_org.pk]})
    assert response.status_code == 302
    assert list(own.partners.all()) == [partner_org]
    assert (
        client.post(reverse("training_admin:partners", args=[other.pk]), {"partners": [partner_org.pk]}).status_code
        == 404
    )
    assert not other.partners.exists()
    # A ministry is not offered as a co-running partner.
    assert (
        client.post(reverse("training_admin:partners", args=[own.pk]), {"partners": [ministry.pk]}).status_code == 400
    )
