"""Organisers write to registrants and move a session; people can mute optional reminders
but never the messages about their own registrations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.models import AuditEntry
from essaim.training.models import Registration, SessionMessage
from essaim.training.services import registration_create
from essaim.training.tasks import send_reminders
from tests.factories import UserFactory
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _register(session, **user_fields):
    user = UserFactory(**user_fields)
    return registration_create(session=session, agent=user, acting_user=user)


def _ics(message) -> str:
    return next(content.decode() for name, content, _mime in message.attachments if name == "invitation.ics")


@pytest.fixture
def full_session(intro_course, ministry):
    session = make_session(intro_course, ministry, capacity=1, days_ahead=20)
    booked = _register(session, preferred_language="en", email="booked@exemple.gouv.fr")
    waiting = _register(session, email="waiting@exemple.gouv.fr")
    assert (booked.status, waiting.status) == (Registration.Status.BOOKED, Registration.Status.WAITLISTED)
    return session


# Messages to registrants ----------------------------------------------------------------


def test_organiser_writes_to_booked_people_each_gets_their_own_mail(
    client, organiser, full_session, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    url = reverse("training_admin:message", args=[full_session.pk])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"message-audience": "booked", "message-subject": "Salle changée", "message-body": "Rendez-vous salle 4."},
        )
    assert response.status_code == 302
    (mail,) = mailoutbox  # only the person with a seat, not the one waiting
    assert mail.to == ["booked@exemple.gouv.fr"]
    assert "Rendez-vous salle 4." in mail.body
    assert mail.reply_to == [organiser.email]
    assert "The team running the session" in mail.body or "writes to you" in mail.body  # their language
    message = SessionMessage.objects.get()
    assert message.recipients == 1 and message.author == organiser
    assert AuditEntry.objects.filter(action="training.session.message").count() == 1
    page = client.get(url)
    assert "Salle changée" in page.content.decode()


def test_everyone_active_gets_it_once_even_if_the_task_runs_twice(
    organiser, full_session, mailoutbox, django_capture_on_commit_callbacks
):
    from essaim.training.notifications import session_message_deliver
    from essaim.training.sessions import session_message_send

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = session_message_send(
            session=full_session, audience="active", subject="Bienvenue", body="À bientôt", acting_user=organiser
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["booked@exemple.gouv.fr", "waiting@exemple.gouv.fr"]
    ids = list(Registration.objects.filter(session=full_session).values_list("pk", flat=True))
    assert session_message_deliver(message_id=message.pk, registration_ids=ids) == 0  # a retry sends nothing again
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"message-audience": "booked", "message-subject": "", "message-body": "x"}, 400),
        ({"message-audience": "everyone", "message-subject": "x", "message-body": "x"}, 400),
        ({"message-audience": "booked", "message-subject": "x", "message-body": "y" * 5001}, 400),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_sent(client, organiser, full_session, mailoutbox, data, expected):
    client.force_login(organiser)
    mailoutbox.clear()
    response = client.post(reverse("training_admin:message", args=[full_session.pk]), data)
    assert response.status_code == expected
    assert not SessionMessage.objects.exists() and not mailoutbox


def test_a_double_click_sends_once_and_an_empty_audience_is_explained(
    client, organiser, intro_course, ministry, full_session, mailoutbox
):
    client.force_login(organiser)
    url = reverse("training_admin:message", args=[full_session.pk])
    data = {"message-audience": "booked", "message-subject": "Rappel", "message-body": "Apportez un stylo."}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 409 and "vient déjà d’être envoyé" in again.content.decode()
    assert SessionMessage.objects.count() == 1
    empty = make_session(intro_course, ministry, days_ahead=40)
    refused = client.post(reverse("training_admin:message", args=[empty.pk]), data)
    assert refused.status_code == 409 and "Personne ne correspond" in refused.content.decode()


def test_only_the_sessions_managers_may_write(client, agent, trainer, full_session, other_ministry):
    from essaim.accounts.models import Role
    from tests.factories import grant

    outsider = UserFactory(organisation=other_ministry)
    grant(outsider, Role.ORGANISER, other_ministry)
    url = reverse("training_admin:message", args=[full_session.pk])
    for person in (agent, trainer, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"message-audience": "booked", "message-subject": "x", "message-body": "y"}).status_code
            == 404
        )
    assert client.get(reverse("training_admin:message", args=[999999])).status_code == 404
    assert not SessionMessage.objects.exists()


# A change of venue -------------------------------------------------------------------


def test_a_change_of_venue_updates_holders_invitations_and_tells_those_waiting(
    client, organiser, full_session, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training_admin:venue", args=[full_session.pk]),
            {"venue-venue": "place", "venue-address": "20 avenue de Ségur, Paris"},
        )
    assert response.status_code == 302
    by_person = {m.to[0]: m for m in mailoutbox}
    assert set(by_person) == {"booked@exemple.gouv.fr", "waiting@exemple.gouv.fr"}
    ics = _ics(by_person["booked@exemple.gouv.fr"])
    assert "SEQUENCE:2" in ics and "Ségur" in ics  # the session's change + the booking
    waiting_mail = by_person["waiting@exemple.gouv.fr"]
    assert "20 avenue de Ségur" in waiting_mail.body
    assert not [a for a in waiting_mail.attachments if a[0] == "invitation.ics"]  # no seat, no calendar event
    full_session.refresh_from_db()
    assert full_session.address == "20 avenue de Ségur, Paris" and full_session.ical_sequence == 1


def test_venue_changes_that_are_incomplete_or_change_nothing_are_refused(client, organiser, full_session, mailoutbox):
    client.force_login(organiser)
    url = reverse("training_admin:venue", args=[full_session.pk])
    mailoutbox.clear()
    missing = client.post(url, {"venue-venue": "remote", "venue-remote_url": ""})
    assert missing.status_code == 400 and "lien de connexion" in missing.content.decode()
    assert client.post(url, {"venue-venue": "place", "venue-address": "1 rue de Rivoli"}).status_code == 302
    mailoutbox.clear()
    unchanged = client.post(url, {"venue-venue": "place", "venue-address": "1 rue de Rivoli"})
    assert unchanged.status_code == 409 and "inchangé" in unchanged.content.decode()
    full_session.refresh_from_db()
    assert full_session.ical_sequence == 1 and not mailoutbox


# Muting optional notifications ---------------------------------------------------------


def test_muted_people_get_no_reminder_but_still_their_confirmation(
    client, intro_course, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, days_ahead=5)
    person = UserFactory(email="discrete@exemple.gouv.fr")
    client.force_login(person)
    response = client.post(
        reverse("accounts:profile"),
        {"profile-preferred_language": "fr", "profile-mute_optional_notifications": "on"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mute_optional_notifications
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=person, acting_user=person)
    other = _register(session)
    mailoutbox.clear()
    send_reminders.call_local()
    assert [m.to[0] for m in mailoutbox] == [other.user.email]
