from __future__ import annotations

import io
import json
import zipfile

import jwt
import pytest
from pypdf import PdfReader

from essaim.core.models import AuditEntry
from essaim.credentials import vc
from essaim.credentials.models import Credential
from essaim.credentials.services import credential_issue
from tests.credentials.conftest import close_past_session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_person_lists_and_downloads_their_credentials(client, agent, credential, django_assert_max_num_queries):
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        page = client.get("/attestations/")
    assert page.status_code == 200
    assert credential.code in page.content.decode()
    pdf = client.get(f"/attestations/{credential.code}/attestation.pdf")
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    assert credential.code in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    badge = json.loads(client.get(f"/attestations/{credential.code}/badge.json").content)
    signed = vc.credential_of(jwt.decode(credential.jwt, options={"verify_signature": False}))
    assert "OpenBadgeCredential" in badge["type"] and badge["proof"]["type"] == "DataIntegrityProof"
    assert {k: v for k, v in badge.items() if k != "proof"} == signed
    token = client.get(f"/attestations/{credential.code}/badge.jwt")
    assert token.content.decode() == credential.jwt and token["Content-Type"] == "application/vc+jwt"


def test_the_list_costs_the_same_queries_whatever_the_number_of_credentials(
    client, agent, aligned_course, ministry, programme_admin, django_assert_max_num_queries
):
    for _round in range(3):
        done = close_past_session(aligned_course, ministry, [agent], programme_admin)
        credential_issue(completion=done[0])
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        page = client.get("/attestations/")
    assert page.content.decode().count("attestation.pdf") == 3


def test_another_persons_credential_is_not_found(client, other_agent, credential):
    client.force_login(other_agent)
    for suffix in ("attestation.pdf", "badge.json", "badge.jwt"):
        assert client.get(f"/attestations/{credential.code}/{suffix}").status_code == 404
    assert client.get("/attestations/ESS-2222-3333-4444/attestation.pdf").status_code == 404


