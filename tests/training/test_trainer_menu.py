"""Every back-office link of a trainer's menu opens (no 403), and their « Attestations »
page lists the sessions they trained."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from essaim.training.attendance import attendance_record, session_close
from essaim.training.models import Session
from essaim.training.services import registration_create
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _menu_links(html: str) -> list[str]:
    return re.findall(r'class="fr-nav__link" href="([^"#]+)"', html)


def test_no_link_of_the_trainer_menu_is_a_403(client, trainer, intro_course, ministry):
    session = make_session(intro_course, ministry)
    session.trainers.add(trainer)
    client.force_login(trainer)
    links = _menu_links(client.get(reverse("core:home")).content.decode())
    for expected in ("training_admin:list", "credentials:backoffice", "reporting:internal"):
        assert reverse(expected) in links
    for link in links:
        if link.startswith("/"):
            assert client.get(link).status_code == 200, link


def _shift_to_past(session: Session) -> None:
    shift = dt.timedelta(days=31)
    for slot in session.slots.all():
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save()
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at - shift, ends_at=session.ends_at - shift)
    session.refresh_from_db()


def test_the_trainer_sees_the_attestations_and_figures_of_the_sessions_they_trained(
    client, trainer, agent, intro_course, ministry
):
    session = make_session(intro_course, ministry)
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    session.trainers.add(trainer)
    other = make_session(intro_course, ministry, days_ahead=40)
    _shift_to_past(session)
    for slot in session.slots.all():
        attendance_record(session=session, slot=slot, marks={registration.pk: "present"}, acting_user=trainer)
    session_close(session=session, acting_user=trainer)
    assert Session.objects.get(pk=session.pk).status == Session.Status.DONE
    client.force_login(trainer)
    page = client.get(reverse("credentials:backoffice")).content.decode()
    assert reverse("credentials:session-zip", args=[session.pk]) in page
    assert reverse("credentials:session-zip", args=[other.pk]) not in page
    assert client.get(reverse("credentials:session-zip", args=[session.pk])).status_code == 200
    figures = client.get(reverse("reporting:internal")).content.decode()
    assert "Chiffres de mes sessions" in figures
    assert re.search(r"Formations validées</p>\s*<p[^>]*>1<", figures)
