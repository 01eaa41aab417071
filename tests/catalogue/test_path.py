from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.catalogue.models import Course
from essaim.catalogue.services import catalogue_load_seed
from essaim.framework.services import framework_load_seed
from essaim.practice.models import PracticeEntry
from essaim.training.models import Completion
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    framework_load_seed()
    catalogue_load_seed()
    return {c.code: c for c in Course.objects.all()}


def test_the_seeded_catalogue_follows_the_commitment(catalogue):
    intro = catalogue["facilitation-fondamentaux"]
    assert intro.is_introduction and intro.duration_half_days == 4 and not intro.prerequisites.exists()
    trainers = catalogue["former-les-formateurs"]
    assert trainers.is_trainer_track
    groups = {}
    for p in trainers.prerequisites.all():
        groups.setdefault(p.group, set()).add(p.required_course.code)
    assert groups == {
        1: {"facilitation-fondamentaux"},
        2: {"facilitation-graphique", "debat-deliberation", "codeveloppement"},
    }
    assert catalogue_load_seed() == []  # idempotent


def test_path_for_a_visitor(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get(reverse("catalogue:path"))
    page = response.content.decode()
    assert response.status_code == 200
    titles = [c.title for c in sorted(catalogue.values(), key=lambda c: c.position)]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Pas encore accessible" not in page


def test_path_for_an_agent_says_what_is_done_next_and_why_not(
    client, agent, catalogue, ministry, django_assert_num_queries
):
    intro = catalogue["facilitation-fondamentaux"]
    session = make_session(intro, ministry)
    Completion.objects.create(
        user=agent,
        course=intro,
        session=session,
        framework=intro.framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    PracticeEntry.objects.create(
        user=agent,
        date=timezone.localdate() - dt.timedelta(days=10),
        title="Atelier",
        method="Forum ouvert",
        participants=20,
    )
    client.force_login(agent)
    # session, user, roles, courses, outcomes, prerequisites, session counts, completions, practice
    with django_assert_num_queries(9):
        page = client.get(reverse("catalogue:path")).content.decode()
    assert "Validée le" in page
    # Codeveloppement needs 1 workshop: open. Graphic facilitation needs 2: locked, with the reason.
    assert "Il faut avoir animé au moins 2 ateliers" in page
    detail = client.get(reverse("catalogue:detail", args=["codeveloppement"])).content.decode()
    assert "pas encore accessible" not in detail.lower()
    detail = client.get(reverse("catalogue:detail", args=["former-les-formateurs"])).content.decode()
    assert "l’une de ces formations" in detail


def test_unknown_course_is_404(client, catalogue):
    assert client.get(reverse("catalogue:detail", args=["nexiste-pas"])).status_code == 404
