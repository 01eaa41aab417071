"""Writes of the network: directory consent and profile, contact, trainer track."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts.models import Role
from essaim.accounts.rules import acting_role
from essaim.accounts.services import role_grant
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log, model_changes, snapshot
from essaim.core.validators import check_single_line
from essaim.framework.models import Competency
from essaim.network.models import (
    NEVER,
    Availability,
    CoFacilitation,
    ContactMessage,
    DirectoryProfile,
    DirectorySkill,
    TrainerCertification,
)
from essaim.organisations.models import Organisation, ministry_id_of
from essaim.practice.models import PracticeEntry
from essaim.training.models import Completion, Session

PROFILE_FIELDS = ["consent", "availability", "languages", "bio"]


# Directory ------------------------------------------------------------------------------
def _place_of(user: Any) -> tuple[str | None, str | None, int | None]:
    """Region, département and ministry (None outside any ministry) of a person."""
    org = Organisation.objects.filter(pk=user.organisation_id).only("region_id", "departement_id", "path").first()
    if org is None:
        return user.region_id, None, None
    return org.region_id or user.region_id, org.departement_id, ministry_id_of(org)


def _skills_of(user: Any) -> dict[str, int]:
    """Best level rank per competency code across the person's completions, less those
    whose credential was revoked: a revoked attestation no longer vouches for its skills.
    (A completion whose credential is not issued yet still counts: issuance follows it.)"""
    best: dict[str, int] = {}
    completions = Completion.objects.filter(user=user).exclude(credential__revoked_at__isnull=False)
    for outcomes in completions.values_list("outcomes", flat=True):
        for outcome in outcomes or []:
            code, rank = outcome.get("competency"), int(outcome.get("level_rank") or 0)
            if code and rank > best.get(code, 0):
                best[code] = rank
    return best


def _refresh(profile: DirectoryProfile) -> None:
    """Rewrite the copies the search reads. Not audited: it only mirrors other records."""
    user = profile.user
    profile.region_id, profile.departement_id, profile.ministry_id = _place_of(user)
    profile.practice_count = PracticeEntry.objects.filter(user=user).count()
    profile.refreshed_at = timezone.now()
    profile.save(update_fields=["region", "departement", "ministry", "practice_count", "refreshed_at", "updated_at"])
    DirectorySkill.objects.filter(profile=profile).delete()
    if not profile.consent:
        return
    skills = _skills_of(user)
    names = dict(
        Competency.objects.filter(code__in=list(skills))
        .order_by("code", "-framework__published_at")
        .values_list("code", "name")
        .distinct()
    )
    DirectorySkill.objects.bulk_create(
        DirectorySkill(
            profile=profile,
            competency_code=code,
            competency_name=names.get(code, code)[:200],
            level_rank=rank,
            region_id_copy=profile.region_id or "",
            departement_id_copy=profile.departement_id or "",
            ministry_id_copy=profile.ministry_id,
            availability=profile.availability,
            practice_count=profile.practice_count,
            last_invited_at=profile.last_invited_at or NEVER,
        )
        for code, rank in skills.items()
    )


def directory_profile_refresh_nested(*, user: Any) -> None:
    """Refresh inside the caller's transaction (after a completion, a practice entry…)."""
    profile = DirectoryProfile.objects.select_related("user").filter(user=user).first()
    if profile is not None:
        _refresh(profile)


@transaction.atomic(durable=True)
def directory_profile_refresh(*, user: Any) -> None:
    directory_profile_refresh_nested(user=user)


@transaction.atomic(durable=True)
def directory_profile_update(
    *,
    user: Any,
    acting_user: Any,
    consent: bool,
    availability: str = Availability.AVAILABLE,
    languages: str = "",
    bio: str = "",
) -> DirectoryProfile:
    """Create or change one's directory entry. Withdrawing consent hides the person at
    once: their skill rows, which every search and matching reads, are deleted here."""
    if availability not in Availability.values:
        raise ServiceError(_("Disponibilité inconnue."))
    if len(bio) > 600:
        raise ServiceError(_("La présentation tient en 600 caractères au plus."))
    profile, _created = DirectoryProfile.objects.select_for_update().get_or_create(user=user)
    profile.user = user
    before = snapshot(profile, PROFILE_FIELDS)
    if consent and not profile.consent:
        profile.consented_at = timezone.now()
    if not consent:
        profile.consented_at = None
    profile.consent = consent
    profile.availability = availability
    profile.languages = languages.strip()[:100]
    profile.bio = bio.strip()
    profile.save()
    _refresh(profile)
    changes = model_changes(profile, before=before, fields=PROFILE_FIELDS)
    if changes:
        action = "network.profile.update"
        if "consent" in changes:
            action = "network.consent.give" if consent else "network.consent.withdraw"
        audit_log(
            actor=acting_user, role=acting_role(acting_user, user), action=action, target=profile, changes=changes
        )
    return profile


