"""The course page lists its upcoming sessions, says whether the person meets the
prerequisites, and registers in one click (two when the course is already validated)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.training.models import Completion, Registration
from essaim.training.services import registration_create
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _page(client, course) -> str:
    return client.get(reverse("catalogue:detail", args=[course.code])).content.decode()


def test_upcoming_sessions_are_listed_with_their_half_days_and_one_click_registration(
    client, agent, intro_course, ministry
):
    open_session = make_session(intro_course, ministry, capacity=3, address="Place Beauvau, 75008 Paris")
    full = make_session(intro_course, ministry, capacity=1, days_ahead=45)
    registration_create(session=full, agent=UserFactory(), acting_user=None)
    draft = make_session(intro_course, ministry, days_ahead=50, publish=False)
    client.force_login(agent)
    page = _page(client, intro_course)
    assert "Vous remplissez les prérequis" in page
    assert reverse("training:register", args=[full.pk]) in page
    assert f"/sessions/{draft.pk}/" not in page  # a draft is not listed
    assert "Place Beauvau" in page and "Complet — liste d’attente : 0" in page
    assert reverse("training:register", args=[open_session.pk]) in page
    assert "Rejoindre la liste d’attente" in page
    start = timezone.localtime(open_session.slots.first().starts_at)
    assert f"{start.hour}\xa0h" in page  # French times: « 10 h »

    response = client.post(reverse("training:register", args=[open_session.pk]))
    assert response.status_code == 302
    assert Registration.objects.get(session=open_session, user=agent).status == Registration.Status.BOOKED


def test_a_visitor_sees_the_sessions_and_no_form(client, intro_course, ministry):
    session = make_session(intro_course, ministry)
    page = _page(client, intro_course)
    assert reverse("training:detail", args=[session.pk]) in page
    assert reverse("training:register", args=[session.pk]) not in page


def test_registering_again_after_validating_asks_first(client, agent, intro_course, ministry, framework):
    done = make_session(intro_course, ministry, days_ahead=2)
    Completion.objects.create(
        user=agent,
        course=intro_course,
        session=done,
        framework=framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    make_session(intro_course, ministry, days_ahead=40)
    client.force_login(agent)
    page = _page(client, intro_course)
    assert "Vous avez déjà validé cette formation" in page
    assert "M’inscrire quand même" in page and 'aria-controls="confirm-register-' in page


def test_registering_again_from_the_session_page_asks_first_and_only_a_confirmed_post_registers(
    client, agent, intro_course, ministry, framework
):
    done = make_session(intro_course, ministry, days_ahead=2)
    Completion.objects.create(
        user=agent,
        course=intro_course,
        session=done,
        framework=framework,
        completed_at=timezone.now(),
        attendance_rate=100,
    )
    upcoming = make_session(intro_course, ministry, days_ahead=40)
    client.force_login(agent)
    page = client.get(reverse("training:detail", args=[upcoming.pk])).content.decode()
    assert "Vous avez déjà validé cette formation" in page
    assert 'aria-controls="confirm-register"' in page and "M’inscrire quand même" in page
    assert '<input type="hidden" name="confirm" value="1">' in page
    # A POST that skips the confirmation (another page, a stale form, a script) registers nobody.
    url = reverse("training:register", args=[upcoming.pk])
    response = client.post(url, follow=True)
    assert not Registration.objects.filter(session=upcoming, user=agent).exists()
    assert "confirmez votre nouvelle inscription" in response.content.decode()
    client.post(url, {"confirm": "1"})
    assert Registration.objects.filter(session=upcoming, user=agent).exists()


def test_a_person_who_never_validated_the_course_registers_in_one_click_from_the_session_page(
    client, agent, intro_course, ministry
):
    upcoming = make_session(intro_course, ministry, days_ahead=40)
    client.force_login(agent)
    page = client.get(reverse("training:detail", args=[upcoming.pk])).content.decode()
    assert "M’inscrire quand même" not in page
    client.post(reverse("training:register", args=[upcoming.pk]))
    assert Registration.objects.filter(session=upcoming, user=agent).exists()
