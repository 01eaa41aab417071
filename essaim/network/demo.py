"""Demo data for the network (called once by `seed_demo`, after the training programme)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from essaim.accounts.models import User
from essaim.catalogue.models import Course
from essaim.network.matching import facilitation_request_create, invitation_send
from essaim.network.models import DirectoryProfile, FacilitationRequest
from essaim.network.selectors import request_candidates
from essaim.network.services import directory_profile_update
from essaim.organisations.models import Departement, Organisation
from essaim.training.models import Completion, Session

# email, given name, usual name, organisation slug, availability, languages, bio
MEMBERS = [
    (
        "reseau.rennes@essaim.localhost",
        "Gwenaëlle",
        "Le Goff",
        "ti-lab",
        "available",
        "français, breton",
        "Ateliers citoyens en Bretagne.",
    ),
    (
        "reseau.lyon@essaim.localhost",
        "Karim",
        "Benali",
        "lab-aura",
        "available",
        "français, anglais",
        "Forums ouverts et débats publics.",
    ),
    (
        "reseau.grenoble@essaim.localhost",
        "Claire",
        "Fabre",
        "lab-aura",
        "limited",
        "français",
        "Facilitation graphique.",
    ),
]


def demo_network_load(*, agent: User) -> dict[str, Any]:
    """Consenting members in several regions and a request with invitations. Idempotent."""
    if FacilitationRequest.objects.exists():
        return {"requests": FacilitationRequest.objects.count()}
    intro = Course.objects.filter(code="facilitation-fondamentaux").first()
    past = Session.objects.filter(course=intro, status=Session.Status.DONE).first() if intro else None
    if intro is None or past is None:
        return {}
    outcomes = [
        {"competency": o.competency.code, "level": o.level.code, "level_rank": o.level.rank}
        for o in intro.outcomes.select_related("competency", "level")
    ]
    for email, given, usual, org_slug, availability, languages, bio in MEMBERS:
        organisation = Organisation.objects.get(slug=org_slug)
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, given_name=given, usual_name=usual, organisation=organisation
        )
        Completion.objects.get_or_create(
            user=user,
            session=past,
            defaults={
                "course": intro,
                "framework_id": intro.framework_id,
                "completed_at": past.ends_at or timezone.now(),
                "attendance_rate": 100,
                "outcomes": outcomes,
            },
        )
        directory_profile_update(
            user=user, acting_user=user, consent=True, availability=availability, languages=languages, bio=bio
        )
    # Part of those trained in the Paris session agree to be listed.
    for user in User.objects.filter(completions__session=past).exclude(email__startswith="reseau.").distinct()[:5]:
        if not DirectoryProfile.objects.filter(user=user).exists():
            directory_profile_update(user=user, acting_user=user, consent=True, languages="français")
    if not outcomes:
        return {}
    need = facilitation_request_create(
        requester=agent,
        topic="Concertation des usagers sur l’accueil en préfecture",
        date=timezone.localdate() + dt.timedelta(days=30),
        competency_code=str(outcomes[0]["competency"]),
        audience_size=40,
        departement=Departement.objects.get(code="35"),
        place="Rennes",
    )
    ranked = request_candidates(request=need)[:2]
    if ranked:
        invitation_send(request=need, facilitator_ids=[c.profile.user_id for c in ranked], acting_user=agent)
    return {"requests": 1, "members": DirectoryProfile.objects.listed().count()}
