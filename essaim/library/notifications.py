"""E-mails of library moderation: a submission goes to the moderators; a decision goes back
to the contributor with the moderator's reason. Each in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from essaim.accounts.models import Role, RoleAssignment, User
from essaim.library.models import Resource


def library_moderators() -> list[User]:
    """Who moderates the library: programme admins (library/rules.py), active, with an e-mail."""
    holders = RoleAssignment.objects.active().filter(role=Role.PROGRAMME_ADMIN).values("user_id")
    return list(
        User.objects.filter(Q(pk__in=holders) | Q(is_superuser=True), is_active=True).exclude(email="").order_by("pk")
    )


def resource_submitted_notify(*, resource_id: int) -> int:
    resource = Resource.objects.select_related("contributor").filter(pk=resource_id).first()
    if resource is None or resource.status != Resource.Status.SUBMITTED:
        return 0
    url = settings.SITE_URL + reverse("library:moderation")
    sent = 0
    for moderator in library_moderators():
        if resource.contributor_id == moderator.pk:
            continue
        with translation.override(moderator.preferred_language):
            subject = _("Ressource à modérer : %(title)s") % {"title": resource.title}
            body = render_to_string(
                "library/email/submitted.txt", {"resource": resource, "user": moderator, "url": url}
            )
        EmailMultiAlternatives(subject=subject, body=body, to=[moderator.email]).send()
        sent += 1
    return sent


DECISION_SUBJECTS: dict[str, Callable[[], str]] = {
    Resource.Status.PUBLISHED: lambda: _("Ressource publiée : %(title)s"),
    Resource.Status.CHANGES_REQUESTED: lambda: _("Modifications demandées : %(title)s"),
    Resource.Status.REJECTED: lambda: _("Ressource refusée : %(title)s"),
}


def resource_reviewed_notify(*, resource_id: int) -> bool:
    resource = Resource.objects.select_related("contributor").filter(pk=resource_id).first()
    if resource is None or resource.status not in DECISION_SUBJECTS:
        return False
    contributor = resource.contributor
    if contributor is None or not contributor.is_active or not contributor.email:
        return False
    with translation.override(contributor.preferred_language):
        subject = DECISION_SUBJECTS[resource.status]() % {"title": resource.title}
        body = render_to_string(
            "library/email/reviewed.txt",
            {
                "resource": resource,
                "user": contributor,
                "url": settings.SITE_URL + reverse("library:mine"),
                "resource_url": settings.SITE_URL + reverse("library:detail", args=[resource.pk]),
            },
        )
    EmailMultiAlternatives(subject=subject, body=body, to=[contributor.email]).send()
    return True
