"""`backup` and `restore` on the configured database: what was there comes back, row for row."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from essaim.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restores_exactly_what_it_held(tmp_path, capsys):
    kept = UserFactory(email="garde@exemple.gouv.fr")
    path = tmp_path / "essaim.backup"
    call_command("backup", output=path)
    manifest = json.loads((tmp_path / "essaim.backup.json").read_text())
    assert manifest["counts"]["accounts_user"] == User.objects.count()

    kept.delete()
    UserFactory(email="apres@exemple.gouv.fr")
    call_command("restore", str(path), yes=True)
    out = capsys.readouterr().out
    assert "row counts identical to the backup in every table" in out
    assert User.objects.filter(email="garde@exemple.gouv.fr").exists()
    assert not User.objects.filter(email="apres@exemple.gouv.fr").exists()


def test_restore_asks_for_confirmation_and_refuses_what_is_not_a_backup(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("restore", str(tmp_path / "absent.backup"), yes=True)
    fake = tmp_path / "other.backup"
    fake.write_bytes(b"x")
    (tmp_path / "other.backup.json").write_text(json.dumps({"vendor": "oracle", "counts": {}}))
    with pytest.raises(CommandError, match="oracle"):
        call_command("restore", str(fake), yes=True)
