"""Hostile files through the real pages, not only the validator: every case of
tests/library/test_uploads.py::HOSTILE (executables, archives, macro formats, polyglots,
zip bombs, XML entity bombs, SVG with script…) and of tests/security/hostile_corpus.py
(escaped and compressed PDF actions, OOXML/ODF relationships and embedded parts, SVG
animation, broken archives and images) is refused on the contribution page and on
the edit page, with the translated message, and nothing is stored: no file in the storage,
no Resource or ResourceFile row. The framework import (the other upload, programme admins
only) refuses what is not UTF-8 JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from essaim.core.exceptions import ServiceError
from essaim.framework.models import FrameworkVersion
from essaim.library.models import Resource, ResourceFile
from essaim.library.services import ResourceData, resource_create
from essaim.library.uploads import inspect_upload
from tests.library.test_uploads import HOSTILE as HOSTILE_BASIC
from tests.security.hostile_corpus import HOSTILE_MORE, LEGITIMATE

HOSTILE = {**HOSTILE_BASIC, **HOSTILE_MORE}

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Fiche piégée",
    "summary": "Un fichier hostile.",
    "type": "method",
    "audience": "all",
    "language": "fr",
    "licence": "etalab-2.0",
    "visibility": "public",
}


def _stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _refusal_in(response, expected_fragment: str) -> bool:
    return response.status_code == 400 and expected_fragment in response.content.decode()


def test_the_hostile_corpus_has_at_least_sixty_cases():
    assert len(HOSTILE) >= 60


@pytest.mark.parametrize("case", list(HOSTILE_MORE), ids=list(HOSTILE_MORE))
def test_the_validator_refuses_each_case_with_its_reason(case):
    name, data, fragment = HOSTILE_MORE[case]
    with pytest.raises(ServiceError) as refused:
        inspect_upload(name, data)
    assert fragment in refused.value.message
    assert name in refused.value.message


@pytest.mark.parametrize("case", list(LEGITIMATE), ids=list(LEGITIMATE))
def test_legitimate_documents_that_look_alike_are_accepted_on_the_contribution_page(client, agent, case):
    name, data = LEGITIMATE[case]
    client.force_login(agent)
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse("library:submit"), {**FORM, "documents": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ResourceFile.objects.count() == 1


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_contribution_is_refused_and_nothing_is_stored(client, agent, settings, case):
    name, data, fragment = HOSTILE[case]
    client.force_login(agent)
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse("library:submit"), {**FORM, "documents": upload})
    assert _refusal_in(response, fragment), response.status_code
    assert not Resource.objects.exists()
    assert not ResourceFile.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_file_added_on_edit_is_refused_and_nothing_is_stored(client, agent, settings, case):
    resource = resource_create(data=ResourceData(title="Ma fiche", summary="Propre."), acting_user=agent)
    versions = resource.versions.count()
    name, data, fragment = HOSTILE[case]
    client.force_login(agent)
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse("library:edit", args=[resource.pk]), {**FORM, "documents": upload})
    assert _refusal_in(response, fragment), response.status_code
    assert not ResourceFile.objects.exists()
    assert resource.versions.count() == versions
    assert _stored_files(settings) == []


def test_the_refusal_is_translated(client, agent, settings):
    name, data, _fragment = HOSTILE["Windows executable renamed .pdf"]
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    agent.preferred_language = "en"
    agent.save(update_fields=["preferred_language"])
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    response = client.post(reverse("library:submit"), {**FORM, "documents": upload})
    with translation.override("en"):
        expected = translation.gettext("« %(name)s » est un programme exécutable ou un script : refusé.") % {
            "name": name
        }
    assert expected != "« facture.pdf » est un programme exécutable ou un script : refusé."
    assert response.status_code == 400
    assert expected.replace("’", "&#x27;") in response.content.decode() or expected in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("referentiel.json", b"MZ\x90\x00" + b"\x00" * 200),
        ("referentiel.csv", b"\xff\xfe\x00\x00not utf-8 \xc3\x28"),
        ("referentiel.exe", b'{"version": "x"}'),
        ("referentiel.json", b'{"a": ' * 10000),
    ],
    ids=["executable as json", "not utf-8", "wrong extension", "deeply nested json"],
)
def test_framework_import_refuses_hostile_files(client, programme_admin, name, data):
    client.force_login(programme_admin)
    response = client.post(reverse("framework:import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 400)
    assert 'class="fr-error-text"' in response.content.decode() or "fr-alert--error" in response.content.decode()
    assert not FrameworkVersion.objects.exists()
