"""Background jobs of the delegation: the applicants' notices."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from essaim.core.queues import mail_task


@mail_task(retries=3, retry_delay=30)
def send_application_notice(*, application_id: int, status: str) -> None:
    """One e-mail per outcome, in the person's language. `status` is the outcome the service
    decided to announce: if it changed since, a newer notice is on its way and this one is dropped."""
    from essaim.delegation.models import Application

    application = Application.objects.select_related("call", "user").filter(pk=application_id).first()
    if application is None or application.status != status or not application.user.is_active:
        return
    call, user = application.call, application.user
    with translation.override(user.preferred_language):
        params = {
            "event": call.title,
            "year": call.year,
            "place": call.place,
            "rank": application.reserve_rank or "",
            "url": f"{settings.SITE_URL}/delegation/ma-candidature/",
        }
        S = Application.Status
        bodies: dict[str, str] = {
            S.SELECTED: _(
                "Bonne nouvelle : vous faites partie de la délégation aux %(event)s (%(year)s, %(place)s). "
                "L’équipe du programme vous écrira pour l’organisation du voyage. Votre candidature : %(url)s"
            ),
            S.RESERVE: _(
                "Votre candidature à la délégation aux %(event)s (%(year)s) est inscrite sur la liste "
                "complémentaire, au rang %(rank)s. Si une place se libère, vous serez prévenu(e). %(url)s"
            ),
            S.NOT_SELECTED: _(
                "Votre candidature à la délégation aux %(event)s (%(year)s) n’a pas été retenue cette année. "
                "Merci de votre engagement ; un prochain appel sera publié l’an prochain. %(url)s"
            ),
        }
        if status not in bodies:
            return
        subject = _("[Essaim] Délégation aux %(event)s : votre candidature") % params
        body = bodies[status] % params
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
