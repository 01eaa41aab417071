"""Demo data for the delegation (one line in `seed_demo`, after the programme and the library):
last year's call with its published selection and report, this year's call open with a
dozen applications from trained agents of several ministries and regions. Every write goes
through the services; idempotent (does nothing once a call exists)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from essaim.accounts.models import Role, RoleAssignment, User
from essaim.catalogue.models import Course
from essaim.delegation.models import Application, Call
from essaim.delegation.services import (
    CallData,
    ReportData,
    application_decide,
    application_submit,
    call_create,
    call_report_publish,
    call_set_status,
    call_update,
    selection_publish,
)
from essaim.organisations.models import Organisation, Region
from essaim.organisations.services import organisation_create
from essaim.training.demo import demo_completion
from essaim.training.models import Session

# slug, name, ministry slug, region code
SERVICES = [
    ("ddfip-35", "Direction départementale des Finances publiques d’Ille-et-Vilaine", "economie-finances", "53"),
    ("prefecture-69", "Préfecture du Rhône", "interieur", "84"),
    ("rectorat-toulouse", "Rectorat de l’académie de Toulouse", "education-nationale", "76"),
    ("dreal-hdf", "DREAL Hauts-de-France", "transition-ecologique", "32"),
    ("dreets-paca", "DREETS Provence-Alpes-Côte d’Azur", "travail-sante-solidarites-familles", "93"),
    ("draaf-na", "DRAAF Nouvelle-Aquitaine", "agriculture-souverainete-alimentaire", "75"),
]
# given name, usual name, service slug
APPLICANTS = [
    ("Maëlle", "Guillou", "ddfip-35"),
    ("Yannick", "Le Bihan", "ddfip-35"),
    ("Sofia", "Haddad", "prefecture-69"),
    ("Bertrand", "Chauvin", "prefecture-69"),
    ("Inès", "Roussel", "rectorat-toulouse"),
    ("Jules", "Carrière", "rectorat-toulouse"),
    ("Nadia", "Ferhat", "dreal-hdf"),
    ("Paul", "Vasseur", "dreal-hdf"),
    ("Léa", "Mistral", "dreets-paca"),
    ("Hugo", "Bonnet", "dreets-paca"),
    ("Amandine", "Duval", "draaf-na"),
    ("Théo", "Lacaze", "draaf-na"),
]
MOTIVATIONS = [
    "J’anime depuis deux ans des ateliers usagers dans mon service ; je veux rapporter des méthodes "
    "de participation éprouvées ailleurs en Europe et les partager avec le réseau régional.",
    "Je prépare une concertation sur l’accueil du public : les retours d’expérience européens "
    "m’aideraient à concevoir un dispositif plus ouvert aux personnes éloignées du numérique.",
    "Formée au parcours Essaim, je coordonne un groupe de co-développement ; je souhaite confronter "
    "notre pratique à celle d’autres administrations et en faire un retour écrit pour la bibliothèque.",
]


def _applicants() -> list[User]:
    ministries = {o.slug: o for o in Organisation.objects.ministries()}
    services = {o.slug: o for o in Organisation.objects.filter(slug__in=[s[0] for s in SERVICES])}
    for slug, name, ministry, region in SERVICES:
        if slug not in services:
            services[slug] = organisation_create(
                slug=slug,
                name=name,
                kind=Organisation.Kind.SERVICE,
                parent=ministries[ministry],
                region=Region.objects.get(code=region),
                acting_user=None,
            )
    people = []
    for index, (given, usual, slug) in enumerate(APPLICANTS, start=1):
        email = f"delegation{index}@essaim.localhost"
        people.append(
            User.objects.filter(email=email).first()
            or User.objects.create_user(email, given_name=given, usual_name=usual, organisation=services[slug])
        )
    return people


def _train(people: list[User]) -> bool:
    intro = Course.objects.filter(code="facilitation-fondamentaux").first()
    past = Session.objects.filter(course=intro, status=Session.Status.DONE).first() if intro else None
    if intro is None or past is None:
        return False
    for person in people:
        demo_completion(user=person, session=past)
    return True


def demo_delegation_load() -> dict[str, Any]:
    if Call.objects.exists():
        return {"calls": Call.objects.count()}
    admin = (
        RoleAssignment.objects.active().filter(role=Role.PROGRAMME_ADMIN).select_related("user").order_by("pk").first()
    )
    people = _applicants()
    if admin is None or not _train(people):
        return {}
    admin_user = admin.user
    now = timezone.now()
    year = timezone.localdate().year

    # Last year: the applications are taken while the window is open, then the call gets its real dates.
    past = CallData(
        year=year - 1,
        title="Rencontres Européennes de la Participation",
        description="La délégation du programme a participé aux ateliers et aux tables rondes de l’édition.",
        place="Bruxelles",
        event_starts_on=dt.date(year - 1, 6, 10),
        event_ends_on=dt.date(year - 1, 6, 12),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        seats=4,
        ministry_quota=1,
    )
    call = call_create(data=past, acting_user=admin_user)
    call_set_status(call=call, status=Call.Status.OPEN, acting_user=admin_user)
    for index, person in enumerate(people[::2]):
        application_submit(call=call, user=person, motivation=MOTIVATIONS[index % len(MOTIVATIONS)])
    past.opens_at = dt.datetime(year - 1, 2, 1, 9, tzinfo=dt.UTC)
    past.closes_at = dt.datetime(year - 1, 3, 15, 18, tzinfo=dt.UTC)
    call = call_update(call=call, data=past, acting_user=admin_user)
    call_set_status(call=call, status=Call.Status.CLOSED, acting_user=admin_user)
    applications = list(call.applications.order_by("pk"))
    for application, decision in zip(
        applications,
        ["selected", "selected", "selected", "selected", "reserve", "not_selected"],
        strict=False,
    ):
        application_decide(application=application, decision=decision, acting_user=admin_user)
    selection_publish(call=call, acting_user=admin_user)
    call_report_publish(
        call=call,
        data=ReportData(
            title=f"Rencontres Européennes de la Participation {year - 1} : le compte rendu de la délégation",
            summary="Ce que quatre agents formés au parcours Essaim ont appris à Bruxelles : jurys citoyens, "
            "budgets participatifs, évaluation des concertations, et ce qu’ils en ont fait dans leurs services.",
            body="<h2>Trois enseignements</h2><ul><li>Rendre compte aux participants de ce que leurs "
            "propositions sont devenues.</li><li>Tirer au sort pour élargir les publics.</li>"
            "<li>Évaluer chaque concertation avec les participants.</li></ul>",
        ),
        acting_user=admin_user,
    )

    # This year: open, a dozen applications.
    current = call_create(
        data=CallData(
            year=year,
            title="Rencontres Européennes de la Participation",
            description="Le programme constitue une délégation de huit agents formés à la facilitation. "
            "Frais de déplacement pris en charge par le programme.",
            place="Lyon",
            event_starts_on=timezone.localdate() + dt.timedelta(days=75),
            event_ends_on=timezone.localdate() + dt.timedelta(days=77),
            opens_at=now - dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=20),
            seats=8,
            ministry_quota=2,
            region_quota=3,
        ),
        acting_user=admin_user,
    )
    call_set_status(call=current, status=Call.Status.OPEN, acting_user=admin_user)
    for index, person in enumerate(people):
        application_submit(
            call=current,
            user=person,
            motivation=MOTIVATIONS[index % len(MOTIVATIONS)],
            availability_note="Disponible sur les trois jours." if index % 3 else "",
        )
    return {"calls": 2, "applications": Application.objects.count()}
