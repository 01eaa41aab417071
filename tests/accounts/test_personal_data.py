"""GDPR: a person downloads everything Essaim holds about them, and can have it erased —
anonymised so that the programme's figures stay true; accounts unused for years are
anonymised; opening someone's account in the admin is journaled."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import ApiToken, User
from essaim.accounts.services import api_token_create
from essaim.core.models import AuditEntry
from essaim.core.personal_data import personal_data_retention
from essaim.practice.models import PracticeEntry
from essaim.training.models import Registration
from essaim.training.services import registration_create
from tests.factories import UserFactory
from tests.training.conftest import framework, intro_course, make_session  # noqa: F401 — fixtures used below

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_person(request, ministry):
    course = request.getfixturevalue("intro_course")
    person = UserFactory(email="claire.dupont@exemple.gouv.fr", given_name="Claire", usual_name="Dupont")
    session = make_session(course, ministry)
    registration_create(session=session, agent=person, acting_user=person)
    PracticeEntry.objects.create(
        user=person,
        date=timezone.localdate(),
        title="Atelier du quartier",
        method="world café",
        participants=18,
        outcome="Les tables tournantes ont bien marché.",
    )
    api_token_create(user=person, name="Mon script", acting_user=person)
    return person, session


def test_the_download_holds_everything_about_me_and_nothing_of_others(client, active_person, other_agent):
    person, _session = active_person
    client.force_login(person)
    response = client.get(reverse("accounts:my-data-download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="essaim-mes-donnees-')
    document = json.loads(response.content)
    sections = document["sections"]
    assert sections["accounts"]["profile"]["email"] == "claire.dupont@exemple.gouv.fr"
    assert [r["status"] for r in sections["training"]["registrations"]] == ["booked"]
    assert sections["practice"]["entries"][0]["outcome"] == "Les tables tournantes ont bien marché."
    assert sections["accounts"]["api_tokens"][0]["name"] == "Mon script"
    assert "token_hash" not in response.content.decode()
    assert other_agent.email not in response.content.decode()
    assert AuditEntry.objects.filter(action="core.personal_data.export").count() == 1


def test_erasure_anonymises_me_but_keeps_the_figures(client, active_person):
    person, session = active_person
    client.force_login(person)
    page = client.get(reverse("accounts:my-data"))
    assert page.status_code == 200
    wrong = client.post(reverse("accounts:my-data-erase"), {"email": "quelquun@exemple.gouv.fr", "understood": "on"})
    assert wrong.status_code == 400 and "n’est pas celle de votre compte" in wrong.content.decode()
    assert User.objects.get(pk=person.pk).is_active

    response = client.post(reverse("accounts:my-data-erase"), {"email": person.email, "understood": "on"})
    assert response.status_code == 302
    erased = User.objects.get(pk=person.pk)
    assert erased.email.endswith("@anonyme.invalid") and not erased.is_active
    assert erased.given_name == erased.usual_name == "" and not erased.has_usable_password()
    assert erased.organisation_id == person.organisation_id  # counted by ministry still
    assert Registration.objects.filter(session=session, user=erased).count() == 1  # the seat still counts
    entry = PracticeEntry.objects.get(user=erased)
    assert entry.outcome == "" and entry.participants == 18
    assert not ApiToken.objects.filter(user=erased).exists()
    labels = " ".join(AuditEntry.objects.values_list("actor_label", flat=True))
    labels += " ".join(AuditEntry.objects.values_list("target_label", flat=True))
    assert "Dupont" not in labels and "claire.dupont" not in labels
    assert client.get(reverse("accounts:my-data")).status_code == 302  # signed out


def test_accounts_unused_for_years_are_anonymised_by_the_nightly_job(settings):
    settings.ACCOUNT_RETENTION_DAYS = 365
    long_ago = timezone.now() - dt.timedelta(days=800)
    dormant = UserFactory(email="dormant@exemple.gouv.fr", date_joined=long_ago, last_login=long_ago)
    recent = UserFactory(email="recent@exemple.gouv.fr", date_joined=long_ago, last_login=timezone.now())
    newcomer = UserFactory(email="nouveau@exemple.gouv.fr")
    report = personal_data_retention()
    assert report["accounts"] == {"accounts_anonymised": 1}
    dormant.refresh_from_db()
    assert dormant.email.endswith("@anonyme.invalid")
    assert User.objects.filter(pk__in=[recent.pk, newcomer.pk], is_active=True).count() == 2


def test_opening_an_account_in_the_admin_is_journaled(client, programme_admin, agent):
    client.force_login(programme_admin)
    response = client.get(reverse("admin:accounts_user_change", args=[agent.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="core.personal_data.admin_view")
    assert entry.actor == programme_admin and entry.target_id == str(agent.pk)


def test_audit_entries_older_than_five_years_are_deleted(settings, agent):
    from essaim.core.services import audit_log

    old = audit_log(actor=agent, action="test.old", summary="ancien")
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=5 * 365 + 1))
    audit_log(actor=agent, action="test.recent", summary="récent")
    report = personal_data_retention()
    assert report["audit_log"] == {"entries_deleted": 1}
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.recent"]


def test_every_app_holding_personal_data_takes_part_in_export_and_erasure(agent):
    from essaim.core.personal_data import personal_data_erase, personal_data_export

    sections = personal_data_export(user=agent, acting_user=agent)["sections"]
    expected = {"accounts", "training", "practice", "credentials", "library", "network", "surveys", "audit_log"}
    assert expected <= set(sections)
    summary = personal_data_erase(user=agent, acting_user=agent)
    assert expected <= set(summary)


def test_free_text_survey_answers_are_erased_after_two_years(request, ministry):
    from essaim.surveys.models import Answer, Question, Response, Survey

    session = make_session(request.getfixturevalue("intro_course"), ministry)
    survey = Survey.objects.create(title="À chaud", kind=Survey.Kind.AFTER_SESSION)
    question = Question.objects.create(survey=survey, kind=Question.Kind.TEXT, label="Ce qui vous a servi ?")
    today = timezone.localdate()
    for days, text in ((800, "Le world café, vécu par Claire"), (30, "Les tables rondes")):
        response = Response.objects.create(survey=survey, session=session, submitted_on=today - dt.timedelta(days=days))
        Answer.objects.create(response=response, question=question, text=text)
    report = personal_data_retention()
    assert report["surveys"] == {"free_text_answers_cleared": 1}
    assert sorted(Answer.objects.values_list("text", flat=True)) == ["", "Les tables rondes"]
    assert Answer.objects.count() == 2  # the answer still counts, without its words
