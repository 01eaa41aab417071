"""`manage.py import_resources PATH`: valid lines imported and indexed, others reported."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from essaim.library.models import Resource
from essaim.library.selectors import resource_search
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _line(**fields):
    record = {
        "title": "La conférence de consensus",
        "summary": "Un panel de citoyens profanes.",
        "body": "<p>Deux week-ends de formation.</p>",
        "type": "method",
        "licence": "etalab-2.0",
        "language": "fr",
        "organisation": "lab-import",
        "themes": ["délibération"],
        "published": True,
    }
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False)


def test_import_reports_rejected_lines_and_imports_the_rest(tmp_path):
    OrganisationFactory(slug="lab-import", name="Laboratoire d’import")
    path = tmp_path / "ressources.jsonl"
    path.write_text(
        "\n".join(
            [
                _line(),
                _line(title="Brouillon importé", published=False),
                "{pas du json",
                _line(title=""),
                _line(title="Licence bizarre", licence="wtfpl"),
                _line(title="Type bizarre", type="podcast"),
                _line(title="Organisation inconnue", organisation="nulle-part"),
                _line(title="Publication ambiguë", published="oui"),
                _line(title="Réservé sans raison", licence="all-rights-reserved"),
                "[1, 2]",
                "",
            ]
        ),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("import_resources", str(path), stdout=out, stderr=err)
    assert "2 ressource(s) importée(s), 8 ligne(s) refusée(s)." in out.getvalue()
    errors = err.getvalue().splitlines()
    assert errors[0].startswith("ligne 3 refusée : JSON invalide")
    assert errors[1:] == [
        "ligne 4 refusée : champs obligatoires absents : title",
        "ligne 5 refusée : Licence inconnue : « wtfpl ».",
        "ligne 6 refusée : Type de ressource inconnu : « podcast ».",
        "ligne 7 refusée : organisation inconnue : « nulle-part »",
        "ligne 8 refusée : « published » doit valoir true ou false",
        "ligne 9 refusée : Une ressource « tous droits réservés » doit en donner la raison.",
        "ligne 10 refusée : une ligne doit être un objet JSON",
    ]
    assert Resource.objects.count() == 2
    published = Resource.objects.get(status=Resource.Status.PUBLISHED)
    assert published.organisation.slug == "lab-import"
    assert published.themes == ["délibération"]
    found = resource_search(user=AnonymousUser(), query="conferences consensus")
    assert [hit.resource.pk for hit in found.hits] == [published.pk]
    assert resource_search(user=AnonymousUser(), query="brouillon").total == 0


def test_import_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_resources", str(tmp_path / "absent.jsonl"))
