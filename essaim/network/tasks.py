"""Background jobs of the network."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from essaim.core.queues import mail_task


@mail_task(retries=3, retry_delay=30)
def send_contact_message(*, message_id: int) -> None:
    """The recipient gets the message in their language; replying reaches the sender,
    whose address is in the e-mail only, never on a page."""
    from essaim.network.models import ContactMessage

    message = ContactMessage.objects.select_related("sender", "recipient").filter(pk=message_id).first()
    if message is None:
        return
    with translation.override(message.recipient.preferred_language):
        body = _(
            "%(sender)s vous écrit par l’annuaire du réseau Essaim :\n\n%(body)s\n\n"
            "Répondez à ce courriel pour lui répondre. Vous recevez ce message parce que vous "
            "figurez dans l’annuaire ; vous pouvez en sortir à tout moment depuis votre fiche : %(url)s"
        ) % {
            "sender": message.sender.full_name or message.sender.email,
            "body": message.body,
            "url": f"{settings.SITE_URL}/reseau/ma-fiche/",
        }
        subject = _("[Essaim] %(subject)s") % {"subject": message.subject}
    EmailMessage(subject=subject, body=body, to=[message.recipient.email], reply_to=[message.sender.email]).send()


@mail_task(retries=3, retry_delay=30)
def send_invitation_notice(*, invitation_id: int, kind: str) -> None:
    """Tell the facilitator about an invitation, or the requester about the answer."""
    from essaim.network.models import Invitation

    invitation = Invitation.objects.select_related("request__requester", "facilitator").filter(pk=invitation_id).first()
    if invitation is None:
        return
    request = invitation.request
    to = invitation.facilitator if kind == "invited" else request.requester
    with translation.override(to.preferred_language):
        params = {"topic": request.topic, "date": request.date.strftime("%d/%m/%Y"), "url": settings.SITE_URL}
        if kind == "invited":
            subject = _("[Essaim] On vous propose d’animer un atelier")
            body = _(
                "Un service vous propose d’animer l’atelier « %(topic)s » le %(date)s. "
                "Répondez depuis vos invitations : %(url)s/reseau/invitations/"
            )
        else:
            subject = _("[Essaim] Réponse à votre demande d’animation")
            body = _(
                "Votre invitation pour l’atelier « %(topic)s » du %(date)s a reçu une réponse : "
                "%(url)s/reseau/demandes/"
            )
    EmailMessage(subject=subject, body=body % params, to=[to.email]).send()


@db_periodic_task(crontab(minute="*/15"))
def refresh_network() -> None:
    """Completions are issued by `training.attendance.session_close`, credentials revoked
    in `credentials` and posts change in `organisations`, which know nothing of the
    network: every quarter of an hour, copy new completions, revocations and new posts
    into the directory and grant trainer status to people whose
    course completion now meets the rule."""
    import datetime as dt

    from django.utils import timezone

    from essaim.credentials.models import Credential
    from essaim.network.models import CoFacilitation, DirectoryProfile
    from essaim.network.services import directory_profile_refresh, trainer_certification_check
    from essaim.organisations.models import Affiliation
    from essaim.training.models import Completion

    since = timezone.now() - dt.timedelta(hours=1)
    recent = Completion.objects.filter(session__updated_at__gte=since)
    changed = set(recent.values_list("user_id", flat=True)) | set(
        Affiliation.objects.filter(created_at__gte=since).values_list("user_id", flat=True)
    )
    changed |= set(Credential.objects.filter(revoked_at__gte=since).values_list("user_id", flat=True))
    listed = DirectoryProfile.objects.filter(consent=True, user_id__in=changed).values_list("user_id", flat=True)
    for user_id in listed:
        directory_profile_refresh(user=_user(user_id))
    candidates = recent.filter(course__is_trainer_track=True, user__trainer_certification__isnull=True)
    for user_id in candidates.values_list("user_id", flat=True).distinct():
        if CoFacilitation.objects.filter(trainee_id=user_id, confirmed_at__isnull=False).exists():
            trainer_certification_check(user=_user(user_id))


def _user(pk: int) -> Any:
    from essaim.accounts.models import User

    return User.objects.get(pk=pk)
