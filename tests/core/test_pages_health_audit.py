from __future__ import annotations

import pytest
from django.db import connections
from django.urls import reverse

from essaim.accounts.services import role_grant
from essaim.core.models import AuditEntry
from essaim.organisations.models import Departement, Organisation, Region

pytestmark = pytest.mark.django_db


def test_reference_data_ships_with_the_schema():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="2A").region.name == "Corse"
    assert Departement.objects.get(code="974").region_id == "04"
    assert Organisation.objects.ministries().count() >= 15


def test_home_for_a_visitor_presents_the_programme(client, django_assert_num_queries):
    client.get("/")  # the figures and the events are kept a few minutes
    with django_assert_num_queries(0):
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "FR0111" in page and "Se connecter" in page
    for name in [
        "footer-accessibility-status",
        "footer-legal-notice",
        "footer-personal-data",
        "footer-sitemap",
        "footer-cookie-management",
    ]:
        assert f'href="{reverse(name)}"' in page
    assert 'href="#content"' in page


def test_home_for_an_agent_shows_where_they_stand(client, agent, django_assert_num_queries):
    client.force_login(agent)
    # session, user, roles, organisation; registrations, courses, completions, practice,
    # surveys, attestations (core/home.py)
    with django_assert_num_queries(10):
        response = client.get("/")
    page = response.content.decode()
    assert "Bonjour" in page and agent.organisation.name in page


def test_home_query_count_does_not_grow_with_roles(client, organiser, ministry, lab, django_assert_num_queries):
    from tests.factories import grant

    grant(organiser, "lab_coordinator", lab)
    grant(organiser, "trainer")
    client.force_login(organiser)
    # the agent's ten, the sessions to follow, the trainer's sessions, the lab and its pilots
    with django_assert_num_queries(14):
        client.get("/")


@pytest.mark.parametrize("lang, expected", [("fr", "Déclaration d’accessibilité"), ("en", "Accessibility statement")])
def test_static_pages_in_both_languages(client, lang, expected):
    client.cookies["django_language"] = lang
    response = client.get(reverse("footer-accessibility-status"))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_language_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()


def test_error_pages_are_dsfr_pages(client, settings):
    settings.DEBUG = False
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode() and "fr-footer" in response.content.decode()


def test_every_html_page_has_a_csp_with_a_nonce(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_healthz_reports_each_component_to_the_metrics_token_only(client, settings):
    settings.METRICS_TOKEN = "jeton-de-supervision"
    response = client.get(reverse("core:healthz"), HTTP_AUTHORIZATION="Bearer jeton-de-supervision")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "queue", "outbox"}
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}
    assert client.get(reverse("core:healthz"), HTTP_AUTHORIZATION="Bearer autre").json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_unreachable(client, tmp_path, settings):
    settings.METRICS_TOKEN = "jeton-de-supervision"
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "missing-dir" / "db.sqlite3")
    else:
        connection.settings_dict["PORT"] = "1"
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 1}
    try:
        response = client.get(reverse("core:healthz"), HTTP_AUTHORIZATION="Bearer jeton-de-supervision")
        public = client.get(reverse("core:healthz"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"]["status"] == "error"
    assert public.status_code == 503 and public.json() == {"status": "error"}  # no error class in public
    # And it recovers as soon as the database is back.
    assert client.get(reverse("core:healthz")).status_code == 200


def test_audit_log_records_role_changes_and_is_shown_to_admins(client, programme_admin, agent, ministry):
    role_grant(user=agent, role="organiser", organisation=ministry, acting_user=programme_admin)
    entry = AuditEntry.objects.get(action="accounts.role.grant")
    assert entry.actor == programme_admin and entry.actor_role == "programme_admin"
    assert entry.target_id == str(agent.pk) and entry.changes["role"] == "organiser"

    client.force_login(programme_admin)
    response = client.get(reverse("core:audit-log"), {"action": "accounts.role"})
    assert response.status_code == 200
    assert "accounts.role.grant" in response.content.decode()


def test_audit_log_page_query_count_is_constant(
    client, programme_admin, agent, ministry, django_assert_max_num_queries
):
    for index in range(30):
        AuditEntry.objects.create(actor=agent, actor_label=str(agent), action=f"test.action.{index}")
    client.force_login(programme_admin)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("core:audit-log"))
    assert response.content.decode().count("test.action.") == 30


def test_organisation_list_query_count_is_constant(client, ministry, django_assert_num_queries):
    from tests.factories import OrganisationFactory

    for index in range(10):
        OrganisationFactory(name=f"Direction {index}", kind="directorate", parent=ministry)
    with django_assert_num_queries(3):
        response = client.get(reverse("organisations:list"), {"kind": "directorate"})
    assert response.status_code == 200 and "Direction 9" in response.content.decode()


def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    from essaim.accounts.models import RoleAssignment, User

    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), Organisation.objects.count(), RoleAssignment.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (User.objects.count(), Organisation.objects.count(), RoleAssignment.objects.count())
    assert User.objects.get(email="admin@essaim.localhost").role_assignments.get().role == "programme_admin"


def test_every_stylesheet_and_script_a_page_links_to_is_served(client):
    import re

    from django.contrib.staticfiles import finders

    page = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert any(a.startswith("essaim/") for a in assets) and any(a.startswith("dsfr/") for a in assets)
    missing = [asset for asset in assets if finders.find(asset) is None]
    assert missing == []
