"""Demo data: realistic French organisations and one documented account per role.

Idempotent: run it as often as you like; it creates what is missing and leaves the rest.
Refuses to run in production (the demo accounts share a published password).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from essaim.accounts.models import Role, User
from essaim.accounts.services import _affiliation_change, role_grant
from essaim.organisations.models import Affiliation, Organisation, Region
from essaim.organisations.services import organisation_create

DEMO_PASSWORD = "essaim-demo-2026"  # noqa: S105 - documented demo password, refused in production

# slug, name, short name, kind, parent slug, region code, siret (demo values, Luhn-valid)
ORGANISATIONS = [
    (
        "ditp",
        "Direction interministérielle de la transformation publique",
        "DITP",
        "directorate",
        "premier-ministre",
        "11",
        "",
    ),
    (
        "dgfip",
        "Direction générale des Finances publiques",
        "DGFiP",
        "directorate",
        "economie-finances",
        "11",
        "11000201100044",
    ),
    (
        "drh-interieur",
        "Direction des ressources et des compétences de la police nationale",
        "DRCPN",
        "directorate",
        "interieur",
        "11",
        "11000401400012",
    ),
    (
        "cellule-formation-interieur",
        "Bureau de la formation — ministère de l’Intérieur",
        "Formation Intérieur",
        "service",
        "interieur",
        "11",
        "",
    ),
    (
        "drh-armees",
        "Direction des ressources humaines du ministère des Armées",
        "DRH-MD",
        "directorate",
        "armees",
        "11",
        "",
    ),
    (
        "ti-lab",
        "Ti Lab — laboratoire régional d’innovation publique de Bretagne",
        "Ti Lab",
        "lab",
        None,
        "53",
        "",
    ),
    ("lab-aura", "Laboratoire d’innovation publique Auvergne-Rhône-Alpes", "Lab AURA", "lab", None, "84", ""),
    ("democratie-ouverte", "Démocratie Ouverte", "Démocratie Ouverte", "partner", None, "11", ""),
    ("decider-ensemble", "Décider Ensemble", "Décider Ensemble", "partner", None, "11", ""),
    (
        "institut-de-la-concertation",
        "Institut de la concertation et de la participation citoyenne",
        "ICPC",
        "partner",
        None,
        "11",
        "",
    ),
]

# email, given name, usual name, auth source, organisation slug, unit, role, role scope slug
ACCOUNTS = [
    (
        "admin@essaim.localhost",
        "Claire",
        "Lefèvre",
        "local",
        "ditp",
        "Département innovation",
        Role.PROGRAMME_ADMIN,
        None,
    ),
    (
        "organisateur.interieur@essaim.localhost",
        "Karim",
        "Benali",
        "local",
        "cellule-formation-interieur",
        "Bureau de la formation",
        Role.ORGANISER,
        "interieur",
    ),
    (
        "organisateur.armees@essaim.localhost",
        "Sophie",
        "Morel",
        "local",
        "drh-armees",
        "Formation",
        Role.ORGANISER,
        "armees",
    ),
    (
        "coordination.tilab@essaim.localhost",
        "Yann",
        "Le Gall",
        "local",
        "ti-lab",
        "",
        Role.LAB_COORDINATOR,
        "ti-lab",
    ),
    (
        "formatrice@essaim.localhost",
        "Nadia",
        "Rousseau",
        "local",
        "dgfip",
        "École nationale des finances publiques",
        Role.TRAINER,
        None,
    ),
    (
        "partenaire@essaim.localhost",
        "Thomas",
        "Girard",
        "email",
        "democratie-ouverte",
        "",
        Role.PARTNER,
        "democratie-ouverte",
    ),
    (
        "agent@essaim.localhost",
        "Léa",
        "Fontaine",
        "local",
        "dgfip",
        "Service des impôts des particuliers",
        None,
        None,
    ),
]


class Command(BaseCommand):
    help = "Load idempotent demo data: organisations and one account per role (password: essaim-demo-2026)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production: its accounts share a public password.")
        # Each service call is its own transaction; re-running picks up where it stopped.
        orgs = self._organisations()
        self._accounts(orgs)
        self._programme()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):"))
        for email, _g, _u, _src, _org, _unit, role, scope in ACCOUNTS:
            self.stdout.write(f"  {email:45} {role or 'agent'}{' @ ' + scope if scope else ''}")

    def _programme(self) -> None:
        """The framework, the catalogue and a living programme of sessions."""
        from essaim.catalogue.services import catalogue_load_seed
        from essaim.framework.services import framework_load_seed
        from essaim.network.demo import demo_network_load
        from essaim.training.demo import demo_programme_load

        framework_load_seed()
        catalogue_load_seed()
        demo_programme_load(
            agent=User.objects.get(email="agent@essaim.localhost"),
            trainer=User.objects.get(email="formatrice@essaim.localhost"),
        )
        from essaim.credentials.demo import demo_credentials_load

        demo_credentials_load()
        from essaim.library.demo import demo_library_load

        demo_library_load()
        demo_network_load(agent=User.objects.get(email="agent@essaim.localhost"))
        from essaim.events.demo import demo_events_load

        demo_events_load()  # partners, co-run sessions, events
        from essaim.delegation.demo import demo_delegation_load

        demo_delegation_load()  # last year's delegation with its report, this year's call open
        from essaim.reporting.demo import demo_steering_load

        demo_steering_load()  # surveys with answers, rollups, open data

    def _organisations(self) -> dict[str, Organisation]:
        orgs = {org.slug: org for org in Organisation.objects.all()}
        for slug, name, short, kind, parent_slug, region, siret in ORGANISATIONS:
            if slug in orgs:
                continue
            orgs[slug] = organisation_create(
                slug=slug,
                name=name,
                short_name=short,
                kind=kind,
                parent=orgs.get(parent_slug) if parent_slug else None,
                region=Region.objects.get(code=region),
                siret=siret,
                acting_user=None,
            )
        return orgs

    def _accounts(self, orgs: dict[str, Organisation]) -> None:
        for email, given, usual, source, org_slug, unit, role, scope in ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, password=DEMO_PASSWORD, given_name=given, usual_name=usual, auth_source=source
                )
                with transaction.atomic():  # it locks the current post: PostgreSQL needs a transaction
                    _affiliation_change(
                        user=user,
                        organisation=orgs[org_slug],
                        unit=unit,
                        acting_user=None,
                        source=Affiliation.Source.ADMIN,
                    )
            if role:
                role_grant(user=user, role=role, organisation=orgs[scope] if scope else None, acting_user=None)
            if role == Role.PROGRAMME_ADMIN and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
