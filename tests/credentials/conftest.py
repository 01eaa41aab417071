from __future__ import annotations

import datetime as dt

import pytest

from essaim.catalogue.models import Course, CourseOutcome
from essaim.credentials.models import Credential
from essaim.credentials.services import credential_issue
from essaim.framework.models import Competency, Level
from essaim.training.attendance import attendance_record, session_close
from essaim.training.models import Completion, Session
from essaim.training.services import registration_create
from tests.factories import UserFactory
from tests.training.conftest import framework, intro_course, make_session  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path):
    """Each test signs with keys of its own, generated in a temporary directory."""
    settings.CREDENTIALS_KEY_DIR = tmp_path / "keys"
    settings.CREDENTIALS_SIGNING_KEY = ""
    settings.CREDENTIALS_EDDSA_SIGNING_KEY = ""
    settings.SITE_URL = "https://essaim.test"


@pytest.fixture
def aligned_course(intro_course, framework):  # noqa: F811
    discover = Level.objects.create(framework=framework, rank=1, code="decouvrir", name="Découvrir")
    Level.objects.create(framework=framework, rank=2, code="pratiquer", name="Pratiquer")
    competency = Competency.objects.create(framework=framework, code="animer", name="Animer un atelier")
    CourseOutcome.objects.create(course=intro_course, competency=competency, level=discover)
    return intro_course


def close_past_session(course: Course, organiser, people, acting_user) -> list[Completion]:
    """A two half-day session held a month ago, everyone present, then closed."""
    session = make_session(course, organiser, capacity=max(len(people), 1))
    registrations = [registration_create(session=session, agent=p, acting_user=p) for p in people]
    shift = dt.timedelta(days=31)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save()
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()
    for slot in session.slots.all():
        attendance_record(
            session=session, slot=slot, marks={r.pk: "present" for r in registrations}, acting_user=acting_user
        )
    return session_close(session=session, acting_user=acting_user)


@pytest.fixture
def completion(aligned_course, ministry, agent, programme_admin):
    agent.given_name, agent.usual_name = "Camille", "Durand"
    agent.save()
    return close_past_session(aligned_course, ministry, [agent], programme_admin)[0]


@pytest.fixture
def credential(completion) -> Credential:
    return credential_issue(completion=completion)


@pytest.fixture
def other_credential(aligned_course, ministry, other_agent, programme_admin) -> Credential:
    done = close_past_session(aligned_course, ministry, [other_agent, UserFactory()], programme_admin)
    return credential_issue(completion=done[0])
