"""Writes: issue a credential for a completion, revoke it, rotate the signing key."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log
from essaim.credentials import keys, vc
from essaim.credentials.models import Credential, SigningKey
from essaim.framework.models import Competency, Level
from essaim.training.models import Completion, SessionSlot

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud and typed safely


def new_code() -> str:
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3)]
    return "ESS-" + "-".join(groups)


def normalise_code(raw: str) -> str:
    """'ess 7k2m-…' → 'ESS-7K2M-…': what people type back from paper."""
    chars = "".join(c for c in raw.upper() if c.isalnum())
    if chars.startswith("ESS"):
        chars = chars[3:]
    if len(chars) != 12:
        return ""
    return "ESS-" + "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def _date_label(value: dt.datetime) -> str:
    with translation.override("fr"):
        return str(formats.date_format(timezone.localtime(value), "j F Y"))


def completion_snapshot(completion: Completion, *, issued_at: dt.datetime) -> dict[str, Any]:
    """What the attestation and the badge state, read once from the completion."""
    session = completion.session
    course = completion.course
    span = SessionSlot.objects.filter(session=session).aggregate(start=Min("starts_at"), end=Max("ends_at"))
    slots = SessionSlot.objects.filter(session=session).values_list("starts_at", "ends_at")
    seconds = sum((end - start).total_seconds() for start, end in slots)
    start = span["start"] or completion.completed_at
    end = span["end"] or completion.completed_at
    codes = [o["competency"] for o in completion.outcomes]
    competencies = dict(
        Competency.objects.filter(framework_id=completion.framework_id, code__in=codes).values_list("code", "name")
    )
    levels = dict(Level.objects.filter(framework_id=completion.framework_id).values_list("code", "name"))
    hours = round(seconds / 3600, 1)
    return {
        "kind": Credential.Kind.TRAINER if course.is_trainer_track else Credential.Kind.COMPLETION,
        "name": completion.user.full_name or completion.user.email.split("@")[0],
        "course_code": course.code,
        "course_title": course.title,
        "course_summary": course.summary,
        "threshold": course.completion_threshold,
        "framework": completion.framework.title,
        "organiser": str(session.organiser),
        "start_date": timezone.localtime(start).date().isoformat(),
        "end_date": timezone.localtime(end).date().isoformat(),
        "start_at": vc.iso_datetime(start),
        "end_at": vc.iso_datetime(end),
        "start_label": _date_label(start),
        "end_label": _date_label(end),
        "issued_label": _date_label(issued_at),
        "hours": int(hours) if hours == int(hours) else hours,
        "outcomes": [
            {
                "competency": o["competency"],
                "competency_name": competencies.get(o["competency"], o["competency"]),
                "level": o["level"],
                "level_name": levels.get(o["level"], o["level"]),
                "level_rank": o.get("level_rank", 0),
            }
            for o in completion.outcomes
        ],
    }


@transaction.atomic(durable=True)
def credential_issue(*, completion: Completion) -> Credential:
    """Issue the attestation and badge of a completion; once only (a second call returns
    the first credential: the database holds one per completion)."""
    existing = Credential.objects.filter(completion_id=completion.pk).first()
    if existing is not None:
        return existing
    completion = Completion.objects.select_related("user", "course", "session__organiser", "framework").get(
        pk=completion.pk
    )
    issued_at = timezone.now()
    days = settings.CREDENTIALS_VALIDITY_DAYS
    expires_at = issued_at + dt.timedelta(days=days) if days else None
    snapshot = completion_snapshot(completion, issued_at=issued_at)
    for _attempt in range(8):
        credential = Credential(
            completion=completion,
            user=completion.user,
            kind=snapshot["kind"],
            code=new_code(),
            status_index=secrets.randbelow(vc.STATUS_LIST_BITS),
            snapshot=snapshot,
            issued_at=issued_at,
            expires_at=expires_at,
        )
        payload = vc.build_credential(
            credential_id=str(credential.pk),
            code=credential.code,
            status_index=credential.status_index,
            snapshot=snapshot,
            email=completion.user.email,
            subject_id=vc.subject_identifier(completion.user_id),
            issued_at=issued_at,
            expires_at=expires_at,
        )
        credential.kid, credential.jwt = vc.sign(payload, issued_at=issued_at, expires_at=expires_at)
        try:
            with transaction.atomic():
                credential.save(force_insert=True)
            break
        except IntegrityError:
            concurrent = Credential.objects.filter(completion_id=completion.pk).first()
            if concurrent is not None:  # issued meanwhile by another worker
                return concurrent
            continue  # a random code or status index already taken (rare): draw again
    else:  # pragma: no cover - eight collisions in a row
        raise ServiceError(_("Impossible d’attribuer un code de vérification unique."))
    audit_log(
        actor=None,
        role="system",
        action="credentials.credential.issue",
        target=credential,
        summary=_("Attestation délivrée : %(course)s") % {"course": snapshot["course_title"]},
        changes={"completion": completion.pk, "kid": credential.kid},
    )
    return credential


def credentials_issue_on_commit(completion_ids: list[int]) -> None:
    """Queue the issuance of these completions' credentials once the transaction commits."""
    if not completion_ids:
        return
    from essaim.credentials.tasks import issue_credentials

    outbox_enqueue(task=issue_credentials, kwargs={"completion_ids": list(completion_ids)})


