"""Surveys: who was asked to answer what. Answers are anonymous: nothing links a response
to a person, so none appears in an export and none can be erased by person; their free
text is kept SURVEY_TEXT_RETENTION_DAYS, then erased by the nightly retention job."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings

from essaim.surveys.models import Answer, Invitation


def export(user: Any) -> dict[str, Any]:
    return {
        "invitations": [
            {
                "survey": i.survey.title,
                "sent_at": i.sent_at.isoformat(),
                "reminded_at": i.reminded_at.isoformat() if i.reminded_at else None,
                "answered": i.answered_at is not None,
            }
            for i in Invitation.objects.filter(user=user).select_related("survey")
        ],
        "note": "Les réponses sont anonymes : aucune n’est rattachée à votre compte.",
    }


def anonymise(user: Any) -> dict[str, int]:
    """Invitations stay counted (response rates); their links stop working."""
    changed = 0
    for invitation in Invitation.objects.filter(user=user, answered_at__isnull=True):
        invitation.token = secrets.token_urlsafe(32)
        invitation.save(update_fields=["token"])
        changed += 1
    return {"open_links_closed": changed}


def retention(now: dt.datetime) -> dict[str, int]:
    cutoff = (now - dt.timedelta(days=settings.SURVEY_TEXT_RETENTION_DAYS)).date()
    cleared = Answer.objects.filter(response__submitted_on__lt=cutoff).exclude(text="").update(text="")
    return {"free_text_answers_cleared": cleared}
