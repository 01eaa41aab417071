"""Only iss + sub identify a person (OIDC Core §5.7): an identity that asserts the address of
an existing account is bound to it only after proof, by a link sent to that address."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from essaim.accounts.models import ProConnectIdentity, User
from essaim.core.models import AuditEntry
from tests.accounts.test_proconnect_login import CAMILLE, _authorize, _callback, _messages, _start
from tests.factories import Role, UserFactory, grant

pytestmark = pytest.mark.django_db

ADMIN = "admin@modernisation.gouv.fr"


def _add_identity(proconnect, email: str, sub: str, idp_id: str = "fia-autre") -> None:
    proconnect.identities[email] = {
        "sub": sub,
        "email": email,
        "given_name": "Usurpateur",
        "usual_name": "Inconnu",
        "uid": "x",
        "siret": "11000201100044",
        "idp_id": idp_id,
    }


def _login(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _callback(client, _authorize(_start(client), email))


def _link_path(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/connexion/proconnect/lier/[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_unknown_identity_asserting_the_admin_address_gets_no_session_and_changes_nothing(
    client, proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    before = (programme_admin.given_name, programme_admin.usual_name, programme_admin.auth_source)
    _add_identity(proconnect, ADMIN, sub="sub-attaquant")

    response = _login(client, ADMIN, django_capture_on_commit_callbacks)

    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert "oidc_id_token" not in client.session
    assert "lien que nous venons d’envoyer" in _messages(response)[0]
    programme_admin.refresh_from_db()
    assert (programme_admin.given_name, programme_admin.usual_name, programme_admin.auth_source) == before
    assert programme_admin.proconnect_sub is None
    assert not ProConnectIdentity.objects.exists()
    assert client.get("/admin/").status_code == 302
    # The real owner is told, at the address only they read; asking again sends no more.
    assert [m.to for m in mailoutbox] == [[ADMIN]]
    _login(client.__class__(), ADMIN, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_the_owner_links_the_identity_with_the_mailed_proof_and_keeps_names_and_roles(
    client, proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    _add_identity(proconnect, ADMIN, sub="sub-admin-fi")
    _login(client, ADMIN, django_capture_on_commit_callbacks)
    path = _link_path(mailoutbox[0])

    assert client.get(path).status_code == 200  # a mail scanner following the link binds nothing
    assert not ProConnectIdentity.objects.exists()
    response = client.post(path, follow=True)
    assert "est reliée à votre compte" in response.content.decode()
    identity = ProConnectIdentity.objects.get()
    assert (identity.user, identity.sub, identity.idp_id) == (programme_admin, "sub-admin-fi", "fia-autre")
    assert AuditEntry.objects.filter(action="accounts.proconnect.link", target_id=str(programme_admin.pk)).exists()

    response = _callback(client, _authorize(_start(client), ADMIN))
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(programme_admin.pk)
    programme_admin.refresh_from_db()
    assert programme_admin.role_assignments.active().filter(role=Role.PROGRAMME_ADMIN).exists()
    # The link serves once.
    client.logout()
    assert "déjà servi" in client.post(path, follow=True).content.decode()


def test_same_person_through_a_second_identity_provider_links_after_proof(
    client, proconnect, mailoutbox, django_capture_on_commit_callbacks
):
    first = _login(client, CAMILLE, django_capture_on_commit_callbacks)
    assert first["Location"] == "/"
    camille = User.objects.get(email=CAMILLE)
    client.logout()
    proconnect.identities[CAMILLE] = {**proconnect.identities[CAMILLE], "sub": "pc-sub-camille-fi2", "idp_id": "fi2"}

    refused = _login(client, CAMILLE, django_capture_on_commit_callbacks)
    assert refused["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert "déjà liée à une autre identité" not in _messages(refused)[0]
    client.post(_link_path(mailoutbox[-1]))

    again = _callback(client, _authorize(_start(client), CAMILLE))
    assert again["Location"] == "/"
    assert client.session["_auth_user_id"] == str(camille.pk)
    assert set(camille.proconnect_identities.values_list("sub", flat=True)) == {"pc-sub-camille", "pc-sub-camille-fi2"}


def test_a_link_proof_is_not_a_magic_link(
    client, proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    _add_identity(proconnect, ADMIN, sub="sub-admin-fi")
    _login(client, ADMIN, django_capture_on_commit_callbacks)
    token = _link_path(mailoutbox[0]).split("/")[-2]
    response = client.post(reverse("accounts:magic-link", kwargs={"token": token}), follow=True)
    assert "n’est pas valide" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_identity_already_bound_elsewhere_cannot_be_linked_by_a_proof(
    client, proconnect, mailoutbox, django_capture_on_commit_callbacks
):
    other = UserFactory(email="autre@exemple.gouv.fr")
    existing = UserFactory(email=CAMILLE)
    _login(client, CAMILLE, django_capture_on_commit_callbacks)
    ProConnectIdentity.objects.create(user=other, issuer=proconnect.issuer, sub="pc-sub-camille")
    response = client.post(_link_path(mailoutbox[0]), follow=True)
    assert "déjà reliée à un autre compte" in response.content.decode()
    assert not existing.proconnect_identities.exists()
    grant(existing, Role.TRAINER)


def test_an_erased_account_lets_go_of_its_proconnect_identity(client, proconnect):
    from essaim.core.personal_data import personal_data_erase

    _callback(client, _authorize(_start(client), CAMILLE))
    user = User.objects.get(email=CAMILLE)
    assert user.proconnect_identities.exists()
    personal_data_erase(user=user, acting_user=None)
    assert not ProConnectIdentity.objects.exists()
    client.logout()
    response = _callback(client, _authorize(_start(client), CAMILLE))
    assert response["Location"] == "/"
    assert User.objects.get(email=CAMILLE).pk != user.pk


def test_the_stand_in_gives_the_same_person_another_sub_through_another_fi(
    client, proconnect, mailoutbox, django_capture_on_commit_callbacks
):
    assert _login(client, CAMILLE, django_capture_on_commit_callbacks)["Location"] == "/"
    client.logout()
    refused = _login(client, f"{CAMILLE} (fia-mfa)", django_capture_on_commit_callbacks)
    assert refused["Location"] == reverse("accounts:login")
    client.post(_link_path(mailoutbox[-1]))
    assert _callback(client, _authorize(_start(client), f"{CAMILLE} (fia-mfa)"))["Location"] == "/"
    assert set(User.objects.get(email=CAMILLE).proconnect_identities.values_list("idp_id", flat=True)) == {
        "fia1v2",
        "fia-mfa",
    }


def test_a_sub_known_only_under_another_issuer_opens_a_new_account_without_error(client, proconnect):
    legacy = UserFactory(email="ancien@exemple.gouv.fr", proconnect_sub="pc-sub-camille")
    ProConnectIdentity.objects.create(user=legacy, issuer="https://autre-emetteur.example/api/v2", sub="pc-sub-camille")
    response = _callback(client, _authorize(_start(client), CAMILLE))
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] != str(legacy.pk)
    assert User.objects.get(email=CAMILLE).proconnect_identities.get().issuer == proconnect.issuer


def test_a_proof_opened_in_another_browser_binds_nothing(
    client, proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    """The mail proves control of the address, not that its owner is the person who presented
    the identity: an attacker whose identity asserts the admin's address must not get it bound
    because the admin, reading « si c’était vous », clicks in their own browser."""
    _add_identity(proconnect, ADMIN, sub="sub-attaquant")
    _login(client, ADMIN, django_capture_on_commit_callbacks)
    path = _link_path(mailoutbox[0])

    owner_browser = client.__class__()
    response = owner_browser.post(path, follow=True)

    assert "navigateur" in response.content.decode()
    assert not ProConnectIdentity.objects.exists()
    # The link is not spent: opened in the browser that signed in, it still binds.
    client.post(path)
    assert ProConnectIdentity.objects.get().user == programme_admin


def test_a_second_sign_in_in_another_browser_can_use_the_pending_proof(
    client, proconnect, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    _add_identity(proconnect, ADMIN, sub="sub-admin-fi")
    _login(client, ADMIN, django_capture_on_commit_callbacks)
    other_browser = client.__class__()
    _login(other_browser, ADMIN, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    other_browser.post(_link_path(mailoutbox[0]))
    assert ProConnectIdentity.objects.get().user == programme_admin


def test_an_address_changed_at_proconnect_is_audited_without_the_address(client, proconnect):
    """The account's address is where proofs and sign-in links go: its change is recorded,
    and the audit trail does not keep the addresses themselves."""
    _callback(client, _authorize(_start(client), CAMILLE))
    user = User.objects.get(email=CAMILLE)
    client.logout()
    proconnect.identities[CAMILLE] = {**proconnect.identities[CAMILLE], "email": "camille.d@finances.gouv.fr"}

    _callback(client, _authorize(_start(client), CAMILLE))

    user.refresh_from_db()
    assert user.email == "camille.d@finances.gouv.fr"
    entry = AuditEntry.objects.get(action="accounts.user.email_change", target_id=str(user.pk))
    assert "camille" not in json.dumps(entry.changes) + entry.summary
