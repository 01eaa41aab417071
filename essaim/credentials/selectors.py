"""Reads: a person's credentials, verification, the status list, the learner record."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from essaim.credentials import vc
from essaim.credentials.models import Credential
from essaim.credentials.pdf import attestation_pdf
from essaim.credentials.services import normalise_code
from essaim.training.models import Completion, Session

STATUS_LABELS = {
    "valid": gettext_lazy("valide"),
    "revoked": gettext_lazy("révoquée"),
    "expired": gettext_lazy("expirée"),
    "invalid": gettext_lazy("non authentique"),
    "unknown": gettext_lazy("inconnue"),
}


def credential_list_for_user(*, user: Any) -> QuerySet[Credential]:
    return Credential.objects.filter(user=user).order_by("-issued_at")


def credential_by_code(code: str) -> Credential | None:
    normalised = normalise_code(code)
    if not normalised:
        return None
    return Credential.objects.filter(code=normalised).first()


def verify_url(code: str) -> str:
    return vc.absolute(reverse("credentials:verify-code", args=[code]))


def credential_attestation_pdf(credential: Credential) -> bytes:
    from django.conf import settings

    return attestation_pdf(
        credential.snapshot,
        code=credential.code,
        verify_url=verify_url(credential.code),
        issuer=settings.CREDENTIALS_ISSUER_NAME,
    )


def credential_json(credential: Credential) -> dict[str, Any]:
    """badge.json: the credential exactly as in the VC-JWT payload (less its JWT claims),
    with an embedded Data Integrity proof (eddsa-rdfc-2022) dated at issuance, so that a
    wallet or verifier that reads JSON-LD credentials checks it without the JWT."""
    import jwt

    from essaim.credentials.integrity import add_proof
    from essaim.credentials.vc import credential_of

    payload = jwt.decode(credential.jwt, options={"verify_signature": False})
    return add_proof(credential_of(payload), created=credential.issued_at)


def _status_list(encoding: str) -> Any:
    """The revocation list in one encoding ("jwt" or "json"), cached: both encodings live
    under one key, which a revocation drops; each is built the first time it is asked for."""
    from django.core.cache import cache
    from django.utils import timezone

    cached = cache.get(vc.STATUS_LIST_CACHE_KEY)
    if not isinstance(cached, dict):
        cached = {}
    if encoding not in cached:
        revoked = list(Credential.objects.filter(revoked_at__isnull=False).values_list("status_index", flat=True))
        build = vc.status_list_token if encoding == "jwt" else vc.status_list_document
        cached[encoding] = build(revoked, now=timezone.now())
        cache.set(vc.STATUS_LIST_CACHE_KEY, cached, vc.STATUS_LIST_CACHE_SECONDS)
    return cached[encoding]


def status_list_published() -> str:
    """The BitstringStatusListCredential of the revocations as VC-JWT (cached)."""
    token: str = _status_list("jwt")
    return token


def status_list_document_published() -> dict[str, Any]:
    """The same list as JSON-LD secured with a Data Integrity proof (cached)."""
    document: dict[str, Any] = _status_list("json")
    return document


def verify_code(code: str) -> tuple[vc.Verification, Credential | None]:
    credential = credential_by_code(code)
    if credential is None:
        return vc.Verification(status="unknown"), None
    if not credential.jwt:  # its holder had their account erased: revoked, nothing more to say
        return vc.Verification(status="revoked"), credential
    return vc.verify_token(credential.jwt), credential


def session_attestations_zip(*, session: Session) -> tuple[bytes, int]:
    """Every attestation of a session in one ZIP (bytes, number of files)."""
    credentials = Credential.objects.filter(completion__session=session).order_by("snapshot__name", "code")
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for credential in credentials:
            name = "".join(c if c.isalnum() else "-" for c in credential.snapshot.get("name", ""))
            archive.writestr(f"attestation-{name}-{credential.code}.pdf", credential_attestation_pdf(credential))
            count += 1
    return buffer.getvalue(), count


def credential_status(credential: Credential, *, now: dt.datetime | None = None) -> str:
    """valid, revoked or expired, from the database (the pages' summary; verification
    proper reads the signed credential and the published status list)."""
    if credential.revoked_at is not None:
        return "revoked"
    if credential.expires_at is not None and credential.expires_at <= (now or timezone.now()):
        return "expired"
    return "valid"


def status_label(credential: Credential, *, now: dt.datetime | None = None) -> str:
    return str(STATUS_LABELS[credential_status(credential, now=now)])


def learner_record(*, user: Any) -> dict[str, Any]:
    """'Mon parcours' as one document: competencies at the highest level reached,
    completions, practice summary, credentials. Four queries whatever the history."""
    from essaim.framework.models import Competency, Level
    from essaim.practice.models import PracticeEntry

    completions = list(
        Completion.objects.filter(user=user).select_related("course", "framework").order_by("-completed_at")
    )
    framework_ids = {c.framework_id for c in completions}
    names = {
        (framework_id, code): name
        for framework_id, code, name in Competency.objects.filter(framework_id__in=framework_ids).values_list(
            "framework_id", "code", "name"
        )
    }
    level_names = {
        (framework_id, code): name
        for framework_id, code, name in Level.objects.filter(framework_id__in=framework_ids).values_list(
            "framework_id", "code", "name"
        )
    }
    best: dict[str, dict[str, Any]] = {}
    for completion in completions:
        for outcome in completion.outcomes:
            rank = outcome.get("level_rank", 0)
            current = best.get(outcome["competency"])
            if current is None or rank > current["level_rank"]:
                best[outcome["competency"]] = {
                    "code": outcome["competency"],
                    "name": names.get((completion.framework_id, outcome["competency"]), outcome["competency"]),
                    "level": outcome["level"],
                    "level_name": level_names.get((completion.framework_id, outcome["level"]), outcome["level"]),
                    "level_rank": rank,
                }
    entries = list(PracticeEntry.objects.filter(user=user).values_list("date", "confirmed_at"))
    credentials = list(credential_list_for_user(user=user))
    return {
        "type": "EssaimLearnerRecord",
        "generated_at": timezone.now().isoformat(),
        "person": {"name": user.full_name or str(user)},
        "competencies": sorted(best.values(), key=lambda item: item["name"]),
        "completions": [
            {
                "course": c.course.title,
                "course_code": c.course.code,
                "completed_on": c.completed_at.date().isoformat(),
                "attendance_rate": c.attendance_rate,
                "framework": c.framework.title,
            }
            for c in completions
        ],
        "practice": {
            "workshops": len(entries),
            "confirmed": sum(1 for _date, confirmed in entries if confirmed),
            "last_workshop_on": max((d for d, _c in entries), default=None),
        },
        "credentials": [
            {
                "code": c.code,
                "course": c.snapshot.get("course_title", ""),
                "issued_on": c.issued_at.date().isoformat(),
                "status": credential_status(c),
                "status_label": status_label(c),
                "verify_url": verify_url(c.code),
                "jwt": c.jwt,
            }
            for c in credentials
        ],
    }


def practice_summary_label(record: dict[str, Any]) -> str:
    practice = record["practice"]
    text = ngettext(
        "%(count)d atelier animé, dont %(confirmed)d confirmé.",
        "%(count)d ateliers animés, dont %(confirmed)d confirmés.",
        practice["workshops"],
    ) % {"count": practice["workshops"], "confirmed": practice["confirmed"]}
    if practice["last_workshop_on"]:
        text += " " + _("Dernier atelier : %(date)s.") % {
            "date": formats.date_format(practice["last_workshop_on"], "DATE_FORMAT")
        }
    return str(text)
