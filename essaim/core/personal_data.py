"""Everything Essaim holds about a person: the export (GDPR articles 15 and 20) and the
erasure (article 17), and the retention jobs (docs/PERSONAL_DATA.md).

Each app that stores personal data has a `personal_data.py` module with:

    def export(user) -> dict            what it holds about the person, JSON-ready
    def anonymise(user) -> dict         strip what identifies them; keep what is counted
    def retention(now) -> dict          (optional) apply the app's retention periods

Erasure anonymises rather than deletes: a registration, an attendance, a completion stay,
attached to an account that no longer says who it was, so every aggregate stays true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.core.services import audit_log

FORMAT = "essaim-personal-data/1"
#: Addresses of anonymised accounts: a reserved domain (RFC 2606), never deliverable.
ANONYMOUS_DOMAIN = "@anonyme.invalid"


def _providers() -> Iterator[tuple[str, ModuleType]]:
    for config in apps.get_app_configs():
        name = f"{config.name}.personal_data"
        if config.name.startswith("essaim.") and name != __name__ and find_spec(name) is not None:
            yield config.label, import_module(name)


def _audit_export(user: Any) -> dict[str, Any]:
    entries = AuditEntry.objects.filter(actor=user).order_by("created_at")[:5000]
    return {
        "actions": [
            {"at": e.created_at.isoformat(), "action": e.action, "object": e.target_label, "summary": e.summary}
            for e in entries
        ]
    }


def _audit_anonymise(user: Any) -> dict[str, int]:
    """The journal keeps what was done, not by or to whom it was."""
    from essaim.training.models import Registration

    label = _("compte anonymisé")
    by_them = AuditEntry.objects.filter(actor=user).update(actor_label=label, ip_address=None)
    user_type = ContentType.objects.get_for_model(user)
    registration_type = ContentType.objects.get_for_model(Registration)
    registration_ids = [str(pk) for pk in Registration.objects.filter(user=user).values_list("pk", flat=True)]
    about_them = AuditEntry.objects.filter(
        Q(target_type=user_type, target_id=str(user.pk))
        | Q(target_type=registration_type, target_id__in=registration_ids)
    ).update(target_label=label)
    return {"entries_by_them": by_them, "entries_about_them": about_them}


def personal_data_export(*, user: Any, acting_user: Any) -> dict[str, Any]:
    """One JSON document of everything about `user`, app by app."""
    sections = {label: provider.export(user) for label, provider in _providers()}
    sections["audit_log"] = _audit_export(user)
    document = {"format": FORMAT, "generated_at": timezone.now().isoformat(), "sections": sections}
    audit_log(
        actor=acting_user,
        role="self" if acting_user == user else "programme_admin",
        action="core.personal_data.export",
        target=user,
        summary=_("Export des données personnelles"),
    )
    return document


@transaction.atomic(durable=True)
def personal_data_erase(*, user: Any, acting_user: Any) -> dict[str, Any]:
    """Anonymise `user` everywhere, in one transaction: all or nothing."""
    if not user.is_active and user.email.endswith(ANONYMOUS_DOMAIN):
        raise ServiceError(_("Ce compte est déjà anonymisé."), code="already")
    user_id = user.pk
    summary = {label: provider.anonymise(user) for label, provider in _providers()}
    summary["audit_log"] = _audit_anonymise(user)
    audit_log(
        actor=None if acting_user == user else acting_user,
        role="self" if acting_user == user else "programme_admin",
        action="core.personal_data.erase",
        target=None,
        summary=_("Compte n° %(id)s anonymisé") % {"id": user_id},
        changes=summary,
    )
    return summary


def personal_data_retention(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Apply every app's retention periods (a periodic job)."""
    now = now or timezone.now()
    report: dict[str, Any] = {
        label: provider.retention(now) for label, provider in _providers() if hasattr(provider, "retention")
    }
    cutoff = now - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    report["audit_log"] = {"entries_deleted": AuditEntry.objects.filter(created_at__lt=cutoff).delete()[0]}
    return report