@transaction.atomic(durable=True)
def contact_message_send(
    *, sender: Any, recipient_profile: DirectoryProfile, subject: str, body: str
) -> ContactMessage:
    """E-mail a directory member through the platform, within a daily limit per sender."""
    # Read again: consent withdrawn a second ago must already stop the message.
    listed = DirectoryProfile.objects.listed().filter(pk=recipient_profile.pk).select_related("user").first()
    if listed is None:
        raise ServiceError(_("Cette personne ne figure plus dans l’annuaire."), code="not_listed")
    if listed.user_id == sender.pk:
        raise ServiceError(_("Vous ne pouvez pas vous écrire à vous-même."), code="self")
    subject, body = check_single_line(subject.strip()), body.strip()
    if not subject or not body:
        raise ServiceError(_("Indiquez un objet et un message."), code="empty")
    limit = settings.NETWORK_CONTACT_DAILY_LIMIT
    since = timezone.now() - dt.timedelta(days=1)
    if ContactMessage.objects.filter(sender=sender, created_at__gte=since).count() >= limit:
        raise ServiceError(
            _(
                "Vous avez déjà envoyé %(limit)d messages ces dernières 24 heures : "
                "réessayez demain. Cette limite protège les personnes de l’annuaire."
            )
            % {"limit": limit},
            code="rate_limited",
        )
    message = ContactMessage.objects.create(
        sender=sender, recipient=listed.user, subject=subject[:150], body=body[:3000]
    )
    audit_log(actor=sender, role="agent", action="network.contact.send", target=message)
    from essaim.network.tasks import send_contact_message

    outbox_enqueue(
        task=send_contact_message, kwargs={"message_id": message.pk}, ref=f"network.contactmessage:{message.pk}"
    )
    return message


# Trainer track --------------------------------------------------------------------------
def _is_experienced_trainer(user: Any) -> bool:
    return user.role_assignments.active().filter(role=Role.TRAINER).exists()


@transaction.atomic(durable=True)
def cofacilitation_declare(*, trainee: Any, session: Session, mentor: Any) -> CoFacilitation:
    """A trainee records a session they co-facilitated; the mentor confirms it."""
    if mentor.pk == trainee.pk:
        raise ServiceError(_("Votre mentor est une autre personne que vous."))
    if not session.trainers.filter(pk=mentor.pk).exists() or not _is_experienced_trainer(mentor):
        raise ServiceError(_("Le mentor doit être un formateur ou une formatrice certifiée de cette session."))
    if session.starts_at is None or session.starts_at > timezone.now():
        raise ServiceError(_("On déclare une co-animation une fois la session commencée."))
    if CoFacilitation.objects.filter(session=session, trainee=trainee).exists():
        raise ServiceError(_("Cette co-animation est déjà déclarée."))
    record = CoFacilitation.objects.create(session=session, trainee=trainee, mentor=mentor)
    audit_log(actor=trainee, role="self", action="network.cofacilitation.declare", target=record)
    return record


@transaction.atomic(durable=True)
def cofacilitation_confirm(*, record: CoFacilitation, acting_user: Any) -> TrainerCertification | None:
    """The mentor confirms; the trainee becomes a trainer if the rule is now met."""
    record = CoFacilitation.objects.select_for_update().get(pk=record.pk)
    if record.mentor_id != acting_user.pk:
        raise ServiceError(_("Seul le mentor de cette co-animation peut la confirmer."))
    if record.confirmed_at is None:
        record.confirmed_at = timezone.now()
        record.save(update_fields=["confirmed_at"])
        audit_log(actor=acting_user, role=Role.TRAINER.value, action="network.cofacilitation.confirm", target=record)
    return _certify_if_eligible(user=record.trainee)


def trainer_track_status(*, user: Any) -> dict[str, Any]:
    """Where a person stands on the trainer track: what is done, what is missing."""
    course_completion = (
        Completion.objects.filter(user=user, course__is_trainer_track=True).select_related("course").first()
    )
    confirmed = CoFacilitation.objects.filter(trainee=user, confirmed_at__isnull=False).count()
    required = settings.NETWORK_TRAINER_MIN_COFACILITATIONS
    return {
        "course": course_completion.course if course_completion else None,
        "confirmed": confirmed,
        "required": required,
        "eligible": course_completion is not None and confirmed >= required,
    }


def _certify_if_eligible(*, user: Any) -> TrainerCertification | None:
    existing = TrainerCertification.objects.filter(user=user).first()
    if existing is not None:
        return existing
    status = trainer_track_status(user=user)
    if not status["eligible"]:
        return None
    certification = TrainerCertification.objects.create(
        user=user, course=status["course"], cofacilitations=status["confirmed"], granted_at=timezone.now()
    )
    audit_log(
        actor=None,
        role="system",
        action="network.trainer.certify",
        target=certification,
        summary=_("Parcours de formateur achevé : formation et %(count)d co-animations confirmées")
        % {"count": status["confirmed"]},
    )
    # The role service is durable on its own; its body runs here so that the certificate
    # and the role are granted together or not at all.
    role_grant.__wrapped__(user=user, role=Role.TRAINER, organisation=None, acting_user=None)  # type: ignore[attr-defined]
    return certification


@transaction.atomic(durable=True)
def trainer_certification_check(*, user: Any) -> TrainerCertification | None:
    """Grant the certification if the rule is met (e.g. after the course is completed)."""
    return _certify_if_eligible(user=user)
