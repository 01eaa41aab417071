from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from essaim.framework.models import FrameworkVersion
from essaim.framework.services import framework_export_csv, framework_import
from tests.framework.conftest import make_document

pytestmark = pytest.mark.django_db


def test_load_framework_imports_json_as_a_draft_or_published(tmp_path, capsys):
    path = tmp_path / "referentiel.json"
    path.write_text(json.dumps(make_document()), encoding="utf-8")
    call_command("load_framework", str(path))
    assert "2030.1 imported as a draft" in capsys.readouterr().out
    assert not FrameworkVersion.objects.get(version="2030.1").is_frozen

    call_command("load_framework", str(path), "--publish", "--framework-version", "2030.2")
    assert "2030.2 published" in capsys.readouterr().out
    assert FrameworkVersion.objects.get(version="2030.2").is_frozen


def test_load_framework_imports_csv(tmp_path):
    source = framework_import(data=make_document(), acting_user=None)
    path = tmp_path / "referentiel.csv"
    path.write_text(framework_export_csv(framework=source), encoding="utf-8")
    with pytest.raises(CommandError, match="needs --framework-version and --title"):
        call_command("load_framework", str(path))
    call_command("load_framework", str(path), "--framework-version", "2031.1", "--title", "CSV", "--publish")
    assert FrameworkVersion.objects.get(version="2031.1").competencies.count() == 6


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.json", "{", "Le fichier JSON est illisible"),
        ("dup.json", json.dumps({**make_document(), "levels": []}), "le niveau « decouvrir » des descripteurs"),
        ("ref.txt", "x", "expected a .json or .csv file"),
    ],
)
def test_load_framework_explains_bad_input(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_framework", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_framework", str(tmp_path / "absent.json"))
    assert not FrameworkVersion.objects.exists()


def test_load_framework_seed_is_idempotent(capsys):
    call_command("load_framework", "--seed")
    call_command("load_framework", "--seed")
    out = capsys.readouterr().out
    assert "2026.1: loaded and published" in out and "2026.1: already present" in out
    assert FrameworkVersion.objects.count() == 1


def test_admin_shows_the_framework_read_only(client, programme_admin, published):
    client.force_login(programme_admin)
    for model in ["frameworkversion", "level", "competency", "leveldescriptor"]:
        assert client.get(reverse(f"admin:framework_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:framework_{model}_add")).status_code == 403
    change = client.get(reverse("admin:framework_frameworkversion_change", args=[published.pk]))
    assert change.status_code == 200 and 'type="submit"' not in change.content.decode().split("<form")[-1]


def test_permission_rules(agent, programme_admin, draft):
    from django.contrib.auth.models import AnonymousUser

    for perm in ["framework.view_draft", "framework.import_framework", "framework.publish_framework"]:
        assert programme_admin.has_perm(perm, draft)
        assert not agent.has_perm(perm, draft)
        assert not AnonymousUser().has_perm(perm, draft)
