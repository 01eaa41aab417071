"""Writes to the practice log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log
from essaim.practice.models import PracticeEntry


@transaction.atomic(durable=True)
def practice_entry_create(
    *,
    user: Any,
    acting_user: Any,
    date: dt.date,
    title: str,
    method: str,
    participants: int,
    audience: str = "",
    outcome: str = "",
) -> PracticeEntry:
    if date > timezone.localdate():
        raise ServiceError(_("On ne déclare que des ateliers déjà animés (date dans le futur)."))
    if date < timezone.localdate() - dt.timedelta(days=5 * 366):
        raise ServiceError(_("Cet atelier date de plus de cinq ans."))
    if not title.strip() or not method.strip():
        raise ServiceError(_("Indiquez l’intitulé et la méthode de l’atelier."))
    if participants < 1:
        raise ServiceError(_("Un atelier compte au moins un participant."))
    entry = PracticeEntry.objects.create(
        user=user,
        date=date,
        title=title.strip()[:200],
        method=method.strip()[:200],
        audience=audience.strip()[:200],
        participants=participants,
        outcome=outcome.strip(),
    )
    audit_log(actor=acting_user, role=acting_role(acting_user, entry), action="practice.entry.create", target=entry)
    return entry


@transaction.atomic(durable=True)
def practice_entry_confirm(*, entry: PracticeEntry, acting_user: Any) -> PracticeEntry:
    """A trainer or organiser vouches for an entry (not the person themself)."""
    if entry.user_id == getattr(acting_user, "pk", None):
        raise ServiceError(_("On ne confirme pas son propre atelier."))
    entry = PracticeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_at is None:
        entry.confirmed_by = acting_user
        entry.confirmed_at = timezone.now()
        entry.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_log(
            actor=acting_user,
            role=acting_role(acting_user, entry.user),
            action="practice.entry.confirm",
            target=entry,
        )
    return entry
