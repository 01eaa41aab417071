from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import LoginToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request_link(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:login"), {"method": "magic", "magic-email": email})


def _link_path(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/connexion/lien/[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_partner_receives_a_single_use_link_and_logs_in(
    client, partner, mailoutbox, django_capture_on_commit_callbacks
):
    response = _request_link(client, partner.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:magic-link-sent")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [partner.email]
    path = _link_path(mailoutbox[0])

    # Following the link (as a mail scanner would) does not use it up.
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(partner.pk)

    client.logout()
    response = client.post(path, follow=True)
    assert "déjà servi" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_address_looks_the_same_and_sends_nothing(client, db, mailoutbox, django_capture_on_commit_callbacks):
    response = _request_link(client, "inconnu@exemple.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:magic-link-sent")
    assert mailoutbox == []


def test_expired_link_is_refused(client, partner, mailoutbox, django_capture_on_commit_callbacks):
    _request_link(client, partner.email, django_capture_on_commit_callbacks)
    LoginToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(_link_path(mailoutbox[0]), follow=True)
    assert "expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_link_requests_are_rate_limited(client, partner, mailoutbox, django_capture_on_commit_callbacks, settings):
    for _ in range(settings.MAGIC_LINK_MAX_PER_EMAIL):
        _request_link(client, partner.email, django_capture_on_commit_callbacks)
    response = _request_link(client, partner.email, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Trop de demandes" in response.content.decode()
    assert len(mailoutbox) == settings.MAGIC_LINK_MAX_PER_EMAIL


def test_invalid_email_gets_a_field_error(client, db):
    response = client.post(reverse("accounts:login"), {"method": "magic", "magic-email": "pas-une-adresse"})
    assert response.status_code == 400
    assert "fr-error-text" in response.content.decode() and "valide" in response.content.decode()


def _password_login(client, email, password):
    return client.post(
        reverse("accounts:login"),
        {"method": "password", "password-email": email, "password-password": password},
    )


def test_password_login_and_lockout_after_repeated_failures(client, db, settings):
    user = UserFactory(email="demo@exemple.gouv.fr")
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        response = _password_login(client, user.email, "mauvais")
        assert response.status_code == 400
        assert "incorrect" in response.content.decode()
    # Even the right password is refused while locked.
    response = _password_login(client, user.email, "mot-de-passe-de-test-2026")
    assert response.status_code == 400
    assert "bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_login_succeeds_and_clears_failures(client, db):
    user = UserFactory(email="demo@exemple.gouv.fr")
    _password_login(client, user.email, "mauvais")
    response = _password_login(client, user.email, "mot-de-passe-de-test-2026")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_login_is_off_in_production_mode(client, db, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    user = UserFactory(email="demo@exemple.gouv.fr")
    response = _password_login(client, user.email, "mot-de-passe-de-test-2026")
    assert "_auth_user_id" not in client.session
    assert "Comptes de démonstration" not in response.content.decode()


def test_open_redirect_is_refused(client, db):
    user = UserFactory(email="demo@exemple.gouv.fr")
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {
            "method": "password",
            "password-email": user.email,
            "password-password": "mot-de-passe-de-test-2026",
        },
    )
    assert response["Location"] == "/"


def test_periodic_purge_drops_old_login_material(partner):
    from essaim.accounts.models import LoginAttempt
    from essaim.accounts.services import login_material_purge

    now = timezone.now()
    LoginToken.objects.create(user=partner, token_hash="a" * 64, expires_at=now - dt.timedelta(days=2))
    LoginToken.objects.create(user=partner, token_hash="b" * 64, expires_at=now + dt.timedelta(minutes=5))
    LoginAttempt.objects.create(kind="password", email=partner.email, created_at=now - dt.timedelta(days=8))
    LoginAttempt.objects.create(kind="password", email=partner.email, created_at=now)
    assert login_material_purge() == 2
    assert LoginToken.objects.count() == 1 and LoginAttempt.objects.count() == 1


@pytest.mark.parametrize("who", ["programme_admin", "organiser", "agent", "proconnect_trainer"])
def test_magic_link_is_refused_to_everyone_but_partners_and_external_trainers(
    request, client, who, mailoutbox, django_capture_on_commit_callbacks
):
    if who == "proconnect_trainer":
        user = request.getfixturevalue("trainer")
        user.auth_source = "proconnect"
        user.save()
    else:
        user = request.getfixturevalue(who)
    response = _request_link(client, user.email, django_capture_on_commit_callbacks)
    # Same answer on screen as for any address (no enumeration), which says who it is for…
    assert response["Location"] == reverse("accounts:magic-link-sent")
    page = client.get(response["Location"]).content.decode()
    assert "réservé aux partenaires et aux formateurs externes" in page
    # …and the owner is told by mail to use ProConnect; no link exists.
    assert len(mailoutbox) == 1 and "utilisez ProConnect" in mailoutbox[0].subject
    assert "/connexion/lien/" not in mailoutbox[0].body
    assert not LoginToken.objects.filter(user=user).exists()


def test_external_trainer_receives_a_link(client, trainer, mailoutbox, django_capture_on_commit_callbacks):
    _request_link(client, trainer.email, django_capture_on_commit_callbacks)
    assert client.post(_link_path(mailoutbox[0])).status_code == 302
    assert client.session["_auth_user_id"] == str(trainer.pk)


def test_a_link_sent_before_the_account_became_privileged_no_longer_opens_it(
    client, partner, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import Role, grant

    _request_link(client, partner.email, django_capture_on_commit_callbacks)
    grant(partner, Role.PROGRAMME_ADMIN)
    response = client.post(_link_path(mailoutbox[0]), follow=True)
    assert "réservé aux partenaires et aux formateurs externes" in response.content.decode()
    assert "_auth_user_id" not in client.session