def test_downloads_need_a_login(client, credential):
    response = client.get(f"/attestations/{credential.code}/attestation.pdf")
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_a_visitor_verifies_by_code_and_sees_no_email(client, credential, agent):
    response = client.get(f"/attestations/verifier/?code={credential.code.lower()}", follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Attestation valide" in body and "Camille Durand" in body and "Animer un atelier" in body
    assert agent.email not in body


def test_verification_of_an_unknown_or_malformed_code_says_so(client):
    response = client.get("/attestations/verifier/ESS-2222-3333-4444/")
    assert response.status_code == 404 and "Attestation inconnue" in response.content.decode()
    bad = client.get("/attestations/verifier/?code=xyz")
    assert bad.status_code == 200 and "pas le bon format" in bad.content.decode()


def test_a_visitor_verifies_a_pasted_badge(client, credential):
    response = client.post("/attestations/verifier/", {"token": credential.jwt})
    assert "Attestation valide" in response.content.decode()
    forged = credential.jwt[:-6] + "AAAAAA"
    response = client.post("/attestations/verifier/", {"token": forged})
    assert response.status_code == 200 and "Badge non authentique" in response.content.decode()
    response = client.post("/attestations/verifier/", {"token": "pas un badge du tout"})
    assert response.status_code == 200 and "Badge non authentique" in response.content.decode()


def test_the_page_says_revoked_after_a_programme_admin_revokes(client, programme_admin, credential):
    client.force_login(programme_admin)
    assert client.get(f"/attestations/pilotage/{credential.code}/revoquer/").status_code == 200
    empty = client.post(f"/attestations/pilotage/{credential.code}/revoquer/", {"reason": ""})
    assert empty.status_code == 200 and not Credential.objects.get().is_revoked
    response = client.post(
        f"/attestations/pilotage/{credential.code}/revoquer/", {"reason": "Session annulée a posteriori"}, follow=True
    )
    assert "Attestation révoquée" in response.content.decode()
    assert AuditEntry.objects.filter(action="credentials.credential.revoke", actor=programme_admin).exists()
    client.logout()
    public = client.get(f"/attestations/verifier/{credential.code}/").content.decode()
    assert "Attestation révoquée" in public and "Session annulée" not in public


def test_only_programme_admins_revoke(client, organiser, agent, credential):
    for person in (organiser, agent):
        client.force_login(person)
        url = f"/attestations/pilotage/{credential.code}/revoquer/"
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert not Credential.objects.get().is_revoked


def test_organisers_download_every_attestation_of_their_session_as_one_zip(
    client, organiser, other_agent, aligned_course, ministry, other_ministry, programme_admin
):
    people = [UserFactory(), UserFactory(), UserFactory()]
    for done in close_past_session(aligned_course, ministry, people, programme_admin):
        credential_issue(completion=done)
    session = Credential.objects.first().completion.session
    client.force_login(organiser)
    assert str(session.course.title) in client.get("/attestations/pilotage/").content.decode()
    response = client.get(f"/attestations/pilotage/sessions/{session.pk}/attestations.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(archive.namelist()) == 3
    for code in Credential.objects.values_list("code", flat=True):
        assert any(name.endswith(f"{code}.pdf") for name in archive.namelist())
        assert (
            code
            in PdfReader(io.BytesIO(archive.read(f"attestation-{_name_of(code)}-{code}.pdf"))).pages[0].extract_text()
        )
    # Another ministry's organiser, or an agent, does not reach it.
    from essaim.accounts.models import Role
    from tests.factories import grant

    outsider = UserFactory(organisation=other_ministry)
    grant(outsider, Role.ORGANISER, other_ministry)
    for person in (outsider, other_agent):
        client.force_login(person)
        assert client.get(f"/attestations/pilotage/sessions/{session.pk}/attestations.zip").status_code == 404


def _name_of(code: str) -> str:
    name = Credential.objects.get(code=code).snapshot["name"]
    return "".join(c if c.isalnum() else "-" for c in name)


def test_public_issuer_documents(client, credential):
    profile = client.get("/attestations/emetteur/").json()
    assert profile["type"] == ["Profile"] and profile["id"].endswith("/attestations/emetteur/")
    (published,) = client.get("/attestations/emetteur/jwks.json").json()["keys"]
    # The kid a signature names is a URL that dereferences to that very key (OB 3.0 §8.2).
    assert published["kid"] == f"https://essaim.test/attestations/emetteur/cles/{credential.kid}/"
    key = client.get(published["kid"].removeprefix("https://essaim.test"))
    assert key["Content-Type"] == "application/jwk+json" and key.json() == published and "d" not in key.json()
    assert client.get("/attestations/emetteur/cles/inconnue/").status_code == 404
    status_list = client.get("/attestations/statut/1/")
    assert status_list["Content-Type"] == "application/vc+jwt" and status_list.content.count(b".") == 2
    assert client.get("/attestations/statut/2/").status_code == 404
    achievement = client.get(f"/attestations/badges/{credential.snapshot['course_code']}/").json()
    assert achievement["name"] == "Facilitation : les fondamentaux"
    # The Achievement published at its URL is the one inside the credential, member for member.
    embedded = vc.credential_of(jwt.decode(credential.jwt, options={"verify_signature": False}))
    assert {k: v for k, v in achievement.items() if k != "@context"} == embedded["credentialSubject"]["achievement"]


def test_learner_record_page_and_exports(client, agent, credential, django_assert_max_num_queries):
    from essaim.practice.models import PracticeEntry

    PracticeEntry.objects.create(user=agent, date="2026-10-01", title="Atelier", method="world café", participants=12)
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        page = client.get("/mon-parcours/").content.decode()
    assert "Animer un atelier" in page and "Découvrir" in page and credential.code in page
    assert "1 atelier animé, dont 0 confirmé." in page
    record = json.loads(client.get("/mon-parcours/export.json").content)
    assert record["competencies"][0]["level_name"] == "Découvrir"
    assert record["completions"][0]["course"] == "Facilitation : les fondamentaux"
    assert record["practice"]["workshops"] == 1
    assert record["credentials"][0]["code"] == credential.code and record["credentials"][0]["status"] == "valid"
    assert agent.email not in json.dumps(record)
    pdf = client.get("/mon-parcours/export.pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Mon parcours" in text and "Animer un atelier" in text and credential.code in text


def test_api_my_credentials_and_verify(client, agent, other_agent, credential):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/me/credentials", "/api/v1/credentials/verify"} <= set(paths)
    assert client.get("/api/v1/me/credentials").status_code == 401
    client.force_login(other_agent)
    assert client.get("/api/v1/me/credentials").json() == []
    client.force_login(agent)
    mine = client.get("/api/v1/me/credentials").json()
    assert [c["code"] for c in mine] == [credential.code] and mine[0]["status"] == "valid"
    client.logout()
    by_code = client.post("/api/v1/credentials/verify", {"code": credential.code}, content_type="application/json")
    assert by_code.json()["status"] == "valid" and by_code.json()["alignments"] == ["Animer un atelier — Découvrir"]
    by_jwt = client.post("/api/v1/credentials/verify", {"jwt": "garbage"}, content_type="application/json")
    assert by_jwt.json()["status"] == "invalid"
    # Pasted from a file or an e-mail: the line breaks inside and after the token do not matter.
    folded = "\n".join(credential.jwt[i : i + 64] for i in range(0, len(credential.jwt), 64)) + "\r\n"
    pasted = client.post("/api/v1/credentials/verify", {"jwt": folded}, content_type="application/json")
    assert pasted.status_code == 200 and pasted.json()["status"] == "valid"
    empty = client.post("/api/v1/credentials/verify", {}, content_type="application/json")
    assert empty.status_code == 422


def test_the_verification_page_speaks_english(client, credential):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("fr"):  # the request activates English: do not leak it to later tests
        body = client.get(f"/attestations/verifier/{credential.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid certificate" in body and "Verify a certificate" in body


def test_the_credentials_back_office_is_for_staff(client, agent, programme_admin, credential):
    client.force_login(agent)
    assert client.get("/attestations/pilotage/").status_code == 403
    client.force_login(programme_admin)
    found = client.get("/attestations/pilotage/", {"code": credential.code.lower()})
    assert found.status_code == 302 and found["Location"].endswith(
        f"/attestations/pilotage/{credential.code}/revoquer/"
    )
    missing = client.get("/attestations/pilotage/", {"code": "ESS-2222-3333-4444"})
    assert "Aucune attestation ne porte ce code." in missing.content.decode()
