"""Demo data of the steering apps: two surveys on the introduction course, answers from
the demo sessions' participants, rollups rebuilt and open data published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from essaim.catalogue.models import Course
from essaim.reporting.opendata import opendata_publish
from essaim.reporting.rollups import rollups_refresh
from essaim.surveys.models import Invitation, Question, Survey
from essaim.surveys.services import invitations_send_due, response_submit
from essaim.training.models import Completion

_COMMENTS = [
    "Des outils que j’ai pu réutiliser dès la semaine suivante.",
    "Le rythme était soutenu mais les mises en pratique aident beaucoup.",
    "J’aurais aimé plus de temps sur la préparation d’un atelier.",
    "Très bonne dynamique de groupe, formateurs à l’écoute.",
    "Un guide pas à pas à emporter serait utile.",
    "",
    "",
]


def demo_steering_load() -> dict[str, Any]:
    """Idempotent: does nothing once a survey exists."""
    if Survey.objects.exists():
        return {"surveys": Survey.objects.count()}
    intro = Course.objects.filter(is_introduction=True).order_by("position").first()
    if intro is None:
        return {}
    after = Survey.objects.create(title="Votre avis sur la session", kind=Survey.Kind.AFTER_SESSION)
    after.courses.add(intro)
    satisfaction = Question.objects.create(
        survey=after,
        position=1,
        kind=Question.Kind.SCALE,
        label="Dans l’ensemble, êtes-vous satisfait de la session ?",
        measure=Question.Measure.SATISFACTION,
    )
    preferred = Question.objects.create(
        survey=after,
        position=2,
        kind=Question.Kind.MULTIPLE,
        label="Qu’avez-vous trouvé le plus utile ?",
        choices=["Les outils", "Les mises en situation", "Les échanges entre pairs", "Les ressources"],
        required=False,
    )
    comment = Question.objects.create(
        survey=after, position=3, kind=Question.Kind.TEXT, label="Un commentaire pour l’équipe ?", required=False
    )
    follow_up = Survey.objects.create(title="Trois mois après : votre pratique", kind=Survey.Kind.FOLLOW_UP)
    follow_up.courses.add(intro)
    Question.objects.create(
        survey=follow_up,
        position=1,
        kind=Question.Kind.SINGLE,
        label="Avez-vous animé un atelier depuis la formation ?",
        choices=["Oui", "Non"],
        measure=Question.Measure.PRACTISING,
    )
    Question.objects.create(
        survey=follow_up,
        position=2,
        kind=Question.Kind.MULTIPLE,
        label="Quelles méthodes avez-vous utilisées ?",
        choices=["World café", "Forum ouvert", "Photolangage", "Codéveloppement"],
        required=False,
    )
    Question.objects.create(
        survey=follow_up, position=3, kind=Question.Kind.TEXT, label="Qu’est-ce qui vous a freiné ?", required=False
    )
    latest = Completion.objects.filter(course=intro).aggregate(m=Max("completed_at"))["m"]
    if latest is not None:
        invitations_send_due(now=latest + dt.timedelta(hours=1))
    for index, invitation in enumerate(Invitation.objects.filter(survey=after).select_related("user")):
        if index == 6:
            break  # one participant has not answered: the response rate shows it
        response_submit(
            invitation=invitation,
            answers={
                satisfaction.pk: 5 - index % 3,
                preferred.pk: [index % 4, (index + 1) % 4],
                comment.pk: _COMMENTS[index % len(_COMMENTS)],
            },
            acting_user=invitation.user,
        )
    rollups_refresh(full=True)
    opendata_publish()
    return {"surveys": 2, "invitations": Invitation.objects.count()}
