from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from essaim.accounts.models import Role
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.smtpserver import smtp_server  # noqa: F401 - a fixture: a real SMTP server (aiosmtpd)


class InvalidTemplateVariable(str):
    """Makes `{{ typo }}` in a template fail the test instead of rendering nothing."""

    def __mod__(self, other: object) -> str:
        raise AssertionError(f"Undefined template variable: {other!r}")


def pytest_configure(config: pytest.Config) -> None:
    django_settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
    django_settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import caches

    for alias in ("default", "fragments"):
        caches[alias].clear()
    # Every test starts in the site's default language: a request in English (or a test
    # that activated it) leaves English active in the thread for the next test otherwise.
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def ministry(db):
    return OrganisationFactory(name="Ministère de test A", slug="ministere-a")


@pytest.fixture
def other_ministry(db):
    return OrganisationFactory(name="Ministère de test B", slug="ministere-b")


@pytest.fixture
def directorate(ministry):
    return OrganisationFactory(name="Direction de test A1", slug="direction-a1", kind="directorate", parent=ministry)


@pytest.fixture
def lab(db):
    return OrganisationFactory(name="Laboratoire de test", slug="lab-test", kind="lab")


@pytest.fixture
def agent(directorate):
    return UserFactory(email="agent@exemple.gouv.fr", organisation=directorate)


@pytest.fixture
def other_agent(other_ministry):
    return UserFactory(email="autre.agent@exemple.gouv.fr", organisation=other_ministry)


@pytest.fixture
def organiser(ministry):
    user = UserFactory(email="organisateur@exemple.gouv.fr", organisation=ministry)
    grant(user, Role.ORGANISER, ministry)
    return user


@pytest.fixture
def lab_coordinator(lab):
    user = UserFactory(email="coordination@exemple.gouv.fr", organisation=lab)
    grant(user, Role.LAB_COORDINATOR, lab)
    return user


@pytest.fixture
def trainer(db):
    user = UserFactory(email="formateur@exemple.gouv.fr")
    grant(user, Role.TRAINER)
    return user


@pytest.fixture
def partner(db):
    org = OrganisationFactory(name="Association partenaire", slug="association-partenaire", kind="partner")
    user = UserFactory(email="partenaire@exemple.org", organisation=org, auth_source="email")
    grant(user, Role.PARTNER, org)
    return user


@pytest.fixture
def programme_admin(db):
    user = UserFactory(email="admin@modernisation.gouv.fr")
    grant(user, Role.PROGRAMME_ADMIN)
    return user


@pytest.fixture
def fake_proconnect_server():
    from essaim.accounts.fake_proconnect import FakeProConnect

    with FakeProConnect(client_id="essaim-test", client_secret="essaim-test-secret") as server:
        yield server


@pytest.fixture
def proconnect(fake_proconnect_server, settings):
    """A running local ProConnect issuer, with Essaim's settings pointed at it."""
    server = fake_proconnect_server
    endpoints = server.endpoints()
    settings.PROCONNECT_ENABLED = True
    settings.PROCONNECT_DOMAIN = server.issuer
    settings.OIDC_OP_ISSUER = server.issuer
    settings.OIDC_RP_CLIENT_ID = server.client_id
    settings.OIDC_RP_CLIENT_SECRET = server.client_secret
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = endpoints["authorization"]
    settings.OIDC_OP_TOKEN_ENDPOINT = endpoints["token"]
    settings.OIDC_OP_USER_ENDPOINT = endpoints["userinfo"]
    settings.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = endpoints["end_session"]
    return server


@pytest.fixture(scope="session")
def node_proconnect_server(live_server):
    """panva oidc-provider configured like ProConnect (js/oidc-provider), for the session."""
    from tests.oidc_provider import NodeProConnect

    server = NodeProConnect(base_urls=["http://testserver", live_server.url]).start()
    yield server
    server.stop()


@pytest.fixture
def real_proconnect(node_proconnect_server, settings):
    """Essaim's settings pointed at the oidc-provider, with its default-scopes RS256 client."""
    node_proconnect_server.point_settings_at(settings)
    return node_proconnect_server
