"""Demo data for the network (called once by `seed_demo`, after the training programme)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from essaim.accounts.models import User
from essaim.catalogue.models import Course
from essaim.network.matching import facilitation_request_create, invitation_send
from essaim.network.models import DirectoryProfile, FacilitationRequest, Pilot
from essaim.network.selectors import request_candidates
from essaim.network.services import directory_profile_update
from essaim.organisations.models import Departement, Organisation, Region
from essaim.training.demo import demo_completion
from essaim.training.models import Session

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
    """Consenting members in several regions, a request with invitations, and regional labs
    with their coordinators and pilots. Idempotent."""
    result = _members_and_request(agent=agent)
    result.update(demo_labs_load(agent=agent))
    return result


def _members_and_request(*, agent: User) -> dict[str, Any]:
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
        demo_completion(user=user, session=past, outcomes=outcomes)
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


# Labs: (slug, name, short name, region code, coordinator e-mail, given name, usual name)
LABS = [
    ("ti-lab", "", "", "53", "coordination.tilab@essaim.localhost", "Yann", "Le Gall"),
    ("lab-aura", "", "", "84", "coordination.aura@essaim.localhost", "Inès", "Moreau"),
    (
        "lab-hdf",
        "Laboratoire d’innovation publique des Hauts-de-France",
        "Lab HDF",
        "32",
        "coordination.hdf@essaim.localhost",
        "Thomas",
        "Lefebvre",
    ),
    (
        "lab-occitanie",
        "Laboratoire d’innovation publique d’Occitanie",
        "Lab Occitanie",
        "76",
        "coordination.occitanie@essaim.localhost",
        "Léa",
        "Garcia",
    ),
]


def demo_labs_load(*, agent: User) -> dict[str, Any]:
    """Labs in four regions with their coordinators, and pilots at every stage — one of
    them finished and published to the library as a case study. Idempotent."""
    from essaim.accounts.models import Role, RoleAssignment
    from essaim.accounts.services import role_grant
    from essaim.library.models import Resource
    from essaim.network import pilots
    from essaim.organisations.services import organisation_create

    if Pilot.objects.exists():
        return {"pilots": Pilot.objects.count()}
    coordinators: dict[str, User] = {}
    for slug, name, short_name, region_code, email, given, usual in LABS:
        lab = Organisation.objects.filter(slug=slug).first()
        if lab is None:
            lab = organisation_create(
                name=name,
                short_name=short_name,
                kind=Organisation.Kind.LAB,
                region=Region.objects.get(code=region_code),
                acting_user=None,
                slug=slug,
            )
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, given_name=given, usual_name=usual, organisation=lab
        )
        if not RoleAssignment.objects.active().filter(user=user, role=Role.LAB_COORDINATOR, organisation=lab).exists():
            role_grant(user=user, role=Role.LAB_COORDINATOR, organisation=lab, acting_user=None)
        coordinators[slug] = user
    facilitator = User.objects.filter(email="reseau.rennes@essaim.localhost").first() or agent
    past = timezone.localdate() - dt.timedelta(days=20)

    def propose(slug: str, title: str, problem: str, solution: str) -> Pilot:
        return pilots.pilot_propose(
            lab=Organisation.objects.get(slug=slug), proposer=agent, title=title, problem=problem, solution=solution
        )

    def run(pilot: Pilot, coordinator: User, *, stages: int) -> Pilot:
        pilots.pilot_decide(pilot=pilot, acting_user=coordinator, accept=True, reason="Proposition retenue.")
        pilots.pilot_member_add(pilot=pilot, acting_user=coordinator, email=facilitator.email, role="Animation")
        workshop = pilots.pilot_workshop_add(
            pilot=pilot,
            acting_user=coordinator,
            date=past,
            title=f"Atelier usagers — {pilot.title}"[:200],
            method="World café",
            participants=24,
            facilitator_ids=[facilitator.pk],
        )
        pilots.pilot_workshop_mark_held(workshop=workshop, acting_user=coordinator)
        for _stage in range(stages):
            pilots.pilot_advance(pilot=pilot, acting_user=coordinator)
        return pilot

    tilab = coordinators["ti-lab"]
    finished = run(
        propose(
            "ti-lab",
            "Accueil sans rendez-vous en sous-préfecture",
            "Les usagers attendent longtemps sans savoir à quel guichet s’adresser.",
            "Des agents volontaires orientent les usagers dès l’entrée, testé trois mois à Morlaix.",
        ),
        tilab,
        stages=3,
    )
    methods = list(Resource.objects.published().filter(type=Resource.Type.METHOD)[:1])
    pilots.pilot_describe(
        pilot=finished,
        acting_user=tilab,
        methods=methods,
        methods_text="Parcours usager, entretiens",
        results="Attente moyenne passée de 45 à 20 minutes ; le dispositif est étendu à deux autres sites.",
    )
    pilots.pilot_advance(pilot=finished, acting_user=tilab)
    pilots.pilot_publish_case_study(pilot=finished, acting_user=tilab)
    run(
        propose(
            "ti-lab",
            "Courriers de relance en langage clair",
            "Les relances d’impayés sont incomprises.",
            "Réécrire les courriers avec des usagers.",
        ),
        tilab,
        stages=1,
    )
    run(
        propose(
            "lab-occitanie",
            "Guichet unique des aides agricoles",
            "Les exploitants déposent quatre dossiers.",
            "Un dossier commun testé dans un département.",
        ),
        coordinators["lab-occitanie"],
        stages=2,
    )
    pilots.pilot_decide(
        pilot=propose(
            "lab-aura",
            "Budget participatif des lycées",
            "Les élèves ne sont pas associés.",
            "Un budget voté par les élèves.",
        ),
        acting_user=coordinators["lab-aura"],
        accept=True,
        reason="À cadrer avec la région.",
    )
    pilots.pilot_decide(
        pilot=propose(
            "lab-hdf",
            "Application de covoiturage entre agents",
            "Les agents viennent seuls en voiture.",
            "Une application dédiée.",
        ),
        acting_user=coordinators["lab-hdf"],
        accept=False,
        reason="Une solution existe déjà au niveau régional : nous vous mettons en relation.",
    )
    propose(
        "lab-hdf",
        "Salle d’attente numérique à la CAF",
        "Les files débordent sur le trottoir.",
        "Un ticket par SMS.",
    )
    return {"pilots": Pilot.objects.count(), "labs": len(coordinators)}
