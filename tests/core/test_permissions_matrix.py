"""Who reaches what, role by role, including another organisation's objects."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "agent", "trainer", "partner", "organiser", "lab_coordinator", "programme_admin"]


@pytest.fixture
def people(agent, trainer, partner, organiser, lab_coordinator, programme_admin):
    return {
        "visitor": None,
        "agent": agent,
        "trainer": trainer,
        "partner": partner,
        "organiser": organiser,
        "lab_coordinator": lab_coordinator,
        "programme_admin": programme_admin,
    }


def _status(client, user, method, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url).status_code


# (name, method, url builder, roles allowed). The organiser is organiser of ministry A;
# the lab coordinator coordinates the lab; nobody but the admin holds a role on ministry B.
CASES = [
    (
        "members of own ministry",
        "get",
        lambda f: reverse("organisations:members", args=[f["ministry"].slug]),
        {"organiser", "programme_admin"},
    ),
    (
        "members of a directorate under own ministry",
        "get",
        lambda f: reverse("organisations:members", args=[f["directorate"].slug]),
        {"organiser", "programme_admin"},
    ),
    (
        "members of another ministry",
        "get",
        lambda f: reverse("organisations:members", args=[f["other_ministry"].slug]),
        {"programme_admin"},
    ),
    (
        "members of the lab",
        "get",
        lambda f: reverse("organisations:members", args=[f["lab"].slug]),
        {"lab_coordinator", "programme_admin"},
    ),
    (
        "edit own ministry",
        "get",
        lambda f: reverse("organisations:edit", args=[f["ministry"].slug]),
        {"organiser", "programme_admin"},
    ),
    (
        "edit another ministry",
        "get",
        lambda f: reverse("organisations:edit", args=[f["other_ministry"].slug]),
        {"programme_admin"},
    ),
    (
        "edit the lab",
        "get",
        lambda f: reverse("organisations:edit", args=[f["lab"].slug]),
        {"lab_coordinator", "programme_admin"},
    ),
    ("audit log", "get", lambda f: reverse("core:audit-log"), {"programme_admin"}),
    ("Django admin", "get", lambda f: reverse("admin:index"), {"programme_admin"}),
]


@pytest.mark.parametrize(("name", "method", "url", "allowed"), CASES, ids=[c[0] for c in CASES])
def test_role_matrix(client, people, ministry, other_ministry, directorate, lab, name, method, url, allowed):
    objects = {"ministry": ministry, "other_ministry": other_ministry, "directorate": directorate, "lab": lab}
    people["programme_admin"].is_staff = True
    people["programme_admin"].save()
    target = url(objects)
    results = {role: _status(client, people[role], method, target) for role in ROLES}
    for role, status in results.items():
        if role in allowed:
            assert status == 200, f"{role} should reach {name}: got {status}"
        elif role == "visitor":
            assert status == 302, f"visitor should be sent to login for {name}: got {status}"
        else:
            assert status in (302, 403), f"{role} must not reach {name}: got {status}"
            if target.startswith("/admin/"):
                continue
            assert status == 403, f"{role} must be refused {name}: got {status}"


def test_public_pages_are_open_to_everyone(client, people, ministry):
    for role in ROLES:
        for url in [
            "/",
            reverse("organisations:list"),
            reverse("organisations:detail", args=[ministry.slug]),
            reverse("footer-accessibility-status"),
            reverse("footer-personal-data"),
        ]:
            assert _status(client, people[role], "get", url) == 200, (role, url)


def test_nobody_revokes_another_persons_token(client, agent, other_agent, programme_admin):
    token, _secret = api_token_create(user=other_agent, name="outil", acting_user=other_agent)
    client.force_login(agent)
    assert client.post(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(programme_admin)
    assert client.post(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_organiser_edits_own_ministry_and_the_change_is_audited(client, organiser, ministry):
    from essaim.core.models import AuditEntry

    client.force_login(organiser)
    response = client.post(
        reverse("organisations:edit", args=[ministry.slug]),
        {"name": ministry.name, "short_name": "MTA", "siret": "", "website": "", "description": "Texte"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="organisations.organisation.update")
    assert entry.actor == organiser and entry.actor_role == "organiser"
    assert entry.changes["short_name"] == ["", "MTA"]


def test_bad_siret_is_refused_with_a_message(client, programme_admin, ministry):
    # Only programme admins set a SIRET (tests/organisations/test_siret_setting.py).
    client.force_login(programme_admin)
    response = client.post(
        reverse("organisations:edit", args=[ministry.slug]),
        {"name": ministry.name, "siret": "12345678901234"},
    )
    assert response.status_code == 400
    assert "clé de contrôle" in response.content.decode()


def test_programme_admin_grants_a_role_in_the_admin_and_it_is_audited(client, programme_admin, agent, ministry):
    from essaim.accounts.models import RoleAssignment
    from essaim.core.models import AuditEntry

    client.force_login(programme_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": agent.pk, "role": "organiser", "organisation": ministry.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=agent, role="organiser")
    assert assignment.granted_by == programme_admin
    assert AuditEntry.objects.filter(action="accounts.role.grant", actor=programme_admin).exists()
    # A scoped role without its organisation is refused with a message, and nothing is stored.
    client.post(reverse("admin:accounts_roleassignment_add"), {"user": agent.pk, "role": "lab_coordinator"})
    assert not RoleAssignment.objects.filter(user=agent, role="lab_coordinator").exists()


def test_audit_entries_cannot_be_edited_in_the_admin(client, programme_admin, agent):
    from essaim.core.models import AuditEntry

    entry = AuditEntry.objects.create(actor=agent, actor_label=str(agent), action="test.action")
    client.force_login(programme_admin)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