def _drop_status_list_cache() -> None:
    from django.core.cache import cache

    cache.delete(vc.STATUS_LIST_CACHE_KEY)


def credentials_issue_missing(*, limit: int = 500) -> int:
    """Backup for the on-commit task: issue the credentials of completions that have none."""
    issued = 0
    for completion in Completion.objects.filter(credential__isnull=True).order_by("pk")[:limit]:
        credential_issue(completion=completion)
        issued += 1
    return issued


@transaction.atomic(durable=True)
def credential_revoke(*, credential: Credential, reason: str, acting_user: Any) -> Credential:
    """Revoke a credential; the status list publishes it at once."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Indiquez le motif de la révocation."))
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if credential.revoked_at is not None:
        raise ServiceError(_("Cette attestation est déjà révoquée."))
    credential.revoked_at = timezone.now()
    credential.revoked_by = acting_user
    credential.revocation_reason = reason[:2000]
    credential.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _drop_status_list_cache()
    transaction.on_commit(_drop_status_list_cache)
    audit_log(
        actor=acting_user,
        role="programme_admin",
        action="credentials.credential.revoke",
        target=credential,
        summary=_("Attestation révoquée : %(code)s") % {"code": credential.code},
        changes={"reason": credential.revocation_reason, "status_index": credential.status_index},
    )
    return credential


@transaction.atomic(durable=True)
def signing_key_rotate(*, acting_user: Any = None) -> SigningKey:
    """A new key signs from now on; the previous ones stay in the JWKS, so what they
    signed still verifies."""
    if settings.CREDENTIALS_SIGNING_KEY:
        raise ServiceError(
            _("La clé est fournie par CREDENTIALS_SIGNING_KEY : changez la variable pour changer de clé.")
        )
    previous = SigningKey.objects.filter(is_current=True).values_list("kid", flat=True).first()
    kid, key = keys.generate_key_file()
    row = keys.register_current(kid, key)
    _drop_status_list_cache()  # the list is re-signed by the new key
    transaction.on_commit(_drop_status_list_cache)
    audit_log(
        actor=acting_user,
        role="programme_admin" if acting_user else "system",
        action="credentials.key.rotate",
        target=row,
        summary=_("Nouvelle clé de signature des attestations"),
        changes={"previous": previous or "", "current": kid},
    )
    return row


@transaction.atomic(durable=True)
def signing_key_retire(*, kid: str, acting_user: Any = None) -> SigningKey:
    """Withdraw a key from the JWKS (e.g. compromised): what it signed no longer verifies."""
    row = SigningKey.objects.select_for_update().filter(kid=kid).first()
    if row is None:
        raise ServiceError(_("Clé inconnue : %(kid)s") % {"kid": kid})
    if row.is_current:
        raise ServiceError(_("On ne retire pas la clé qui signe : faites d’abord une rotation."))
    row.retired_at = timezone.now()
    row.save(update_fields=["retired_at"])
    _drop_status_list_cache()
    transaction.on_commit(_drop_status_list_cache)
    audit_log(
        actor=acting_user,
        role="programme_admin" if acting_user else "system",
        action="credentials.key.retire",
        target=row,
        summary=_("Clé de signature retirée : %(kid)s") % {"kid": kid},
    )
    return row
