"""Writes of facilitation requests: post a need, invite, answer, mark the workshop done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log
from essaim.framework.models import Competency
from essaim.network.models import DirectoryProfile, DirectorySkill, FacilitationRequest, Invitation
from essaim.network.selectors import request_candidates
from essaim.network.services import directory_profile_refresh_nested
from essaim.organisations.models import Departement
from essaim.practice.services import practice_entry_create

MAX_INVITATIONS_PER_REQUEST = 10


@transaction.atomic(durable=True)
def facilitation_request_create(
    *,
    requester: Any,
    topic: str,
    date: dt.date,
    competency_code: str,
    audience_size: int,
    is_remote: bool = False,
    place: str = "",
    departement: Departement | None = None,
    region: Any = None,
) -> FacilitationRequest:
    topic = topic.strip()
    if not topic:
        raise ServiceError(_("Indiquez le sujet de l’atelier."))
    if date < timezone.localdate():
        raise ServiceError(_("La date de l’atelier est passée."))
    if audience_size < 1 or audience_size > 100000:
        raise ServiceError(_("Indiquez un nombre de participants entre 1 et 100 000."))
    competency = Competency.objects.filter(code=competency_code).order_by("-framework__published_at").first()
    if competency is None:
        raise ServiceError(_("Méthode inconnue : choisissez une compétence du référentiel."))
    if not is_remote and departement is None and region is None:
        raise ServiceError(_("Indiquez le département ou la région de l’atelier, ou cochez « à distance »."))
    if departement is not None:
        region = departement.region
    request = FacilitationRequest.objects.create(
        requester=requester,
        topic=topic[:200],
        date=date,
        is_remote=is_remote,
        place=place.strip()[:200],
        region=None if is_remote else region,
        departement=None if is_remote else departement,
        competency_code=competency.code,
        competency_name=competency.name,
        audience_size=audience_size,
    )
    audit_log(actor=requester, role="agent", action="network.request.create", target=request)
    return request


@transaction.atomic(durable=True)
def invitation_send(*, request: FacilitationRequest, facilitator_ids: list[int], acting_user: Any) -> list[Invitation]:
    """Invite people among the ranked candidates (never anyone else: consent and
    availability are checked again by the ranking itself)."""
    if request.requester_id != acting_user.pk:
        raise ServiceError(_("Seule la personne qui a posté la demande peut inviter."))
    if request.status != FacilitationRequest.Status.OPEN:
        raise ServiceError(_("Cette demande est close."))
    if not facilitator_ids:
        raise ServiceError(_("Choisissez au moins une personne à inviter."))
    existing = Invitation.objects.filter(request=request).count()
    if existing + len(facilitator_ids) > MAX_INVITATIONS_PER_REQUEST:
        raise ServiceError(
            _("Pas plus de %(max)d invitations par demande : laissez d’autres personnes disponibles.")
            % {"max": MAX_INVITATIONS_PER_REQUEST}
        )
    ranked = {c.profile.user_id: c for c in request_candidates(request=request, limit=50)}
    unknown = [pk for pk in facilitator_ids if pk not in ranked]
    if unknown:
        raise ServiceError(_("Une des personnes choisies n’est plus disponible pour cette demande."))
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        Invitation(
            request=request,
            facilitator_id=pk,
            score=ranked[pk].score,
            explanation=[str(r) for r in ranked[pk].reasons],
        )
        for pk in dict.fromkeys(facilitator_ids)
    )
    DirectoryProfile.objects.filter(user_id__in=facilitator_ids).update(last_invited_at=now)
    DirectorySkill.objects.filter(profile__user_id__in=facilitator_ids).update(last_invited_at=now)
    audit_log(
        actor=acting_user,
        role="agent",
        action="network.invitation.send",
        target=request,
        changes={"facilitators": list(facilitator_ids)},
    )
    from essaim.network.tasks import send_invitation_notice

    ids = [i.pk for i in Invitation.objects.filter(request=request, facilitator_id__in=facilitator_ids)]
    for pk in ids:
        outbox_enqueue(
            task=send_invitation_notice, kwargs={"invitation_id": pk, "kind": "invited"}, ref=f"network.invitation:{pk}"
        )
    return invitations


def _own_invitation(invitation: Invitation, acting_user: Any) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("request").get(pk=invitation.pk)
    if invitation.facilitator_id != acting_user.pk:
        raise ServiceError(_("Cette invitation ne vous est pas adressée."))
    return invitation


@transaction.atomic(durable=True)
def invitation_respond(*, invitation: Invitation, acting_user: Any, accept: bool) -> Invitation:
    invitation = _own_invitation(invitation, acting_user)
    if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.ACCEPTED):
        raise ServiceError(_("Cette invitation n’attend plus de réponse."))
    if invitation.request.date < timezone.localdate():
        raise ServiceError(_("La date de l’atelier est passée."))
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_log(
        actor=acting_user,
        role="self",
        action="network.invitation.accept" if accept else "network.invitation.decline",
        target=invitation,
    )
    from essaim.network.tasks import send_invitation_notice

    outbox_enqueue(
        task=send_invitation_notice,
        kwargs={"invitation_id": invitation.pk, "kind": "answered"},
        ref=f"network.invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic(durable=True)
def invitation_mark_done(
    *, invitation: Invitation, acting_user: Any, participants: int, outcome: str = ""
) -> Invitation:
    """After the workshop, the facilitator says it took place: the practice log gets the entry."""
    invitation = _own_invitation(invitation, acting_user)
    if invitation.status != Invitation.Status.ACCEPTED:
        raise ServiceError(_("Seule une invitation acceptée peut être marquée comme animée."))
    request = invitation.request
    if request.date > timezone.localdate():
        raise ServiceError(_("L’atelier n’a pas encore eu lieu."))
    # The practice service is durable on its own: its body (checks and audit) runs in
    # this transaction so that the invitation and the entry change together.
    entry = practice_entry_create.__wrapped__(  # type: ignore[attr-defined]
        user=acting_user,
        acting_user=acting_user,
        date=request.date,
        title=request.topic,
        method=request.competency_name,
        participants=participants,
        audience=_("Demande d’animation via le réseau"),
        outcome=outcome,
    )
    invitation.status = Invitation.Status.DONE
    invitation.practice_entry = entry
    invitation.save(update_fields=["status", "practice_entry"])
    audit_log(actor=acting_user, role="self", action="network.invitation.done", target=invitation)
    directory_profile_refresh_nested(user=acting_user)
    return invitation
