"""Client addresses behind the proxy (issue 14, point 3) and a password lockout that cannot be
turned against the owner (point 4). Requests come as nginx sends them: from the proxy's
address, with X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from essaim.accounts.models import Role
from essaim.core.client_ip import client_ip_from, rate_limit_address
from essaim.core.models import AuditEntry
from tests.factories import OrganisationFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
PASSWORD = "mot-de-passe-de-test-2026"


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8"]
    from django.core.cache import cache

    cache.clear()


def _via_proxy(client_address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


# Client IP -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.5", "203.0.113.5"),
        (PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # a client-written entry is ignored
        (PROXY, "203.0.113.5, 10.0.0.3", "203.0.113.5"),  # two of our proxies in a row
        (PROXY, "not-an-address", PROXY),
        (PROXY, "203.0.113.5, not-an-address", PROXY),
        (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (PROXY, "203.0.113.5:5123", "203.0.113.5"),
        (PROXY, "", PROXY),
        ("198.51.100.7", "1.1.1.1", "198.51.100.7"),  # not from our proxy: header not believed
        ("::ffff:198.51.100.7", "", "198.51.100.7"),
        ("fd00::1", "2001:db8::5", "2001:db8::5"),
        ("", "1.1.1.1", None),
    ],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(remote, forwarded, expected):
    assert client_ip_from(remote, forwarded) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip_from(PROXY, "203.0.113.5") == PROXY


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),  # the next /64 is another subscriber
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", None),
        (None, None),
        ("not-an-address", None),
    ],
)
def test_rate_limits_count_an_ipv6_client_by_its_64(address, counted):
    assert rate_limit_address(address) == counted


def test_an_ipv6_client_cannot_escape_the_magic_link_limit_by_changing_its_interface_id(client, settings):
    for number in range(settings.MAGIC_LINK_MAX_PER_IP):
        assert _magic(client, f"hasard{number}@exemple.fr", f"2001:db8:66:1::{number + 1:x}").status_code == 302
    flooded = _magic(client, "encore@exemple.fr", "2001:db8:66:1:ffff::9")
    assert flooded.status_code == 400 and "Trop de demandes" in flooded.content.decode()
    # Another /64 (another subscriber) is not blocked.
    assert _magic(client, "autre@exemple.fr", "2001:db8:66:2::1").status_code == 302


def test_password_spraying_from_one_ipv6_64_is_throttled(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 6
    users = [UserFactory(email=f"agent{n}@exemple.gouv.fr") for n in range(settings.LOGIN_IP_MAX_FAILURES + 1)]
    for number, user in enumerate(users[:-1]):
        _login(client, user.email, "Printemps2026!", f"2001:db8:77:1::{number + 1:x}")
    assert "bloquée" in _login(client, users[-1].email, PASSWORD, "2001:db8:77:1::abcd").content.decode()
    assert _login(type(client)(), users[-1].email, PASSWORD, "2001:db8:77:2::1").status_code == 302


def _magic(client, email, address):
    return client.post(reverse("accounts:login"), {"method": "magic", "magic-email": email}, **_via_proxy(address))


def test_anonymous_flood_of_magic_links_does_not_block_other_people(client, settings):
    partner = UserFactory(email="partenaire@association.fr")
    for number in range(settings.MAGIC_LINK_MAX_PER_IP):
        assert _magic(client, f"hasard{number}@exemple.fr", "198.51.100.66").status_code == 302
    flooded = _magic(client, "encore@exemple.fr", "198.51.100.66")
    assert flooded.status_code == 400
    assert "Trop de demandes" in flooded.content.decode()
    response = _magic(client, partner.email, "203.0.113.10")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:magic-link-sent")


def test_the_per_address_limit_still_holds_from_many_places(client, settings):
    partner = UserFactory(email="partenaire@association.fr")
    for number in range(settings.MAGIC_LINK_MAX_PER_EMAIL):
        assert _magic(client, partner.email, f"203.0.113.{number + 1}").status_code == 302
    assert _magic(client, partner.email, "203.0.113.200").status_code == 400


def test_the_audit_log_records_the_clients_address_not_the_proxys(client):
    partner = UserFactory(email="partenaire@association.fr")
    grant(partner, Role.PARTNER, OrganisationFactory())  # the magic link is for partners and external trainers
    _magic(client, partner.email, "203.0.113.10")
    assert AuditEntry.objects.get(action="accounts.magic_link.request").ip_address == "203.0.113.10"
    client.force_login(partner)
    client.post(
        reverse("accounts:profile"),
        {"given_name": "Camille", "usual_name": "Martin", "preferred_language": "fr"},
        **_via_proxy("203.0.113.11"),
    )
    assert set(
        AuditEntry.objects.exclude(action="accounts.magic_link.request").values_list("ip_address", flat=True)
    ) <= {"203.0.113.11"}


# Lockout ---------------------------------------------------------------------------


def _login(client, email, password, address):
    return client.post(
        reverse("accounts:login"),
        {"method": "password", "password-email": email, "password-password": password},
        **_via_proxy(address),
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _sign_out_keeping_the_browser(client, settings) -> None:
    """Sign out as a person does: the session ends, the browser keeps its other cookies
    (the test client's logout() would drop them all)."""
    device = client.cookies[settings.LOGIN_DEVICE_COOKIE_NAME]
    client.logout()
    client.cookies[settings.LOGIN_DEVICE_COOKIE_NAME] = device.value


def test_failures_from_an_attacker_do_not_lock_the_owner_out(client, settings):
    owner = UserFactory(email="proprietaire@exemple.gouv.fr")
    attacker = type(client)()
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS + 3):
        _login(attacker, owner.email, "mauvais", "198.51.100.66")
    refused = _login(attacker, owner.email, PASSWORD, "198.51.100.66")
    assert "bloquée" in refused.content.decode() and not _signed_in(attacker)
    response = _login(client, owner.email, PASSWORD, "203.0.113.10")
    assert response.status_code == 302 and _signed_in(client)


