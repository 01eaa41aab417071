"""Login lockout beyond the app's own login page (tests/accounts covers that one): the
Django admin's login goes through the same backend, so the same lockout; and the window
ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import LoginAttempt
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test-2026"


def _admin_login(client, email, password):
    return client.post(reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"})


def test_the_admin_login_is_locked_after_repeated_failures(client, settings):
    from essaim.accounts.models import Role

    admin = UserFactory(email="secours@modernisation.gouv.fr", is_staff=True)
    grant(admin, Role.PROGRAMME_ADMIN)
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        assert _admin_login(client, admin.email, "mauvais").status_code == 200
    response = _admin_login(client, admin.email, PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect to the admin
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_with_its_window(client, settings):
    from essaim.accounts.models import Role

    admin = UserFactory(email="secours@modernisation.gouv.fr", is_staff=True)
    grant(admin, Role.PROGRAMME_ADMIN)
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        _admin_login(client, admin.email, "mauvais")
    past = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_WINDOW_S + 1)
    LoginAttempt.objects.update(created_at=past)
    response = _admin_login(client, admin.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
