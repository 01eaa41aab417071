"""Worker queues (core/queues.py) and the read replica router (core/db_router.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from huey.contrib.djhuey import db_task

from essaim.accounts.models import User
from essaim.core.queues import queue_of
from essaim.credentials.tasks import issue_credentials
from essaim.reporting.models import SessionFigures
from essaim.reporting.tasks import publish_open_data
from essaim.training.models import Registration, Session
from essaim.training.tasks import notify_registration, offer_freed_seats, sweep_waiting_lists

ROOT = Path(__file__).resolve().parents[2]


def test_each_task_is_routed_to_its_queue():
    from essaim.core.tasks import send_email

    assert [queue_of(t) for t in (send_email, notify_registration)] == ["mail", "mail"]
    assert [queue_of(t) for t in (offer_freed_seats, sweep_waiting_lists)] == ["booking", "booking"]
    assert [queue_of(t) for t in (publish_open_data, issue_credentials)] == ["reports", "reports"]


def test_a_task_declared_with_djhuey_still_runs_on_the_default_queue():
    ran = []

    @db_task()
    def plain_task(value: int) -> None:
        ran.append(value)

    assert queue_of(plain_task) == "default"
    plain_task(7)  # immediate in tests, as in every other test of a task
    assert ran == [7]


@pytest.mark.django_db
def test_healthz_reports_the_pending_tasks_of_every_queue(client, settings):
    settings.METRICS_TOKEN = "jeton-de-supervision"
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer jeton-de-supervision").json()
    assert body["checks"]["queue"]["queues"] == {"default": 0, "mail": 0, "booking": 0, "reports": 0}


def test_without_a_replica_every_read_is_on_the_primary():
    assert SessionFigures.objects.all().db == "default"
    assert Session.objects.all().db == "default"


def test_with_a_replica_seats_and_accounts_stay_on_the_primary(settings):
    settings.DATABASE_REPLICA_URL = "postgres://replica.example/essaim"
    settings.DATABASE_REPLICA_APPS = ["reporting", "training"]  # even if someone lists training
    assert Session.objects.all().db == "default"
    assert Registration.objects.all().db == "default"
    assert User.objects.all().db == "default"
    assert SessionFigures.objects.all().db == "replica"  # dashboards tolerate lag


@pytest.mark.django_db
def test_with_a_replica_reads_inside_a_transaction_stay_on_the_primary(settings):
    settings.DATABASE_REPLICA_URL = "postgres://replica.example/essaim"
    with transaction.atomic():  # a service reading what it will write reads the primary
        assert SessionFigures.objects.all().db == "default"


def test_settings_refuse_a_replica_for_registrations():
    env = {**os.environ, "DATABASE_REPLICA_URL": "postgres://replica.example/x", "DATABASE_REPLICA_APPS": "training"}
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "never read from a replica" in proc.stderr