def test_the_owners_browser_gets_in_even_behind_the_attackers_address(client, settings):
    """Same office, same public address: the browser that signed in before still gets in."""
    owner = UserFactory(email="proprietaire@exemple.gouv.fr")
    assert _login(client, owner.email, PASSWORD, "203.0.113.10").status_code == 302
    assert settings.LOGIN_DEVICE_COOKIE_NAME in client.cookies
    _sign_out_keeping_the_browser(client, settings)
    attacker = type(client)()
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS + 3):
        _login(attacker, owner.email, "mauvais", "203.0.113.10")
    assert not _signed_in(attacker)
    assert _login(client, owner.email, PASSWORD, "203.0.113.10").status_code == 302 and _signed_in(client)


def test_a_distributed_attack_locks_new_browsers_but_not_the_owners(client, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 12
    owner = UserFactory(email="proprietaire@exemple.gouv.fr")
    assert _login(client, owner.email, PASSWORD, "203.0.113.10").status_code == 302
    _sign_out_keeping_the_browser(client, settings)
    for number in range(settings.LOGIN_ACCOUNT_MAX_FAILURES):
        _login(type(client)(), owner.email, "mauvais", f"198.51.100.{number + 1}")
    newcomer = type(client)()
    assert "bloquée" in _login(newcomer, owner.email, PASSWORD, "192.0.2.77").content.decode()
    assert _login(client, owner.email, PASSWORD, "192.0.2.78").status_code == 302 and _signed_in(client)


def test_the_device_cookie_has_its_own_limit(client, settings):
    owner = UserFactory(email="proprietaire@exemple.gouv.fr")
    _login(client, owner.email, PASSWORD, "203.0.113.10")
    _sign_out_keeping_the_browser(client, settings)
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        _login(client, owner.email, "mauvais", "203.0.113.10")
    assert "bloquée" in _login(client, owner.email, PASSWORD, "203.0.113.10").content.decode()


def test_a_device_cookie_of_another_account_or_forged_is_not_honoured(client, settings):
    owner = UserFactory(email="proprietaire@exemple.gouv.fr")
    other = UserFactory(email="autre@exemple.gouv.fr")
    _login(client, other.email, PASSWORD, "203.0.113.10")
    _sign_out_keeping_the_browser(client, settings)
    for _ in range(settings.LOGIN_LOCKOUT_ATTEMPTS):
        _login(client, owner.email, "mauvais", "203.0.113.10")
    assert "bloquée" in _login(client, owner.email, PASSWORD, "203.0.113.10").content.decode()
    client.cookies[settings.LOGIN_DEVICE_COOKIE_NAME] = "forged:value"
    assert "bloquée" in _login(client, owner.email, PASSWORD, "203.0.113.10").content.decode()


def test_password_spraying_from_one_address_is_throttled(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 8
    users = [UserFactory(email=f"agent{n}@exemple.gouv.fr") for n in range(settings.LOGIN_IP_MAX_FAILURES + 1)]
    for user in users[:-1]:
        _login(client, user.email, "Printemps2026!", "198.51.100.66")
    assert "bloquée" in _login(client, users[-1].email, PASSWORD, "198.51.100.66").content.decode()
    assert not _signed_in(client)
    assert _login(type(client)(), users[-1].email, PASSWORD, "203.0.113.10").status_code == 302


def test_the_admin_login_follows_the_same_rules(client, settings):
    from essaim.accounts.models import Role

    settings.LOGIN_IP_MAX_FAILURES = 6
    admin = UserFactory(email="secours@modernisation.gouv.fr", is_staff=True)
    grant(admin, Role.PROGRAMME_ADMIN)
    sprayed = [UserFactory(email=f"agent{n}@exemple.gouv.fr") for n in range(6)]
    for user in sprayed:
        client.post(reverse("admin:login"), {"username": user.email, "password": "x"}, **_via_proxy("198.51.100.66"))
    response = client.post(
        reverse("admin:login"), {"username": admin.email, "password": PASSWORD}, **_via_proxy("198.51.100.66")
    )
    assert response.status_code == 200 and not _signed_in(client)
    owner_client = type(client)()
    response = owner_client.post(
        reverse("admin:login"),
        {"username": admin.email, "password": PASSWORD, "next": "/admin/"},
        **_via_proxy("203.0.113.10"),
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=int(owner_client.session["_auth_user_id"])) == admin
