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

#: A workshop is a room, not a stadium: beyond this, the number is a typing slip.
MAX_PARTICIPANTS = 500


def _checked(*, date: dt.date, title: str, method: str, participants: int) -> None:
    if date > timezone.localdate():
        raise ServiceError(_("On ne déclare que des ateliers déjà animés (date dans le futur)."))
    if date < timezone.localdate() - dt.timedelta(days=5 * 366):
        raise ServiceError(_("Cet atelier date de plus de cinq ans."))
    if not title.strip() or not method.strip():
        raise ServiceError(_("Indiquez l’intitulé et la méthode de l’atelier."))
    if participants < 1:
        raise ServiceError(_("Un atelier compte au moins un participant."))
    if participants > MAX_PARTICIPANTS:
        raise ServiceError(
            _("Un atelier compte au plus %(max)d participants : vérifiez le nombre.") % {"max": MAX_PARTICIPANTS}
        )


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
    _checked(date=date, title=title, method=method, participants=participants)
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
def practice_entry_update(
    *,
    entry: PracticeEntry,
    acting_user: Any,
    date: dt.date,
    title: str,
    method: str,
    participants: int,
    audience: str = "",
    outcome: str = "",
) -> PracticeEntry:
    """The author corrects an entry. A confirmation vouched for the old text: it is withdrawn."""
    _checked(date=date, title=title, method=method, participants=participants)
    entry = PracticeEntry.objects.select_for_update().get(pk=entry.pk)
    values = {
        "date": date,
        "title": title.strip()[:200],
        "method": method.strip()[:200],
        "audience": audience.strip()[:200],
        "participants": participants,
        "outcome": outcome.strip(),
    }
    changed = {name: [getattr(entry, name), value] for name, value in values.items() if getattr(entry, name) != value}
    if not changed:
        return entry
    for name, value in values.items():
        setattr(entry, name, value)
    entry.confirmed_by, entry.confirmed_at = None, None
    entry.save()
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, entry),
        action="practice.entry.update",
        target=entry,
        changes={name: [str(a), str(b)] for name, (a, b) in changed.items()},
    )
    return entry


@transaction.atomic(durable=True)
def practice_entry_delete(*, entry: PracticeEntry, acting_user: Any) -> None:
    label = str(entry)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, entry),
        action="practice.entry.delete",
        target=entry,
        summary=label,
    )
    PracticeEntry.objects.filter(pk=entry.pk).delete()


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
