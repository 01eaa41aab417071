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


def test_sqlite_backup_finishes_while_another_connection_keeps_writing(tmp_path):
    """The online backup used to copy 4,096 pages at a time and start over after every
    write from another connection: on a database larger than that, written to steadily,
    it never finished."""
    import sqlite3
    import threading
    import time

    from django.db import connection

    from essaim.core.backup import database_backup
    from essaim.core.models import AuditEntry

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite online backup API")
    blob = "x" * 4000
    AuditEntry.objects.bulk_create(
        [AuditEntry(action="test.padding", changes={"blob": blob}) for _ in range(5000)], batch_size=500
    )  # ~20 MB: more than 4,096 pages of 4 KB
    stop = threading.Event()
    writes = [0]

    def writer() -> None:
        conn = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS outage_writes (x INTEGER)")
        started = time.perf_counter()
        while not stop.is_set() and time.perf_counter() - started < 20:
            conn.execute("INSERT INTO outage_writes (x) VALUES (1)")
            writes[0] += 1
            time.sleep(0.01)
        conn.execute("DROP TABLE outage_writes")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while writes[0] < 5:
            time.sleep(0.01)
        writes_before = writes[0]
        report = database_backup(destination=tmp_path / "busy.sqlite3")
        writes_during = writes[0]
    finally:
        stop.set()
        thread.join()
    assert report.seconds < 10
    assert writes_during > writes_before  # the writer kept writing during the backup
    assert report.counts["core_auditentry"] == AuditEntry.objects.count()
