"""One answer for "absent" and "not yours" (issue 14, point 6): a back-office route or the
token API answers another organiser's object exactly as it answers an identifier that does
not exist, so identifiers cannot be probed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.accounts.models import Role
from essaim.accounts.services import api_token_create
from essaim.training.services import registration_create
from tests.factories import UserFactory, grant
from tests.training.conftest import framework, intro_course, make_session  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
ABSENT = 987654


@pytest.fixture
def other_organiser(other_ministry):
    person = UserFactory(email="orga.b@exemple.gouv.fr", organisation=other_ministry)
    grant(person, Role.ORGANISER, other_ministry)
    return person


@pytest.mark.parametrize(
    ("route", "method"),
    [
        ("detail", "get"),
        ("export", "get"),
        ("capacity", "post"),
        ("cancel", "post"),
        ("message", "get"),
        ("attendance", "get"),
        ("partners", "get"),
    ],
)
def test_another_ministrys_session_answers_like_an_absent_one(
    client,
    intro_course,  # noqa: F811
    ministry,
    other_organiser,
    route,
    method,
):
    session = make_session(intro_course, ministry)
    client.force_login(other_organiser)
    send = getattr(client, method)
    existing = send(reverse(f"training_admin:{route}", args=[session.pk]))
    absent = send(reverse(f"training_admin:{route}", args=[ABSENT]))
    assert existing.status_code == absent.status_code == 404


def test_another_ministrys_registration_answers_like_an_absent_one(
    client,
    intro_course,  # noqa: F811
    ministry,
    agent,
    other_organiser,
):
    from essaim.training.backoffice_urls import urlpatterns

    session = make_session(intro_course, ministry)
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    names = [p.name for p in urlpatterns if "inscriptions/<int:pk>" in str(p.pattern)]
    assert names
    client.force_login(other_organiser)
    for name in names:
        existing = client.post(reverse(f"training_admin:{name}", args=[registration.pk]), {})
        absent = client.post(reverse(f"training_admin:{name}", args=[ABSENT]), {})
        assert existing.status_code == absent.status_code == 404, name


def test_the_token_api_gives_one_answer_for_absent_and_not_yours(client, agent, other_agent):
    _mine, secret = api_token_create(user=agent, name="le mien", acting_user=agent)
    theirs, _secret = api_token_create(user=other_agent, name="le sien", acting_user=other_agent)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    not_yours = client.delete(f"/api/v1/me/tokens/{theirs.pk}", **bearer)
    absent = client.delete(f"/api/v1/me/tokens/{ABSENT}", **bearer)
    assert not_yours.status_code == absent.status_code == 404
    assert not_yours.json() == absent.json()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
