"""Reads: where the e-mails to a session's registrants stand (sent, being retried, failed
and why), from the outbox (core/outbox.py). Two queries whatever the number of messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from essaim.core.models import OutboxMessage
from essaim.training.models import Registration, Session, SessionMessage

Status = OutboxMessage.Status


@dataclass
class Trouble:
    """One e-mail that did not go out (yet): whom it was for, what happened."""

    person: str
    reason: str
    failed: bool


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    waiting: int = 0
    failed: int = 0
    troubles: list[Trouble] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.waiting + self.failed


def _plain_reason(message: OutboxMessage) -> str:
    """The outbox's technical reason in an organiser's words, the code kept in brackets."""
    error = message.last_error
    code = error.split()[1] if error.startswith("SMTP ") and len(error.split()) > 1 else ""
    if message.status == Status.FAILED:
        if code.startswith("5"):
            text = _("adresse refusée par le serveur de messagerie")
        else:
            text = _("abandonné après %(attempts)d tentatives") % {"attempts": message.attempts}
    else:
        when = time_format(timezone.localtime(message.available_at), "H\u00a0\\h\u00a0i")
        if code.startswith("4") or "Connection" in error or "SMTP" in error:
            text = _("serveur de messagerie indisponible, nouvel essai vers %(time)s") % {"time": when}
        else:
            text = _("nouvel essai vers %(time)s") % {"time": when}
    return f"{text} ({error[:120]})" if error else text


def _registration_id(ref: str) -> int | None:
    prefix = "training.registration:"
    return int(ref.removeprefix(prefix)) if ref.startswith(prefix) and ref[len(prefix) :].isdigit() else None


def _deliveries(topics: dict[str, Any]) -> dict[Any, Delivery]:
    found: dict[Any, Delivery] = {key: Delivery() for key in topics.values()}
    counts = (
        OutboxMessage.objects.filter(topic__in=list(topics))
        .values("topic")
        .annotate(
            sent=Count("pk", filter=Q(status=Status.SENT)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
            retrying=Count("pk", filter=Q(status=Status.PENDING, attempts__gt=0)),
            waiting=Count("pk", filter=Q(status=Status.PENDING, attempts=0)),
        )
    )
    for row in counts:
        delivery = found[topics[row["topic"]]]
        delivery.sent, delivery.failed = row["sent"], row["failed"]
        delivery.retrying, delivery.waiting = row["retrying"], row["waiting"]
    troubled = list(
        OutboxMessage.objects.filter(topic__in=list(topics))
        .filter(Q(status=Status.FAILED) | Q(status=Status.PENDING, attempts__gt=0))
        .order_by("pk")[:200]
    )
    wanted = [_registration_id(m.ref) for m in troubled]
    people = {
        r.pk: r.user.get_full_name() or r.user.email
        for r in Registration.objects.select_related("user").filter(pk__in=[pk for pk in wanted if pk])
    }
    for message in troubled:
        person = people.get(_registration_id(message.ref) or 0, _("personne inconnue"))
        found[topics[message.topic]].troubles.append(
            Trouble(person=person, reason=_plain_reason(message), failed=message.status == Status.FAILED)
        )
    return found


def session_deliveries(*, session: Session, messages: list[SessionMessage]) -> tuple[dict[int, Delivery], Delivery]:
    """How the e-mails of each organiser's message stand (one per registrant), and those of
    the automatic e-mails about the session's registrations (confirmations, offers…)."""
    topics: dict[str, Any] = {f"training.sessionmessage:{m.pk}": m.pk for m in messages}
    topics[f"training.session:{session.pk}"] = "automatic"
    found = _deliveries(topics)
    automatic = found.pop("automatic")
    return found, automatic
