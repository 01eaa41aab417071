"""The outbox's own behaviour: what programme admins see of it (/healthz, /metrics), what
a delivery does with a task that fails, and the nightly purge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from essaim.core.models import OutboxMessage
from essaim.core.outbox import outbox_enqueue, outbox_purge, outbox_relay, outbox_retry
from essaim.core.tasks import send_email

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxMessage.Status


def _mail(to: str = "personne@exemple.gouv.fr", **extra) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(task=send_email, kwargs={"subject": "Objet", "body": "Texte", "to": [to]}, **extra)


def _fail_for_good(smtp_server, address: str) -> OutboxMessage:
    smtp_server.answer, smtp_server.refusals_left = "550 5.1.1 Unknown mailbox", -1
    message = _mail(address)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    return message


def test_a_message_runs_its_task_on_its_queue_and_is_marked_sent(smtp_server):
    message = _mail()
    message.refresh_from_db()
    assert message.queue == "mail" and message.task == "essaim.core.tasks.send_email"
    assert message.status == Status.SENT and message.done_at and message.attempts == 1
    assert smtp_server.to() == ["personne@exemple.gouv.fr"]


def test_a_sensitive_message_forgets_its_content_once_sent(smtp_server):
    message = _mail(sensitive=True)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.kwargs == {}
    assert smtp_server.received[0].get_content().strip() == "Texte"


def test_healthz_shows_depth_to_the_metrics_token_and_dead_letters_to_programme_admins(
    client, settings, smtp_server, programme_admin, agent
):
    settings.METRICS_TOKEN = "jeton-de-supervision"
    _fail_for_good(smtp_server, "inconnu@exemple.gouv.fr")
    assert client.get("/healthz").json() == {"status": "ok"}  # anonymous: the status alone
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer jeton-de-supervision").json()
    outbox = body["checks"]["outbox"]
    assert outbox["failed"] == 1 and outbox["pending"] == 0
    assert "recent_failures" not in outbox  # the operators' token: figures, no addresses
    client.force_login(agent)
    assert client.get("/healthz").json() == {"status": "ok"}
    client.force_login(programme_admin)
    (failure,) = client.get("/healthz").json()["checks"]["outbox"]["recent_failures"]
    assert failure["task"] == "essaim.core.tasks.send_email" and failure["error"].startswith("SMTP 550")


def test_healthz_degrades_when_a_due_message_waits_too_long(client, settings, smtp_server):
    settings.METRICS_TOKEN = "jeton-de-supervision"
    with transaction.atomic():
        message = outbox_enqueue(task=send_email, kwargs={"subject": "s", "body": "b", "to": ["a@exemple.gouv.fr"]})
    # As if no worker had run for five minutes.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.PENDING, available_at=timezone.now() - dt.timedelta(minutes=5)
    )
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer jeton-de-supervision").json()
    assert body["status"] == "degraded" and body["checks"]["outbox"]["status"] == "error"
    assert client.get("/healthz").json() == {"status": "degraded"}
    assert client.get("/healthz").status_code == 200  # the database is fine: still serving


def test_metrics_count_undelivered_messages_by_queue_and_status(client, settings, smtp_server):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    _fail_for_good(smtp_server, "inconnu@exemple.gouv.fr")
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").content.decode()
    assert 'essaim_outbox_messages{queue="mail",status="failed"} 1.0' in text
    assert "essaim_outbox_oldest_pending_seconds 0.0" in text
    assert "inconnu@" not in text


def test_a_failed_message_retried_by_an_admin_is_delivered(smtp_server):
    message = _fail_for_good(smtp_server, "revenu@exemple.gouv.fr")
    smtp_server.answer = "250 OK"
    assert outbox_retry(message=message, acting_user=None)
    message.refresh_from_db()
    assert message.status == Status.SENT and smtp_server.to() == ["revenu@exemple.gouv.fr"]


def test_a_task_that_raises_is_retried_then_dead_lettered_with_its_reason(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with transaction.atomic():
        message = outbox_enqueue(task=send_email, kwargs={"subject": "s", "body": "b", "to": "pas une liste"})
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 1 and message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - dt.timedelta(hours=1))
    outbox_relay(queues=["mail"])
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 2
    assert message.last_error.startswith("TypeError")


def test_purge_drops_old_delivered_messages_and_keeps_dead_letters(smtp_server, settings):
    settings.OUTBOX_KEEP_DAYS = 30
    sent = _mail()
    failed = _fail_for_good(smtp_server, "inconnu@exemple.gouv.fr")
    OutboxMessage.objects.update(done_at=timezone.now() - dt.timedelta(days=31))
    with transaction.atomic():
        secret = outbox_enqueue(
            task=send_email, kwargs={"subject": "s", "body": "lien", "to": ["x@y.fr"]}, sensitive=True
        )
    OutboxMessage.objects.filter(pk=secret.pk).update(done_at=timezone.now() - dt.timedelta(days=31))
    assert OutboxMessage.objects.get(pk=secret.pk).status == Status.FAILED
    assert outbox_purge() == 2
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [failed.pk]
    assert sent.pk != failed.pk


def test_a_programme_admin_retries_a_dead_letter_from_the_admin_and_it_is_audited(client, smtp_server, programme_admin):
    from essaim.core.models import AuditEntry

    message = _fail_for_good(smtp_server, "corrige@exemple.gouv.fr")
    smtp_server.answer = "250 OK"
    client.force_login(programme_admin)
    url = "/admin/core/outboxmessage/"
    page = client.get(url).content.decode()
    assert "SMTP 550" in page  # the reason, in the list
    response = client.post(url, {"action": "retry", "_selected_action": [message.pk]}, follow=True)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Status.SENT and smtp_server.to() == ["corrige@exemple.gouv.fr"]
    assert AuditEntry.objects.filter(action="core.outbox.retry", actor=programme_admin).count() == 1
