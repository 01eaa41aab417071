"""When surveys go out: right after the session, one reminder, and three months later — not before, once."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from essaim.surveys.models import Invitation, Survey
from essaim.surveys.services import add_months, invitations_remind_due, invitations_send_due
from tests import steering_data as data


def _session(course, ministry, when, people=1):
    return data.held_session(course=course, organiser=ministry, people=people, when=when)


def test_after_session_survey_is_sent_once_at_completion(
    course, ministry, after_survey, django_capture_on_commit_callbacks
):
    session = _session(course, ministry, data.moment(2026, 3, 2), people=2)
    now = session.ends_at + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_send_due(now=now) == 2
    assert invitations_send_due(now=now + dt.timedelta(minutes=15)) == 0
    assert Invitation.objects.filter(survey=after_survey).count() == 2
    assert len(mail.outbox) == 2
    assert "Votre avis sur" in mail.outbox[0].subject
    assert "/enquetes/" in mail.outbox[0].body


def test_one_reminder_a_week_later_only_to_those_who_did_not_answer(
    course, ministry, after_survey, django_capture_on_commit_callbacks
):
    session = _session(course, ministry, data.moment(2026, 3, 2), people=2)
    now = session.ends_at + dt.timedelta(hours=1)
    invitations_send_due(now=now)
    answered = Invitation.objects.first()
    answered.answered_at = now
    answered.save()
    mail.outbox.clear()
    assert invitations_remind_due(now=now + dt.timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due(now=now + dt.timedelta(days=7, minutes=1)) == 1
    assert invitations_remind_due(now=now + dt.timedelta(days=14)) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Rappel")


def test_follow_up_survey_three_months_after_not_before_and_once(course, ministry, follow_up_survey):
    session = _session(course, ministry, data.moment(2026, 1, 15))
    completed_at = session.completions.get().completed_at
    due = add_months(completed_at, 3)
    assert due.month == 4 and due.day == 15
    assert invitations_send_due(now=due - dt.timedelta(minutes=1)) == 0
    assert invitations_send_due(now=due - dt.timedelta(days=20)) == 0
    assert invitations_send_due(now=due) == 1
    assert invitations_send_due(now=due + dt.timedelta(days=1)) == 0
    assert invitations_send_due(now=due + dt.timedelta(days=10)) == 0
    invitation = Invitation.objects.get()
    assert invitation.survey.kind == Survey.Kind.FOLLOW_UP and invitation.sent_at == due


def test_follow_up_of_a_completion_on_the_31st_falls_on_the_months_last_day(course, ministry, follow_up_survey):
    session = _session(course, ministry, data.moment(2025, 11, 30))
    completed_at = session.completions.get().completed_at
    due = add_months(completed_at, 3)
    assert (due.year, due.month, due.day) == (2026, 2, 28)
    assert invitations_send_due(now=due - dt.timedelta(hours=1)) == 0
    assert invitations_send_due(now=due) == 1


def test_course_without_survey_sends_nothing(course, ministry):
    session = _session(course, ministry, data.moment(2026, 3, 2))
    assert invitations_send_due(now=session.ends_at + dt.timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_the_invitation_says_what_is_true_about_signing_in_and_anonymity(
    client, course, ministry, after_survey, django_capture_on_commit_callbacks
):
    """The link asks to sign in: the e-mail says so and why, and never calls the answers
    anonymous without saying what is kept (that the person answered)."""
    session = _session(course, ministry, data.moment(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send_due(now=session.ends_at + dt.timedelta(hours=1))
    (message,) = mail.outbox
    assert "réponses anonymes" not in message.body
    assert "vous demande de vous connecter" in message.body
    assert "ne répond qu’une fois" in message.body and "au moins 5 personnes" in message.body
    link = next(word for word in message.body.split() if "/enquetes/" in word)
    response = client.get(link.replace("http://testserver", ""))
    assert response.status_code == 302 and "/connexion/" in response["Location"]  # signing in is indeed asked
